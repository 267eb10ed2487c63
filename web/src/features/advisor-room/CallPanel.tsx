// Click to call from the room (issue 16): the API places the call (the advisor's work phone
// rings first, then the seeker's once the advisor answers, both showing the agency's number);
// its state comes live from the `call` frames of the advisor's WebSocket, and « Raccrocher »
// ends it from the app.
import Button from "@codegouvfr/react-dsfr/Button";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { api, unwrap, type Schemas } from "../../lib/api/client";
import type { CallFrame } from "../../lib/chat/frames";
import { useLiveFrames } from "../../lib/chat/useLiveFrames";
import { frenchMessage } from "../../lib/api/errors";
import { CALL_MESSAGES } from "./errors";

type Interview = Schemas["Interview"];

const ENDED: Record<NonNullable<CallFrame["outcome"]>, string> = {
  hung_up: "Appel terminé.",
  unanswered: "Appel terminé : personne n'a décroché.",
  busy: "Appel terminé : la ligne était occupée.",
  failed: "Appel terminé : l'appel n'a pas pu aboutir.",
};

/** What the advisor reads for the call's last known state. */
export function callStatus(frame: Pick<CallFrame, "state" | "outcome"> | null, seekerName: string): string {
  if (frame === null) return "Appel lancé : votre téléphone de poste va sonner.";
  if (frame.state === "ringing") return `Ça sonne : décrochez votre téléphone de poste, puis celui de ${seekerName} sonnera.`;
  if (frame.state === "connected") return `Appel en cours avec ${seekerName}.`;
  return ENDED[frame.outcome ?? "hung_up"];
}

export function CallPanel({ interview, seekerName }: { interview: Interview; seekerName: string }) {
  const [callId, setCallId] = useState<string | null>(null);
  // Every call frame by call id: the first `ringing` may arrive before the API's answer.
  const [frames, setFrames] = useState<Record<string, CallFrame>>({});
  const connection = useLiveFrames((frame) => {
    if (frame?.type === "call" && frame.interviewId === interview.interviewId) setFrames((all) => ({ ...all, [frame.callId]: frame }));
  });
  const start = useMutation({
    mutationFn: async () => unwrap(await api().POST("/interviews/{interviewId}/call", { params: { path: { interviewId: interview.interviewId } } })),
    onSuccess: (started) => setCallId(started.callId),
  });
  const hangUp = useMutation({
    mutationFn: async (id: string) => {
      unwrap(await api().DELETE("/calls/{callId}", { params: { path: { callId: id } } }));
    },
  });
  const frame = callId ? (frames[callId] ?? null) : null;
  const active = callId !== null && frame?.state !== "ended";
  const error = start.error ?? hangUp.error;

  return (
    <div className="fr-mt-3w">
      <div role="status" aria-live="polite" aria-label="État de l'appel">
        {callId !== null && <p>{callStatus(frame, seekerName)}</p>}
        {callId === null && connection !== "open" && <p>Patientez : la page se connecte pour suivre l'appel en direct.</p>}
      </div>
      {active ? (
        <Button
          priority="secondary"
          disabled={hangUp.isPending}
          onClick={() => {
            start.reset();
            hangUp.mutate(callId);
          }}
        >
          Raccrocher
        </Button>
      ) : (
        <Button
          disabled={start.isPending || connection !== "open"}
          onClick={() => {
            hangUp.reset();
            start.mutate();
          }}
        >
          Appeler la personne
        </Button>
      )}
      {error && (
        <p className="fr-error-text" role="alert">
          {frenchMessage(error, CALL_MESSAGES)}
        </p>
      )}
    </div>
  );
}

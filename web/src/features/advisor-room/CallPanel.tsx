// Calls from the room, both placed by the API with their state live from the `call` frames of
// the advisor's WebSocket, and « Raccrocher » to end them from the app (`DELETE /calls/{id}`):
// - `call` (issue 16), for a phone interview: the advisor's work phone rings first, then the
//   seeker's once the advisor answers, both showing the agency's number;
// - `dial-in`, for a video interview whose meeting runs: the seeker's phone rings, showing the
//   agency's number, and once answered the call joins that same meeting (its audio goes on
//   there, and the attendance proof shows the phone leg).
import Button from "@codegouvfr/react-dsfr/Button";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { api, unwrap, type Schemas } from "../../lib/api/client";
import type { CallFrame } from "../../lib/chat/frames";
import { useLiveFrames } from "../../lib/chat/useLiveFrames";
import { frenchMessage } from "../../lib/api/errors";
import { CALL_MESSAGES } from "./errors";

type Interview = Schemas["Interview"];
type Frame = Pick<CallFrame, "state" | "outcome"> | null;

/** Which call the panel places: the phone interview's, or the seeker dialled into the video meeting. */
export type CallKind = "call" | "dial-in";

const ENDED: Record<NonNullable<CallFrame["outcome"]>, string> = {
  hung_up: "Appel terminé.",
  unanswered: "Appel terminé : personne n'a décroché.",
  busy: "Appel terminé : la ligne était occupée.",
  failed: "Appel terminé : l'appel n'a pas pu aboutir.",
};

/** What the advisor reads for the call's last known state. */
export function callStatus(frame: Frame, seekerName: string): string {
  if (frame === null) return "Appel lancé : votre téléphone de poste va sonner.";
  if (frame.state === "ringing") return `Ça sonne : décrochez votre téléphone de poste, puis celui de ${seekerName} sonnera.`;
  if (frame.state === "connected") return `Appel en cours avec ${seekerName}.`;
  return ENDED[frame.outcome ?? "hung_up"];
}

/** The same for the seeker dialled into the meeting (the advisor's own phone never rings). */
export function dialInStatus(frame: Frame, seekerName: string): string {
  if (frame === null) return `Appel lancé : le téléphone de ${seekerName} va sonner.`;
  if (frame.state === "ringing") return `Ça sonne chez ${seekerName} : en décrochant, la personne rejoint cet entretien.`;
  if (frame.state === "connected") return `${seekerName} a rejoint l'entretien par téléphone : sa voix passe dans la visioconférence.`;
  return ENDED[frame.outcome ?? "hung_up"];
}

const KINDS: Record<CallKind, { label: string; status: (frame: Frame, seekerName: string) => string; place: (interviewId: string) => Promise<Schemas["CallStarted"]> }> = {
  call: {
    label: "Appeler la personne",
    status: callStatus,
    place: async (interviewId) => unwrap(await api().POST("/interviews/{interviewId}/call", { params: { path: { interviewId } } })),
  },
  "dial-in": {
    label: "Appeler la personne pour qu'elle rejoigne l'entretien par téléphone",
    status: dialInStatus,
    place: async (interviewId) => unwrap(await api().POST("/interviews/{interviewId}/meeting/dial-in", { params: { path: { interviewId } } })),
  },
};

export function CallPanel({ interview, seekerName, kind = "call" }: { interview: Interview; seekerName: string; kind?: CallKind }) {
  const { label, status, place } = KINDS[kind];
  const [callId, setCallId] = useState<string | null>(null);
  // Every call frame by call id: the first `ringing` may arrive before the API's answer.
  const [frames, setFrames] = useState<Record<string, CallFrame>>({});
  const connection = useLiveFrames((frame) => {
    if (frame?.type === "call" && frame.interviewId === interview.interviewId) setFrames((all) => ({ ...all, [frame.callId]: frame }));
  });
  const start = useMutation({
    mutationFn: () => place(interview.interviewId),
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
        {callId !== null && <p>{status(frame, seekerName)}</p>}
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
          {label}
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

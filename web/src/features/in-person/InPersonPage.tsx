import Button from "@codegouvfr/react-dsfr/Button";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { Input } from "@codegouvfr/react-dsfr/Input";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { api, unwrap, type Schemas } from "../../lib/api/client";
import { frenchMessage } from "../../lib/api/errors";
import { parisDateTime } from "../../lib/time";
import { useMe } from "../../app/useMe";
import { useTitle } from "../../app/useTitle";
import { queryClient } from "../../app/queryClient";
import { Loading } from "../../app/Loading";

type Request = { requestId: string; askedAt: string; reason?: string; status: "open" | "accepted" | "declined"; answeredAt?: string; message?: string; interviewId?: string };

/**
 * My in-person requests, rebuilt from the journal (its in_person_* entries): the API has no
 * seeker-side list of requests, and the journal is where their answers are recorded.
 */
function useRequests(seekerId: string) {
  return useQuery({
    queryKey: ["journal-requests", seekerId],
    queryFn: async () => {
      const body = unwrap(await api().GET("/seekers/{seekerId}/journal", { params: { path: { seekerId }, query: { limit: 200 } } }));
      const byId = new Map<string, Request>();
      for (const e of [...body.items].reverse()) {
        const d = e.details as Record<string, unknown>;
        const id = typeof d.requestId === "string" ? d.requestId : null;
        if (!id) continue;
        if (e.kind === "in_person_requested") {
          byId.set(id, { requestId: id, askedAt: e.at, reason: typeof d.reason === "string" ? d.reason : undefined, status: "open" });
        } else if (e.kind === "in_person_accepted" || e.kind === "in_person_declined") {
          const r = byId.get(id) ?? { requestId: id, askedAt: e.at, status: "open" as const };
          r.status = e.kind === "in_person_accepted" ? "accepted" : "declined";
          r.answeredAt = e.at;
          if (typeof d.message === "string") r.message = d.message;
          if (typeof d.interviewId === "string") r.interviewId = d.interviewId;
          byId.set(id, r);
        }
      }
      return [...byId.values()].reverse();
    },
  });
}

export default function InPersonPage() {
  useTitle("Demander un entretien sur place");
  const me = useMe().data!;
  const requests = useRequests(me.seekerId);
  const [reason, setReason] = useState("");
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [created, setCreated] = useState<Schemas["InPersonRequest"] | null>(null);
  const ask = useMutation({
    mutationFn: async () => unwrap(await api().POST("/seekers/me/in-person-requests", { body: { reason: reason.trim() } })),
    onSuccess: async (r) => {
      setCreated(r);
      setReason("");
      await queryClient.invalidateQueries({ queryKey: ["journal-requests"] });
    },
    onError: (e) => setFieldError(frenchMessage(e)),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setCreated(null);
    if (!reason.trim()) {
      setFieldError("Expliquez en quelques mots pourquoi vous souhaitez un entretien sur place.");
      return;
    }
    if (reason.trim().length > 1000) {
      setFieldError("Votre texte dépasse 1 000 caractères : raccourcissez-le.");
      return;
    }
    setFieldError(null);
    ask.mutate();
  };
  const open = requests.data?.find((r) => r.status === "open");
  return (
    <>
      <h1 className="fr-mt-4w">Demander un entretien sur place</h1>
      <p>Votre conseiller ou conseillère lit votre demande et vous répond : soit un rendez-vous en agence, soit un message.</p>
      <div aria-live="polite">
        {created && <Alert severity="success" small className="fr-mb-3w" description="Votre demande est envoyée. Vous recevrez la réponse par courriel et sur cette page." />}
      </div>
      {!open && (
        <form onSubmit={submit} noValidate>
          <Input
            label="Pourquoi souhaitez-vous un entretien sur place ?"
            hintText="1 000 caractères au plus."
            textArea
            state={fieldError ? "error" : "default"}
            stateRelatedMessage={fieldError ?? undefined}
            nativeTextAreaProps={{ value: reason, onChange: (e) => setReason(e.target.value), maxLength: 1000, rows: 4 }}
          />
          <Button type="submit" disabled={ask.isPending}>
            Envoyer ma demande
          </Button>
        </form>
      )}
      <h2 className="fr-h4 fr-mt-4w">Mes demandes</h2>
      {requests.isPending ? (
        <Loading />
      ) : requests.error ? (
        <Alert severity="error" small description={frenchMessage(requests.error)} />
      ) : requests.data.length === 0 ? (
        <p>Aucune demande pour l'instant.</p>
      ) : (
        <ul className="fr-raw-list">
          {requests.data.map((r) => (
            <li key={r.requestId} className="fr-mb-3w">
              <strong>Demande du {parisDateTime(r.askedAt)}</strong> :{" "}
              {r.status === "open" ? "en attente de réponse" : r.status === "accepted" ? "acceptée" : "refusée"}
              {r.reason && <span className="app-meta">Votre motif : « {r.reason} »</span>}
              {r.message && <span style={{ display: "block" }}>Réponse de votre conseiller ou conseillère : « {r.message} »</span>}
              {r.interviewId && (
                <span style={{ display: "block" }}>
                  <Link to={`/rendez-vous/${r.interviewId}`}>Voir le rendez-vous en agence</Link>
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

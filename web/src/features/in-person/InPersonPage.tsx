import Button from "@codegouvfr/react-dsfr/Button";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { Input } from "@codegouvfr/react-dsfr/Input";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link } from "../../lib/router";
import { api, unwrap, type Schemas } from "../../lib/api/client";
import { frenchMessage } from "../../lib/api/errors";
import { parisDateTime } from "../../lib/time";
import { useTitle } from "../../app/useTitle";
import { queryClient } from "../../app/queryClient";
import { Loading } from "../../app/Loading";

/** My requests, newest first, with the advisor's answer (GET /seekers/me/in-person-requests). */
function useRequests() {
  return useQuery({
    queryKey: ["in-person-requests"],
    // Always asked again on opening the page: the answer may have come meanwhile.
    refetchOnMount: "always",
    queryFn: async () => unwrap(await api().GET("/seekers/me/in-person-requests", { params: { query: { limit: 20 } } })).items,
  });
}

export default function InPersonPage() {
  useTitle("Demander un entretien sur place");
  const requests = useRequests();
  const [reason, setReason] = useState("");
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [created, setCreated] = useState<Schemas["InPersonRequest"] | null>(null);
  const ask = useMutation({
    mutationFn: async () => unwrap(await api().POST("/seekers/me/in-person-requests", { body: { reason: reason.trim() } })),
    onSuccess: async (r) => {
      setCreated(r);
      setReason("");
      await queryClient.invalidateQueries({ queryKey: ["in-person-requests"] });
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
              <strong>Demande du {parisDateTime(r.createdAt)}</strong> :{" "}
              {r.status === "open" ? "en attente de réponse" : r.status === "accepted" ? "acceptée" : "refusée"}
              <span className="app-meta">Votre motif : « {r.reason} »</span>
              {r.answeredAt && <span className="app-meta">Réponse du {parisDateTime(r.answeredAt)}</span>}
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

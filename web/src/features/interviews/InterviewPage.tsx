import Button from "@codegouvfr/react-dsfr/Button";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { Badge } from "@codegouvfr/react-dsfr/Badge";
import { Input } from "@codegouvfr/react-dsfr/Input";
import { CallOut } from "@codegouvfr/react-dsfr/CallOut";
import { useMutation } from "@tanstack/react-query";
import { useRef, useState, type FormEvent } from "react";
import { Link, useParams } from "../../lib/router";
import { api, unwrap, type Schemas } from "../../lib/api/client";
import { frenchMessage } from "../../lib/api/errors";
import { CHANNEL_LABEL, STATUS_LABEL, STATUS_SEVERITY } from "../../lib/labels";
import { parisDateTime } from "../../lib/time";
import { useMe } from "../../app/useMe";
import { useTitle } from "../../app/useTitle";
import { queryClient } from "../../app/queryClient";
import { Loading } from "../../app/Loading";
import { useInterview } from "./queries";
import { interviewIcs } from "./ics";
import { whoCallsForSeeker } from "../../lib/phone";

/** The consequences of a missed convocation, said before it is acknowledged. */
export const MANDATORY_WORDING =
  "Votre présence à ce rendez-vous est obligatoire. Si vous ne vous présentez pas sans motif légitime, votre absence sera enregistrée et peut entraîner la suspension de vos droits ou votre radiation de la liste des demandeurs d'emploi. Si vous ne pouvez pas venir, prévenez votre conseiller ou conseillère au plus tôt, par la messagerie, avec un justificatif.";

export function InterviewPage() {
  const { interviewId = "" } = useParams();
  useTitle("Détail du rendez-vous");
  const query = useInterview(interviewId);
  const me = useMe().data!;
  if (query.isPending) return <Loading />;
  if (!query.data) return <Alert small className="fr-mt-4w" severity="error" description={frenchMessage(query.error)} />;
  return <Detail interview={query.data} advisor={me.advisor ? `${me.advisor.firstName} ${me.advisor.lastName}` : null} />;
}

function update(interview: Schemas["Interview"]) {
  queryClient.setQueryData(["interview", interview.interviewId], interview);
  void queryClient.invalidateQueries({ queryKey: ["interviews"] });
}

function Detail({ interview: i, advisor }: { interview: Schemas["Interview"]; advisor: string | null }) {
  const booked = i.status === "booked";
  const future = new Date(i.start).getTime() > Date.now();
  const downloadIcs = () => {
    const blob = new Blob([interviewIcs(i, advisor)], { type: "text/calendar;charset=utf-8" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = `rendez-vous-${i.start.slice(0, 10)}.ics`;
    a.click();
    URL.revokeObjectURL(a.href);
  };
  return (
    <>
      <h1 className="fr-mt-4w">
        Rendez-vous du {parisDateTime(i.start)}
      </h1>
      <p>
        <Badge severity={STATUS_SEVERITY[i.status]}>{STATUS_LABEL[i.status]}</Badge>{" "}
        {i.mandatory && <Badge severity="warning">Convocation obligatoire</Badge>}
      </p>
      <dl>
        <dt className="fr-text--bold">Moyen</dt>
        <dd>{CHANNEL_LABEL[i.channel]}</dd>
        <dt className="fr-text--bold">Heure (heure de Paris)</dt>
        <dd>
          {parisDateTime(i.start)}, {i.durationMinutes} minutes
        </dd>
        {advisor && (
          <>
            <dt className="fr-text--bold">Avec</dt>
            <dd>{advisor}</dd>
          </>
        )}
        <dt className="fr-text--bold">Comment se passe l'entretien</dt>
        <dd>
          {i.channel === "in_person" && <>À l'adresse : {i.location ?? "l'agence vous précisera l'adresse"}.</>}
          {i.channel === "phone" && (
            <>
              {whoCallsForSeeker(i.phone)}.{i.phone?.caller === "seeker" ? "" : " Vous n'avez pas à appeler."}
            </>
          )}
          {i.channel === "video" && <>En visioconférence sur ce site : la salle ouvre 15 minutes avant l'heure.</>}
          {i.channel === "chat" && <>Par la messagerie écrite de ce site, à l'heure du rendez-vous.</>}
        </dd>
        {i.cancelReason && (
          <>
            <dt className="fr-text--bold">Motif de l'annulation</dt>
            <dd>{i.cancelReason}</dd>
          </>
        )}
      </dl>
      {i.mandatory && booked && <Acknowledge interview={i} />}
      <ul className="fr-btns-group fr-btns-group--inline-md fr-mt-3w">
        {booked && i.channel === "video" && (
          <li>
            <Link className="fr-btn" to={`/rendez-vous/${i.interviewId}/video`}>
              Rejoindre la visioconférence
            </Link>
          </li>
        )}
        <li>
          <Button priority="secondary" iconId="fr-icon-calendar-line" onClick={downloadIcs}>
            Ajouter à mon agenda (.ics)
          </Button>
        </li>
        {booked && future && !i.mandatory && (
          <li>
            <Link className="fr-btn fr-btn--secondary" to={`/rendez-vous/prendre?deplacer=${i.interviewId}`}>
              Déplacer
            </Link>
          </li>
        )}
      </ul>
      {booked && future && !i.mandatory && <Cancel interview={i} />}
      {booked && i.mandatory && (
        <p>Ce rendez-vous obligatoire ne peut être ni annulé ni déplacé en ligne. En cas d'empêchement, écrivez à votre conseiller ou conseillère.</p>
      )}
      <p className="fr-mt-4w">
        <Link className="fr-link" to="/rendez-vous">
          Tous mes rendez-vous
        </Link>
      </p>
    </>
  );
}

function Acknowledge({ interview: i }: { interview: Schemas["Interview"] }) {
  const ack = useMutation({
    mutationFn: async () =>
      unwrap(await api().POST("/interviews/{interviewId}/acknowledge", { params: { path: { interviewId: i.interviewId } } })),
    onSuccess: update,
  });
  return (
    <CallOut title="Convocation" className="fr-mt-3w">
      <span>{MANDATORY_WORDING}</span>
      {(i.convocation?.version ?? 1) > 1 && (
        <span className="fr-mt-2w" style={{ display: "block" }}>
          Ce rendez-vous a été déplacé : cette convocation remplace la précédente. Merci d'en accuser réception à nouveau.
        </span>
      )}
      <span className="fr-mt-2w" style={{ display: "block" }} aria-live="polite">
        {i.acknowledgedAt ? (
          <strong>Vous avez accusé réception de cette convocation le {parisDateTime(i.acknowledgedAt)}.</strong>
        ) : (
          <>
            <Button onClick={() => ack.mutate()} disabled={ack.isPending}>
              J'ai pris connaissance de cette convocation
            </Button>
            {ack.error && (
              <span className="fr-error-text" role="alert">
                {frenchMessage(ack.error)}
              </span>
            )}
          </>
        )}
      </span>
    </CallOut>
  );
}

function Cancel({ interview: i }: { interview: Schemas["Interview"] }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [fieldError, setFieldError] = useState<string | null>(null);
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  const cancel = useMutation({
    mutationFn: async () =>
      unwrap(
        await api().POST("/interviews/{interviewId}/cancel", {
          params: { path: { interviewId: i.interviewId } },
          body: { reason: reason.trim() },
        }),
      ),
    onSuccess: (interview) => {
      update(interview);
      void queryClient.invalidateQueries({ queryKey: ["slots"] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!reason.trim()) {
      setFieldError("Indiquez en quelques mots pourquoi vous annulez.");
      reasonRef.current?.focus();
      return;
    }
    setFieldError(null);
    cancel.mutate();
  };
  if (!open) {
    return (
      <Button
        priority="tertiary"
        onClick={() => {
          setOpen(true);
          queueMicrotask(() => reasonRef.current?.focus());
        }}
      >
        Annuler ce rendez-vous
      </Button>
    );
  }
  return (
    <form onSubmit={submit} noValidate className="fr-mt-3w" aria-label="Annuler le rendez-vous">
      <Input
        label="Pourquoi annulez-vous ?"
        hintText="Votre conseiller ou conseillère le lira. Le créneau sera libéré."
        textArea
        state={fieldError || cancel.error ? "error" : "default"}
        stateRelatedMessage={fieldError ?? (cancel.error ? frenchMessage(cancel.error) : undefined)}
        nativeTextAreaProps={{ value: reason, onChange: (e) => setReason(e.target.value), maxLength: 500, ref: reasonRef }}
      />
      <ul className="fr-btns-group fr-btns-group--inline-md">
        <li>
          <Button type="submit" disabled={cancel.isPending}>
            Confirmer l'annulation
          </Button>
        </li>
        <li>
          <Button priority="secondary" onClick={() => setOpen(false)}>
            Garder le rendez-vous
          </Button>
        </li>
      </ul>
    </form>
  );
}

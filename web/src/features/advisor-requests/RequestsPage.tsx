import Button from "@codegouvfr/react-dsfr/Button";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { Input } from "@codegouvfr/react-dsfr/Input";
import { Select } from "@codegouvfr/react-dsfr/Select";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useRef, useState, type FormEvent } from "react";
import { Link } from "../../lib/router";
import { api, unwrap, type Schemas } from "../../lib/api/client";
import { frenchMessage } from "../../lib/api/errors";
import { parisDate, parisDateTime, parisDayKey, parisInstant } from "../../lib/time";
import { useTitle } from "../../app/useTitle";
import { Loading } from "../../app/Loading";
import { queryClient } from "../../app/queryClient";
import { seekerFilePath } from "../../app/staff";
import { allPages, fullName, PAGE, usePortfolio } from "../staff/queries";
import { STAFF_ERRORS } from "../staff/errors";
import "../staff/staff.css";

type Request = Schemas["InPersonRequest"];
type Answer = { kind: "accepted"; interview: Schemas["Interview"] } | { kind: "declined" };

export default function RequestsPage() {
  useTitle("Demandes d'entretien sur place");
  const requests = useQuery({
    queryKey: ["in-person-requests"],
    queryFn: () =>
      allPages<Request>(async (cursor) => unwrap(await api().GET("/advisors/me/in-person-requests", { params: { query: { limit: PAGE, cursor } } }))),
  });
  const portfolio = usePortfolio();
  // Answered on this page: kept in view with their outcome until the person leaves the page.
  const [answered, setAnswered] = useState<Record<string, { request: Request; answer: Answer }>>({});
  const nameOf = (id: string) => {
    const row = portfolio.data?.find((r) => r.seekerId === id);
    return row ? fullName(row) : "Une personne de votre portefeuille";
  };
  const open = (requests.data ?? []).filter((r) => !answered[r.requestId]);
  const done = Object.values(answered);
  return (
    <>
      <h1 className="fr-mt-4w">Demandes d'entretien sur place</h1>
      <p>Les demandes ouvertes des personnes de votre portefeuille, de la plus ancienne à la plus récente.</p>
      {done.map(({ request, answer }) => (
        <Alert
          key={request.requestId}
          className="fr-mb-2w"
          severity="success"
          small
          description={
            answer.kind === "accepted"
              ? `Demande de ${nameOf(request.seekerId)} acceptée : entretien sur place le ${parisDateTime(answer.interview.start)}, ${answer.interview.location}. La personne reçoit une invitation par courriel.`
              : `Demande de ${nameOf(request.seekerId)} refusée : la personne reçoit votre message par courriel.`
          }
        />
      ))}
      {requests.isPending ? (
        <Loading />
      ) : requests.error ? (
        <Alert severity="error" small description={frenchMessage(requests.error, STAFF_ERRORS)} />
      ) : open.length === 0 ? (
        <p>Aucune demande ouverte.</p>
      ) : (
        <ul className="fr-raw-list">
          {open.map((r) => (
            <li key={r.requestId} className="fr-mb-4w">
              <RequestCard
                request={r}
                name={nameOf(r.seekerId)}
                onAnswered={(answer) => {
                  setAnswered((a) => ({ ...a, [r.requestId]: { request: r, answer } }));
                  void queryClient.invalidateQueries({ queryKey: ["portfolio"] });
                }}
              />
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function RequestCard({ request: r, name, onAnswered }: { request: Request; name: string; onAnswered: (a: Answer) => void }) {
  const [mode, setMode] = useState<"none" | "accept" | "decline">("none");
  const headingId = `demande-${r.requestId}`;
  return (
    <section className="fr-p-3w app-dialog" style={{ maxWidth: "48rem" }} aria-labelledby={headingId}>
      <h2 id={headingId} className="fr-h5">
        <Link to={seekerFilePath(r.seekerId)}>{name}</Link>, demande du {parisDate(r.createdAt)}
      </h2>
      <p>
        Motif : « {r.reason} »
      </p>
      {mode === "none" && (
        <ul className="fr-btns-group fr-btns-group--inline-md">
          <li>
            <Button onClick={() => setMode("accept")}>Accepter et fixer le rendez-vous</Button>
          </li>
          <li>
            <Button priority="secondary" onClick={() => setMode("decline")}>
              Refuser
            </Button>
          </li>
        </ul>
      )}
      {mode === "accept" && <Accept request={r} name={name} onCancel={() => setMode("none")} onDone={onAnswered} />}
      {mode === "decline" && <Decline request={r} name={name} onCancel={() => setMode("none")} onDone={onAnswered} />}
    </section>
  );
}

const DURATIONS = [30, 45, 60, 90, 120];

function Accept({ request: r, name, onCancel, onDone }: { request: Request; name: string; onCancel: () => void; onDone: (a: Answer) => void }) {
  const [day, setDay] = useState(() => parisDayKey(new Date(Date.now() + 3 * 86_400_000).toISOString()));
  const [time, setTime] = useState("10:00");
  const [duration, setDuration] = useState(60);
  const [location, setLocation] = useState("");
  const [fieldError, setFieldError] = useState<string | null>(null);
  const accept = useMutation({
    mutationFn: async () => {
      const [h, m] = time.split(":").map(Number) as [number, number];
      return unwrap(
        await api().POST("/in-person-requests/{requestId}/accept", {
          params: { path: { requestId: r.requestId } },
          body: { start: parisInstant(day, h, m), durationMinutes: duration, location: location.trim() },
        }),
      );
    },
    onSuccess: (answer) => onDone({ kind: "accepted", interview: answer.interview }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!day || !/^\d{2}:\d{2}$/.test(time)) return setFieldError("Indiquez un jour et une heure.");
    if (!location.trim()) return setFieldError("Indiquez le lieu de l'entretien.");
    setFieldError(null);
    accept.mutate();
  };
  return (
    <form onSubmit={submit} noValidate aria-label={`Accepter la demande de ${name}`}>
      <div className="app-filters">
        <Input label="Jour" nativeInputProps={{ type: "date", value: day, onChange: (e) => setDay(e.target.value) }} />
        <Input label="Heure (Paris)" nativeInputProps={{ type: "time", step: 300, value: time, onChange: (e) => setTime(e.target.value) }} />
        <Select label="Durée" nativeSelectProps={{ value: duration, onChange: (e) => setDuration(Number(e.target.value)) }}>
          {DURATIONS.map((d) => (
            <option key={d} value={d}>
              {d} minutes
            </option>
          ))}
        </Select>
      </div>
      <Input label="Lieu" hintText="L'adresse de l'agence, écrite dans l'invitation." nativeInputProps={{ value: location, onChange: (e) => setLocation(e.target.value), maxLength: 300 }} />
      {(fieldError || accept.error) && (
        <p className="fr-error-text fr-mb-2w" role="alert">
          {fieldError ?? frenchMessage(accept.error, STAFF_ERRORS)}
        </p>
      )}
      <ul className="fr-btns-group fr-btns-group--inline-md">
        <li>
          <Button type="submit" disabled={accept.isPending}>
            Confirmer le rendez-vous
          </Button>
        </li>
        <li>
          <Button priority="secondary" onClick={onCancel}>
            Annuler
          </Button>
        </li>
      </ul>
    </form>
  );
}

function Decline({ request: r, name, onCancel, onDone }: { request: Request; name: string; onCancel: () => void; onDone: (a: Answer) => void }) {
  const [message, setMessage] = useState("");
  const [fieldError, setFieldError] = useState<string | null>(null);
  const ref = useRef<HTMLTextAreaElement>(null);
  const decline = useMutation({
    mutationFn: async () =>
      unwrap(
        await api().POST("/in-person-requests/{requestId}/decline", { params: { path: { requestId: r.requestId } }, body: { message: message.trim() } }),
      ),
    onSuccess: () => onDone({ kind: "declined" }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!message.trim()) {
      setFieldError("Écrivez à la personne pourquoi, et ce que vous lui proposez à la place.");
      ref.current?.focus();
      return;
    }
    setFieldError(null);
    decline.mutate();
  };
  return (
    <form onSubmit={submit} noValidate aria-label={`Refuser la demande de ${name}`}>
      <Input
        label="Votre message"
        hintText="Envoyé à la personne par courriel."
        textArea
        state={fieldError || decline.error ? "error" : "default"}
        stateRelatedMessage={fieldError ?? (decline.error ? frenchMessage(decline.error, STAFF_ERRORS) : undefined)}
        nativeTextAreaProps={{ value: message, onChange: (e) => setMessage(e.target.value), maxLength: 1000, ref }}
      />
      <ul className="fr-btns-group fr-btns-group--inline-md">
        <li>
          <Button type="submit" disabled={decline.isPending}>
            Envoyer le refus
          </Button>
        </li>
        <li>
          <Button priority="secondary" onClick={onCancel}>
            Annuler
          </Button>
        </li>
      </ul>
    </form>
  );
}


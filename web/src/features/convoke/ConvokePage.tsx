import Button from "@codegouvfr/react-dsfr/Button";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { Input } from "@codegouvfr/react-dsfr/Input";
import { Select } from "@codegouvfr/react-dsfr/Select";
import { RadioButtons } from "@codegouvfr/react-dsfr/RadioButtons";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { Link, useParams } from "../../lib/router";
import { api, ApiError, unwrap, type Schemas } from "../../lib/api/client";
import { frenchMessage } from "../../lib/api/errors";
import { CHANNEL_LABEL, CHANNELS } from "../../lib/labels";
import { addDays, parisDateTime, parisDay, parisDayKey, parisHour, parisInstant } from "../../lib/time";
import { useTitle } from "../../app/useTitle";
import { Loading } from "../../app/Loading";
import { queryClient } from "../../app/queryClient";
import { interviewPath, seekerFilePath } from "../../app/staff";
import { allPages, fullName, PAGE, usePortfolio, useSeeker } from "../staff/queries";
import { STAFF_ERRORS } from "../staff/errors";
import "../staff/staff.css";

type Interview = Schemas["Interview"];
type Channel = Schemas["Channel"];

/** The grid: every quarter of an hour from 08:00 to 18:45, Paris time. */
const GRID: ReadonlyArray<[number, number]> = Array.from({ length: 44 }, (_, i) => [8 + Math.floor(i / 4), (i % 4) * 15]);
const DURATIONS = [15, 30, 45, 60, 90, 120];

/** The advisor's interviews (booked ones) of one Paris day. */
export function useDayAgenda(day: string) {
  return useQuery({
    queryKey: ["agenda-day", day],
    queryFn: async () => {
      const from = parisInstant(day, 0);
      const to = parisInstant(addDays(day, 1), 0);
      const all = await allPages<Interview>(async (cursor) =>
        unwrap(await api().GET("/advisors/me/agenda", { params: { query: { from, to, limit: PAGE, cursor } } })),
      );
      return all.filter((i) => i.status === "booked");
    },
  });
}

const overlaps = (i: Interview, start: number, end: number) => new Date(i.start).getTime() < end && start < new Date(i.end).getTime();

export default function ConvokePage() {
  const { seekerId = "" } = useParams();
  const seeker = useSeeker(seekerId);
  useTitle("Convoquer à un entretien obligatoire");
  if (seeker.isPending) return <Loading />;
  if (!seeker.data) return <Alert className="fr-mt-4w" severity="error" small description={frenchMessage(seeker.error, STAFF_ERRORS)} />;
  return <Convoke seeker={seeker.data} />;
}

function Convoke({ seeker }: { seeker: Schemas["Seeker"] }) {
  const [day, setDay] = useState(() => parisDayKey(new Date(Date.now() + 2 * 86_400_000).toISOString()));
  const [time, setTime] = useState<[number, number] | null>(null);
  const [duration, setDuration] = useState(30);
  const [channel, setChannel] = useState<Channel>(seeker.preferredChannels[0] ?? "video");
  const [location, setLocation] = useState("");
  const [fieldError, setFieldError] = useState<string | null>(null);
  const agenda = useDayAgenda(day);
  const names = usePortfolio();
  const nameOf = (id: string) => {
    const row = names.data?.find((r) => r.seekerId === id);
    return row ? fullName(row) : "une personne de votre portefeuille";
  };
  const conflictRef = useRef<HTMLDivElement>(null);
  const start = time ? parisInstant(day, time[0], time[1]) : null;
  const convoke = useMutation({
    mutationFn: async () =>
      unwrap(
        await api().POST("/seekers/{seekerId}/convocations", {
          params: { path: { seekerId: seeker.seekerId } },
          body: { start: start!, durationMinutes: duration, channel, location: channel === "in_person" ? location.trim() : null },
        }),
      ),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["agenda-day"] });
      void queryClient.invalidateQueries({ queryKey: ["seeker-interviews", seeker.seekerId] });
      void queryClient.invalidateQueries({ queryKey: ["journal", seeker.seekerId] });
    },
    onError: (e) => {
      // What is in the way is in the agenda: read it again.
      if (e instanceof ApiError && e.code === "agenda_taken") void agenda.refetch();
    },
  });
  const conflict = convoke.error instanceof ApiError && convoke.error.code === "agenda_taken";
  useEffect(() => {
    if (conflict) conflictRef.current?.focus();
  }, [conflict, agenda.data]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!time) return setFieldError("Choisissez une heure sur la grille.");
    if (channel === "in_person" && !location.trim()) return setFieldError("Indiquez le lieu de l'entretien sur place.");
    setFieldError(null);
    convoke.mutate();
  };

  if (convoke.data) {
    const i = convoke.data;
    return (
      <>
        <h1 className="fr-mt-4w">Convocation envoyée</h1>
        <Alert
          severity="success"
          title={`${fullName(seeker)} est convoqué ou convoquée le ${parisDateTime(i.start)}`}
          description={`${CHANNEL_LABEL[i.channel]}, ${i.durationMinutes} minutes${i.location ? `, ${i.location}` : ""}. La personne reçoit la convocation par courriel et doit en accuser réception.`}
        />
        <ul className="fr-btns-group fr-btns-group--inline-md fr-mt-3w">
          <li>
            <Link className="fr-btn" to={seekerFilePath(seeker.seekerId)}>
              Retour au dossier
            </Link>
          </li>
          <li>
            <Link className="fr-btn fr-btn--secondary" to={interviewPath(i.interviewId)}>
              Voir l'entretien
            </Link>
          </li>
        </ul>
      </>
    );
  }

  const busy = agenda.data ?? [];
  const startMs = start ? new Date(start).getTime() : 0;
  const inTheWay = conflict ? busy.filter((i) => overlaps(i, startMs, startMs + duration * 60_000)) : [];
  return (
    <>
      <p className="fr-mt-3w fr-mb-0">
        <Link className="fr-link" to={seekerFilePath(seeker.seekerId)}>
          Dossier de {fullName(seeker)}
        </Link>
      </p>
      <h1 className="fr-mt-2w">Convoquer {fullName(seeker)} à un entretien obligatoire</h1>
      <p>
        La présence est obligatoire : la personne ne peut ni annuler ni déplacer ce rendez-vous. Heures de Paris. Au moins 24 heures à
        l'avance.
      </p>
      <form onSubmit={submit} noValidate aria-label="Convocation">
        <Input
          label="Jour"
          nativeInputProps={{
            type: "date",
            value: day,
            min: parisDayKey(new Date().toISOString()),
            onChange: (e) => {
              if (e.target.value) setDay(e.target.value);
              setTime(null);
              convoke.reset();
            },
          }}
        />
        <fieldset className="fr-fieldset" aria-labelledby="heure-legende">
          <legend id="heure-legende" className="fr-fieldset__legend">
            Heure, le {parisDay(parisInstant(day, 12))}
          </legend>
          {agenda.isPending ? (
            <Loading label="Chargement de votre agenda…" />
          ) : (
            <ul className="app-grid-times">
              {GRID.map(([h, m]) => {
                const at = new Date(parisInstant(day, h, m)).getTime();
                const taken = busy.some((i) => overlaps(i, at, at + 1));
                const label = `${String(h).padStart(2, "0")} h ${String(m).padStart(2, "0")}`;
                const pressed = time?.[0] === h && time?.[1] === m;
                return (
                  <li key={label}>
                    <Button
                      type="button"
                      size="small"
                      priority="secondary"
                      disabled={taken}
                      aria-pressed={pressed}
                      title={taken ? `${label} : déjà un entretien` : undefined}
                      onClick={() => {
                        setTime([h, m]);
                        convoke.reset();
                      }}
                    >
                      {label}
                      {taken && <span className="fr-sr-only"> (déjà un entretien)</span>}
                    </Button>
                  </li>
                );
              })}
            </ul>
          )}
          {busy.length > 0 && (
            <p className="fr-text--sm fr-mb-0">
              Déjà ce jour-là :{" "}
              {busy.map((i) => `${parisHour(i.start)} – ${parisHour(i.end)} (${nameOf(i.seekerId)})`).join(" ; ")}.
            </p>
          )}
        </fieldset>
        <Select label="Durée" nativeSelectProps={{ value: duration, onChange: (e) => setDuration(Number(e.target.value)) }}>
          {DURATIONS.map((d) => (
            <option key={d} value={d}>
              {d} minutes
            </option>
          ))}
        </Select>
        <RadioButtons
          legend="Moyen"
          name="channel"
          options={CHANNELS.map((c) => ({
            label: CHANNEL_LABEL[c],
            hintText: c === "phone" && !seeker.phone ? "Cette personne n'a pas de numéro de téléphone." : undefined,
            nativeInputProps: { value: c, checked: channel === c, onChange: () => setChannel(c) },
          }))}
        />
        {channel === "in_person" && (
          <Input
            label="Lieu"
            hintText="L'adresse de l'agence, écrite dans la convocation."
            nativeInputProps={{ value: location, onChange: (e) => setLocation(e.target.value), maxLength: 300, autoComplete: "street-address" }}
          />
        )}
        {conflict && (
          <div ref={conflictRef} tabIndex={-1} className="fr-mb-3w">
            <Alert
              severity="error"
              title="Cet horaire chevauche un autre entretien"
              description={
                inTheWay.length > 0
                  ? `Sur votre agenda : ${inTheWay
                      .map((i) => `entretien avec ${nameOf(i.seekerId)} de ${parisHour(i.start)} à ${parisHour(i.end)} (${CHANNEL_LABEL[i.channel].toLowerCase()})`)
                      .join(" ; ")}. Choisissez une autre heure ou une durée plus courte.`
                  : "Un entretien vient d'être pris sur cet horaire. Choisissez une autre heure."
              }
            />
          </div>
        )}
        {(fieldError || (convoke.error && !conflict)) && (
          <p className="fr-error-text fr-mb-2w" role="alert">
            {fieldError ?? frenchMessage(convoke.error, STAFF_ERRORS)}
          </p>
        )}
        <Button type="submit" disabled={convoke.isPending}>
          Envoyer la convocation
        </Button>
      </form>
    </>
  );
}

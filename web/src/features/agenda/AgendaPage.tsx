import Button from "@codegouvfr/react-dsfr/Button";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { Input } from "@codegouvfr/react-dsfr/Input";
import { Select } from "@codegouvfr/react-dsfr/Select";
import { Checkbox } from "@codegouvfr/react-dsfr/Checkbox";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useRef, useState, type FormEvent } from "react";
import { Link, useSearchParams } from "../../lib/router";
import { api, unwrap, type Schemas } from "../../lib/api/client";
import { frenchMessage } from "../../lib/api/errors";
import { CHANNEL_LABEL, CHANNELS, STATUS_LABEL } from "../../lib/labels";
import { addDays, mondayOf, parisDate, parisDateTime, parisDay, parisDayKey, parisHour, parisInstant, parisMinutes } from "../../lib/time";
import { useTitle } from "../../app/useTitle";
import { Loading } from "../../app/Loading";
import { queryClient } from "../../app/queryClient";
import { interviewPath } from "../../app/staff";
import { allPages, fullName, PAGE, usePortfolio } from "../staff/queries";
import { STAFF_ERRORS } from "../staff/errors";
import "../staff/staff.css";

type Slot = Schemas["Slot"];
type Interview = Schemas["Interview"];
type Channel = Schemas["Channel"];

/** The hours the grid draws, Paris time; anything earlier or later sits at its edge. */
const FIRST_HOUR = 7;
const LAST_HOUR = 20;
const HOUR_PX = 48;

function useWeek(monday: string) {
  return useQuery({
    queryKey: ["week", monday],
    queryFn: async () => {
      const from = parisInstant(monday, 0);
      const to = parisInstant(addDays(monday, 7), 0);
      const [slots, interviews] = await Promise.all([
        allPages<Slot>(async (cursor) => unwrap(await api().GET("/advisors/me/slots", { params: { query: { from, to, limit: PAGE, cursor } } }))),
        allPages<Interview>(async (cursor) =>
          unwrap(await api().GET("/advisors/me/agenda", { params: { query: { from, to, limit: PAGE, cursor } } })),
        ),
      ]);
      return { slots, interviews };
    },
  });
}

export default function AgendaPage() {
  const [params] = useSearchParams();
  const today = parisDayKey(new Date().toISOString());
  const asked = params.get("semaine");
  const monday = mondayOf(asked && /^\d{4}-\d{2}-\d{2}$/.test(asked) ? asked : today);
  const sunday = addDays(monday, 6);
  useTitle(`Agenda, semaine du ${parisDate(parisInstant(monday, 12))}`);
  const week = useWeek(monday);
  const [selected, setSelected] = useState<Slot | null>(null);
  return (
    <>
      <h1 className="fr-mt-4w">Agenda</h1>
      <p>
        Semaine du {parisDay(parisInstant(monday, 12))} au {parisDate(parisInstant(sunday, 12))}, heures de Paris.
      </p>
      <nav aria-label="Semaines" className="fr-mb-2w">
        <ul className="fr-btns-group fr-btns-group--inline fr-btns-group--sm">
          <li>
            <Link className="fr-btn fr-btn--secondary fr-btn--sm" to={`/conseiller/agenda?semaine=${addDays(monday, -7)}`}>
              Semaine précédente
            </Link>
          </li>
          <li>
            <Link className="fr-btn fr-btn--tertiary fr-btn--sm" to="/conseiller/agenda">
              Cette semaine
            </Link>
          </li>
          <li>
            <Link className="fr-btn fr-btn--secondary fr-btn--sm" to={`/conseiller/agenda?semaine=${addDays(monday, 7)}`}>
              Semaine suivante
            </Link>
          </li>
        </ul>
      </nav>
      {week.isPending ? (
        <Loading />
      ) : week.error ? (
        <Alert severity="error" small description={frenchMessage(week.error, STAFF_ERRORS)} />
      ) : (
        <>
          <Week monday={monday} slots={week.data.slots} interviews={week.data.interviews} onSelect={setSelected} />
          {selected && <SlotDetail slot={selected} onDone={() => setSelected(null)} />}
        </>
      )}
      <CreateSlots defaultDay={monday < today ? addDays(today, 2) : addDays(monday, 1)} />
    </>
  );
}

function top(iso: string): number {
  const minutes = Math.min(Math.max(parisMinutes(iso), FIRST_HOUR * 60), LAST_HOUR * 60);
  return ((minutes - FIRST_HOUR * 60) / 60) * HOUR_PX;
}

function Week({
  monday,
  slots,
  interviews,
  onSelect,
}: {
  monday: string;
  slots: Slot[];
  interviews: Interview[];
  onSelect: (s: Slot) => void;
}) {
  const portfolio = usePortfolio();
  const nameOf = (id: string) => {
    const row = portfolio.data?.find((r) => r.seekerId === id);
    return row ? fullName(row) : "une personne qui n'est plus dans votre portefeuille";
  };
  const days = Array.from({ length: 7 }, (_, i) => addDays(monday, i));
  const height = (LAST_HOUR - FIRST_HOUR) * HOUR_PX;
  return (
    <div className="app-table-scroll" tabIndex={0} role="region" aria-label="Semaine de l'agenda">
      <div className="app-week">
        <div aria-hidden="true">
          <div className="app-week-head">&nbsp;</div>
          <div className="app-week-hours" style={{ height }}>
            {Array.from({ length: LAST_HOUR - FIRST_HOUR }, (_, i) => (
              <span key={i} className="app-week-hour" style={{ top: i * HOUR_PX }}>
                {FIRST_HOUR + i} h
              </span>
            ))}
          </div>
        </div>
        {days.map((day) => {
          const daySlots = slots.filter((s) => s.state === "open" && parisDayKey(s.start) === day);
          const dayInterviews = interviews.filter((i) => parisDayKey(i.start) === day);
          const count = daySlots.length + dayInterviews.length;
          return (
            <section key={day} className="app-week-day">
              <h2 className="app-week-head fr-text--md fr-mb-0">{parisDay(parisInstant(day, 12))}</h2>
              <ul className="fr-raw-list" style={{ position: "relative", height }} aria-label={`${parisDay(parisInstant(day, 12))} : ${count === 0 ? "rien" : `${count} entretiens et créneaux libres`}`}>
                {dayInterviews.map((i) => (
                  <li
                    key={i.interviewId}
                    className={`app-week-item ${i.status === "cancelled" ? "app-cancelled" : "app-interview"}`}
                    style={{ top: top(i.start), height: Math.max(HOUR_PX / 2, (i.durationMinutes / 60) * HOUR_PX) }}
                  >
                    <Link to={interviewPath(i.interviewId)}>
                      {parisHour(i.start)} – {parisHour(i.end)} {nameOf(i.seekerId)}
                    </Link>
                    <span className="fr-sr-only">
                      , {CHANNEL_LABEL[i.channel].toLowerCase()}
                      {i.mandatory ? ", convocation" : ""}, {STATUS_LABEL[i.status].toLowerCase()}
                    </span>
                  </li>
                ))}
                {daySlots.map((s) => (
                  <li key={s.slotId} className="app-week-item app-open" style={{ top: top(s.start), height: Math.max(HOUR_PX / 2, (s.durationMinutes / 60) * HOUR_PX) }}>
                    <button type="button" className="fr-link fr-text--xs" onClick={() => onSelect(s)}>
                      {parisHour(s.start)} créneau libre
                      <span className="fr-sr-only">
                        {" "}
                        jusqu'à {parisHour(s.end)}, {s.channels.map((c) => CHANNEL_LABEL[c].toLowerCase()).join(", ")}
                      </span>
                    </button>
                  </li>
                ))}
              </ul>
            </section>
          );
        })}
      </div>
    </div>
  );
}

function SlotDetail({ slot, onDone }: { slot: Slot; onDone: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  const remove = useMutation({
    mutationFn: async () => unwrap(await api().DELETE("/advisors/me/slots/{slotId}", { params: { path: { slotId: slot.slotId } } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["week"] });
      onDone();
    },
    onError: () => void queryClient.invalidateQueries({ queryKey: ["week"] }),
  });
  return (
    <div ref={ref} className="fr-mt-3w fr-p-3w app-dialog" role="region" aria-label="Créneau choisi" style={{ maxWidth: "40rem" }}>
      <h2 className="fr-h5">Créneau libre du {parisDateTime(slot.start)}</h2>
      <p>
        {slot.durationMinutes} minutes ; moyens proposés : {slot.channels.map((c) => CHANNEL_LABEL[c].toLowerCase()).join(", ")}. Personne ne
        l'a encore réservé.
      </p>
      {remove.error && (
        <p className="fr-error-text" role="alert">
          {frenchMessage(remove.error, STAFF_ERRORS)}
        </p>
      )}
      <ul className="fr-btns-group fr-btns-group--inline-md">
        <li>
          <Button onClick={() => remove.mutate()} disabled={remove.isPending}>
            Supprimer ce créneau
          </Button>
        </li>
        <li>
          <Button priority="secondary" onClick={onDone}>
            Fermer
          </Button>
        </li>
      </ul>
    </div>
  );
}

const DURATIONS = [15, 20, 30, 45, 60, 90];

function CreateSlots({ defaultDay }: { defaultDay: string }) {
  const [day, setDay] = useState(defaultDay);
  const [time, setTime] = useState("09:30");
  const [duration, setDuration] = useState(30);
  const [channels, setChannels] = useState<Channel[]>(["video", "phone"]);
  const [weeks, setWeeks] = useState("1");
  const [fieldError, setFieldError] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: async () => {
      const [h, m] = time.split(":").map(Number) as [number, number];
      return unwrap(
        await api().POST("/advisors/me/slots", {
          body: { start: parisInstant(day, h, m), durationMinutes: duration, channels, repeatWeeks: Number(weeks) },
        }),
      );
    },
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ["week"] }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!day || !/^\d{2}:\d{2}$/.test(time)) return setFieldError("Indiquez un jour et une heure.");
    if (channels.length === 0) return setFieldError("Choisissez au moins un moyen d'entretien.");
    const n = Number(weeks);
    if (!Number.isInteger(n) || n < 1 || n > 26) return setFieldError("Répétez de 1 à 26 semaines.");
    setFieldError(null);
    create.mutate();
  };
  return (
    <section className="fr-mt-6w" aria-labelledby="nouveaux-creneaux">
      <h2 id="nouveaux-creneaux" className="fr-h4">
        Publier des créneaux
      </h2>
      <p>Les personnes de votre portefeuille les réservent elles-mêmes. Une répétition garde la même heure de Paris chaque semaine, changement d'heure compris.</p>
      {create.data && (
        <Alert
          severity="success"
          small
          className="fr-mb-2w"
          description={`${create.data.items.length} créneau${create.data.items.length > 1 ? "x" : ""} publié${create.data.items.length > 1 ? "s" : ""}, le premier le ${parisDateTime(create.data.items[0]!.start)}${create.data.items.length > 1 ? `, le dernier le ${parisDateTime(create.data.items[create.data.items.length - 1]!.start)}` : ""}.`}
        />
      )}
      <form onSubmit={submit} noValidate aria-label="Publier des créneaux">
        <div className="app-filters">
          <Input label="Jour" nativeInputProps={{ type: "date", value: day, onChange: (e) => setDay(e.target.value) }} />
          <Input label="Heure de début" hintText="Minutes multiples de 5" nativeInputProps={{ type: "time", step: 300, value: time, onChange: (e) => setTime(e.target.value) }} />
          <Select label="Durée" nativeSelectProps={{ value: duration, onChange: (e) => setDuration(Number(e.target.value)) }}>
            {DURATIONS.map((d) => (
              <option key={d} value={d}>
                {d} minutes
              </option>
            ))}
          </Select>
          <Input
            label="Nombre de semaines"
            hintText="1 : ce jour seulement ; jusqu'à 26"
            nativeInputProps={{ type: "number", min: 1, max: 26, value: weeks, onChange: (e) => setWeeks(e.target.value) }}
          />
        </div>
        <Checkbox
          legend="Moyens proposés"
          orientation="horizontal"
          options={CHANNELS.map((c) => ({
            label: CHANNEL_LABEL[c],
            nativeInputProps: {
              checked: channels.includes(c),
              onChange: (e) => setChannels(e.target.checked ? [...channels, c] : channels.filter((x) => x !== c)),
            },
          }))}
        />
        {(fieldError || create.error) && (
          <p className="fr-error-text fr-mb-2w" role="alert">
            {fieldError ?? frenchMessage(create.error, STAFF_ERRORS)}
          </p>
        )}
        <Button type="submit" disabled={create.isPending}>
          Publier
        </Button>
      </form>
    </section>
  );
}

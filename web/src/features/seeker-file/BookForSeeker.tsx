import Button from "@codegouvfr/react-dsfr/Button";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { RadioButtons } from "@codegouvfr/react-dsfr/RadioButtons";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link } from "../../lib/router";
import { api, ApiError, unwrap, type Schemas } from "../../lib/api/client";
import { frenchMessage } from "../../lib/api/errors";
import { CHANNEL_LABEL } from "../../lib/labels";
import { parisDateTime, parisDay, parisDayKey, parisHour } from "../../lib/time";
import { Loading } from "../../app/Loading";
import { queryClient } from "../../app/queryClient";
import { interviewPath } from "../../app/staff";
import { allPages, fullName, PAGE } from "../staff/queries";
import { STAFF_ERRORS } from "../staff/errors";

type Slot = Schemas["Slot"];
type Channel = Schemas["Channel"];

const SLOT_ERRORS = {
  ...STAFF_ERRORS,
  slot_taken: "Ce créneau vient d'être réservé. La liste est à jour : choisissez-en un autre.",
  slot_not_found: "Ce créneau n'existe plus. La liste est à jour : choisissez-en un autre.",
  channel_not_offered: "Ce créneau ne propose pas ce moyen.",
  too_late: "Ce créneau commence trop tôt : le délai de prévenance minimum n'est pas respecté.",
  too_far_ahead: "Ce créneau est au-delà de l'horizon de réservation.",
  agenda_conflict: "Vous avez déjà un entretien à cette heure-là.",
};

/** The advisor books one of their open slots (the next 31 days) for the seeker: a usual interview, not a convocation. */
export function BookForSeeker({ seeker, onClose }: { seeker: Schemas["Seeker"]; onClose: () => void }) {
  const slots = useQuery({
    queryKey: ["open-slots"],
    queryFn: async () =>
      (await allPages<Slot>(async (cursor) => unwrap(await api().GET("/advisors/me/slots", { params: { query: { limit: PAGE, cursor } } })))).filter(
        (s) => s.state === "open",
      ),
  });
  const [slot, setSlot] = useState<Slot | null>(null);
  const [channel, setChannel] = useState<Channel | null>(null);
  const [missing, setMissing] = useState(false);
  const book = useMutation({
    mutationFn: async () =>
      unwrap(
        await api().POST("/seekers/{seekerId}/interviews", {
          params: { path: { seekerId: seeker.seekerId } },
          body: { slotId: slot!.slotId, channel: channel! },
        }),
      ),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["open-slots"] });
      void queryClient.invalidateQueries({ queryKey: ["seeker-interviews", seeker.seekerId] });
      void queryClient.invalidateQueries({ queryKey: ["journal", seeker.seekerId] });
      void queryClient.invalidateQueries({ queryKey: ["week"] });
    },
    onError: (e) => {
      if (e instanceof ApiError && (e.code === "slot_taken" || e.code === "slot_not_found")) {
        setSlot(null);
        void queryClient.invalidateQueries({ queryKey: ["open-slots"] });
      }
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!slot || !channel) return setMissing(true);
    setMissing(false);
    book.mutate();
  };
  if (book.data) {
    return (
      <Alert
        className="fr-mt-2w"
        severity="success"
        small
        description={
          <>
            Rendez-vous réservé pour {fullName(seeker)} le {parisDateTime(book.data.start)}, {CHANNEL_LABEL[book.data.channel].toLowerCase()}. La personne
            reçoit une invitation par courriel. <Link to={interviewPath(book.data.interviewId)}>Voir l'entretien</Link>
          </>
        }
      />
    );
  }
  const byDay = new Map<string, Slot[]>();
  for (const s of slots.data ?? []) byDay.set(parisDayKey(s.start), [...(byDay.get(parisDayKey(s.start)) ?? []), s]);
  return (
    <form onSubmit={submit} noValidate className="fr-mt-2w" aria-label="Réserver un de mes créneaux">
      {slots.isPending ? (
        <Loading />
      ) : slots.error ? (
        <Alert severity="error" small description={frenchMessage(slots.error, SLOT_ERRORS)} />
      ) : byDay.size === 0 ? (
        <p>
          Aucun créneau libre ces 31 prochains jours. <Link to="/conseiller/agenda">Publiez-en dans l'agenda</Link>, ou convoquez la personne.
        </p>
      ) : (
        [...byDay].map(([day, daySlots]) => (
          <fieldset key={day} className="fr-fieldset fr-mb-1w">
            <legend className="fr-fieldset__legend fr-text--md fr-mb-1w">{parisDay(daySlots[0]!.start)}</legend>
            <ul className="app-grid-times">
              {daySlots.map((s) => (
                <li key={s.slotId}>
                  <Button
                    type="button"
                    size="small"
                    priority="secondary"
                    aria-pressed={slot?.slotId === s.slotId}
                    onClick={() => {
                      setSlot(s);
                      setChannel(s.channels.length === 1 ? s.channels[0]! : null);
                      book.reset();
                    }}
                  >
                    {parisHour(s.start)}
                    <span className="fr-sr-only"> le {parisDay(s.start)}</span>
                  </Button>
                </li>
              ))}
            </ul>
          </fieldset>
        ))
      )}
      {slot && (
        <RadioButtons
          legend={`Moyen, le ${parisDateTime(slot.start)}`}
          name="book-channel"
          options={slot.channels.map((c) => ({
            label: CHANNEL_LABEL[c],
            nativeInputProps: { value: c, checked: channel === c, onChange: () => setChannel(c) },
          }))}
        />
      )}
      {(missing || book.error) && (
        <p className="fr-error-text fr-mb-2w" role="alert">
          {missing ? "Choisissez un créneau et un moyen." : frenchMessage(book.error, SLOT_ERRORS)}
        </p>
      )}
      <ul className="fr-btns-group fr-btns-group--inline-md">
        <li>
          <Button type="submit" disabled={book.isPending}>
            Réserver ce rendez-vous
          </Button>
        </li>
        <li>
          <Button priority="secondary" onClick={onClose}>
            Annuler
          </Button>
        </li>
      </ul>
    </form>
  );
}

import Button from "@codegouvfr/react-dsfr/Button";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { RadioButtons } from "@codegouvfr/react-dsfr/RadioButtons";
import { Checkbox } from "@codegouvfr/react-dsfr/Checkbox";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useMemo, useRef, useState } from "react";
import { Link, useSearchParams } from "../../lib/router";
import { api, unwrap, type Schemas } from "../../lib/api/client";
import { codeOf, frenchMessage } from "../../lib/api/errors";
import { CHANNEL_LABEL } from "../../lib/labels";
import { whoCallsForSeeker } from "../../lib/phone";
import { parisDateTime, parisDay, parisDayKey, parisHour } from "../../lib/time";
import { useMe } from "../../app/useMe";
import { useTitle } from "../../app/useTitle";
import { queryClient } from "../../app/queryClient";
import { Loading } from "../../app/Loading";
import { useInterview } from "../interviews/queries";
import { slotsQuery } from "./queries";

type Slot = Schemas["OpenSlot"];
type Channel = Schemas["Channel"];

/** Book a slot, or (with ?deplacer=<interviewId>) move an interview onto another slot. */
export function BookPage() {
  const [params] = useSearchParams();
  const moving = params.get("deplacer");
  return moving ? <Reschedule interviewId={moving} /> : <Book />;
}

function Book() {
  useTitle("Prendre rendez-vous");
  const me = useMe().data!;
  return (
    <>
      <h1 className="fr-mt-4w">Prendre rendez-vous</h1>
      {me.advisor ? (
        <SlotPicker
          intro={`Les créneaux libres de ${me.advisor.firstName} ${me.advisor.lastName}, à l'heure de Paris.`}
          onConfirm={async (slot, channel, caller) =>
            unwrap(await api().POST("/interviews", { body: { slotId: slot.slotId, channel, caller } }))
          }
        />
      ) : (
        <Alert small severity="info" description="Vous pourrez prendre rendez-vous dès qu'un conseiller ou une conseillère vous sera attribué." />
      )}
    </>
  );
}

function Reschedule({ interviewId }: { interviewId: string }) {
  useTitle("Déplacer un rendez-vous");
  const interview = useInterview(interviewId);
  if (interview.isPending) return <Loading />;
  if (!interview.data) return <Alert small className="fr-mt-4w" severity="error" description={frenchMessage(interview.error)} />;
  const current = interview.data;
  return (
    <>
      <h1 className="fr-mt-4w">Déplacer mon rendez-vous</h1>
      <p>
        Votre rendez-vous du {parisDateTime(current.start)} ({CHANNEL_LABEL[current.channel]}) sera déplacé sur le créneau choisi ; l'ancien
        créneau sera libéré.
      </p>
      <SlotPicker
        intro="Les créneaux libres qui proposent le même moyen d'entretien, à l'heure de Paris."
        onlyChannel={current.channel}
        excludeSlot={current.slotId}
        onConfirm={async (slot) =>
          unwrap(
            await api().POST("/interviews/{interviewId}/reschedule", {
              params: { path: { interviewId } },
              body: { slotId: slot.slotId },
            }),
          )
        }
      />
    </>
  );
}

function SlotPicker(props: {
  intro: string;
  onlyChannel?: Channel;
  excludeSlot?: string | null;
  onConfirm: (slot: Slot, channel: Channel, caller: Schemas["PhoneCaller"]) => Promise<Schemas["Interview"]>;
}) {
  const slots = useQuery(slotsQuery);
  const [selected, setSelected] = useState<Slot | null>(null);
  const [channel, setChannel] = useState<Channel | null>(null);
  const [callAgency, setCallAgency] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [booked, setBooked] = useState<Schemas["Interview"] | null>(null);
  const refusalRef = useRef<HTMLDivElement>(null);
  const channelsRef = useRef<HTMLDivElement>(null);

  const visible = useMemo(
    () =>
      (slots.data ?? []).filter(
        (s) => s.slotId !== props.excludeSlot && (!props.onlyChannel || s.channels.includes(props.onlyChannel)),
      ),
    [slots.data, props.onlyChannel, props.excludeSlot],
  );
  const byDay = useMemo(() => {
    const days = new Map<string, Slot[]>();
    for (const s of visible) {
      const key = parisDayKey(s.start);
      days.set(key, [...(days.get(key) ?? []), s]);
    }
    return [...days.values()];
  }, [visible]);

  const confirm = useMutation({
    mutationFn: () => {
      const chosen = props.onlyChannel ?? channel!;
      return props.onConfirm(selected!, chosen, chosen === "phone" && callAgency ? "seeker" : "advisor");
    },
    onSuccess: async (interview) => {
      setBooked(interview);
      await queryClient.invalidateQueries({ queryKey: ["interviews"] });
      queryClient.removeQueries({ queryKey: ["slots"] });
      queryClient.setQueryData(["interview", interview.interviewId], interview);
    },
    onError: async (error) => {
      setRefusal(frenchMessage(error));
      const code = codeOf(error);
      if (["slot_taken", "slot_not_found", "agenda_conflict", "too_late", "too_far_ahead"].includes(code)) {
        setSelected(null);
        setChannel(null);
        await queryClient.invalidateQueries({ queryKey: ["slots"] });
      }
      refusalRef.current?.focus();
    },
  });

  if (booked) {
    return (
      <div ref={(el) => el?.focus()} tabIndex={-1}>
        <Alert
          severity="success"
          title="Votre rendez-vous est confirmé"
          description={`${parisDateTime(booked.start)} — ${CHANNEL_LABEL[booked.channel]}.${booked.channel === "phone" ? ` ${whoCallsForSeeker(booked.phone)}.` : ""} Vous allez recevoir une invitation par courriel.`}
        />
        <p className="fr-mt-3w">
          <Link className="fr-link" to={`/rendez-vous/${booked.interviewId}`}>
            Voir le rendez-vous
          </Link>
        </p>
      </div>
    );
  }

  const choose = (slot: Slot) => {
    setSelected(slot);
    setRefusal(null);
    setChannel(slot.channels.length === 1 ? slot.channels[0]! : null);
    queueMicrotask(() => channelsRef.current?.querySelector<HTMLElement>("input, button")?.focus());
  };

  return (
    <>
      <p>{props.intro}</p>
      <div ref={refusalRef} tabIndex={-1} aria-live="assertive">
        {refusal && <Alert severity="warning" small className="fr-mb-3w" description={refusal} />}
      </div>
      {slots.isPending ? (
        <Loading label="Chargement des créneaux…" />
      ) : slots.error ? (
        <Alert severity="error" small description={frenchMessage(slots.error)} />
      ) : byDay.length === 0 ? (
        <p>Aucun créneau libre pour le moment. Revenez bientôt, ou écrivez à votre conseiller ou conseillère depuis la messagerie.</p>
      ) : (
        byDay.map((day) => (
          <section key={day[0]!.slotId} aria-label={parisDay(day[0]!.start)}>
            <h2 className="fr-h6 fr-mb-1w">{capitalize(parisDay(day[0]!.start))}</h2>
            <ul className="app-slots">
              {day.map((s) => (
                <li key={s.slotId}>
                  <Button
                    priority="secondary"
                    size="small"
                    className="app-slot"
                    onClick={() => choose(s)}
                    nativeButtonProps={{
                      "aria-pressed": selected?.slotId === s.slotId,
                      "aria-label": `${parisDay(s.start)} à ${parisHour(s.start)}, ${s.durationMinutes} minutes`,
                    }}
                  >
                    {parisHour(s.start)}
                  </Button>
                </li>
              ))}
            </ul>
          </section>
        ))
      )}
      {selected && (
        <div ref={channelsRef} className="fr-mt-3w">
          {props.onlyChannel ? (
            <p>
              Créneau choisi : {parisDateTime(selected.start)} ({CHANNEL_LABEL[props.onlyChannel]}).
            </p>
          ) : (
            <RadioButtons
              legend={`Comment voulez-vous faire l'entretien du ${parisDateTime(selected.start)} ?`}
              name="channel"
              options={selected.channels.map((c) => ({
                label: CHANNEL_LABEL[c],
                hintText: c === "phone" ? "Votre conseiller ou conseillère vous appelle au numéro de votre profil." : undefined,
                nativeInputProps: { checked: channel === c, onChange: () => setChannel(c) },
              }))}
            />
          )}
          {!props.onlyChannel && channel === "phone" && (
            <Checkbox
              legend="Qui appelle ?"
              options={[
                {
                  label: "Je préfère appeler l'agence moi-même, à l'heure du rendez-vous",
                  hintText: "Le numéro de l'agence vous sera donné dans la confirmation.",
                  nativeInputProps: { checked: callAgency, onChange: (e) => setCallAgency(e.target.checked) },
                },
              ]}
            />
          )}
          <Button disabled={(!props.onlyChannel && !channel) || confirm.isPending} onClick={() => confirm.mutate()}>
            {confirm.isPending ? "Confirmation en cours…" : props.onlyChannel ? "Confirmer le déplacement" : "Confirmer le rendez-vous"}
          </Button>
        </div>
      )}
    </>
  );
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

import type { Schemas } from "../../lib/api/client";
import { CHANNEL_LABEL } from "../../lib/labels";
import { parisDateTime } from "../../lib/time";

type Entry = Schemas["JournalEntry"];

const KIND: Record<string, string> = {
  registered: "Inscription au service",
  level_changed: "Changement de niveau d'accompagnement",
  reassigned: "Changement de conseiller ou conseillère",
  waiting_for_advisor: "En attente d'un conseiller ou d'une conseillère",
  interview_booked: "Rendez-vous pris",
  convoked: "Convocation à un rendez-vous obligatoire",
  rescheduled: "Rendez-vous déplacé",
  cancelled: "Rendez-vous annulé",
  acknowledged: "Accusé de réception d'une convocation",
  channel_switched: "Changement de moyen d'entretien",
  completed: "Entretien réalisé",
  no_show: "Absence à un rendez-vous",
  justified_absence: "Absence justifiée",
  in_person_requested: "Demande d'entretien sur place",
  in_person_accepted: "Entretien sur place accepté",
  in_person_declined: "Entretien sur place refusé",
  email_sent: "Courriel envoyé",
  email_failed: "Courriel non remis (adresse refusée)",
  attendance: "Présence en visioconférence",
  erased: "Effacement des données",
  assigned: "Conseiller ou conseillère attribué",
  interview_cancelled: "Rendez-vous annulé",
  interview_handed_over: "Rendez-vous confié au nouveau conseiller ou à la nouvelle conseillère",
  in_person_handed_over: "Demande d'entretien sur place confiée au nouveau conseiller ou à la nouvelle conseillère",
  extended: "Entretien prolongé",
  chat_day: "Échanges par la messagerie",
  call: "Appel téléphonique",
  sms_sent: "SMS envoyé",
  sms_not_sent: "SMS non envoyé",
};

/** Which email an `email_sent` / `email_failed` entry was (its `template`): the seeker's. */
const EMAIL: Record<string, string> = {
  welcome_seeker: "bienvenue dans le service",
  seeker_advisor_changed: "changement de conseiller ou conseillère",
  seeker_level_changed: "changement de niveau d'accompagnement",
  interview_booked_seeker: "confirmation de rendez-vous",
  convocation: "convocation à un rendez-vous obligatoire",
  interview_cancelled: "annulation de rendez-vous",
  interview_rescheduled: "rendez-vous déplacé",
  in_person_accepted: "entretien sur place accepté",
  in_person_declined: "entretien sur place refusé",
  interview_reminder: "rappel de rendez-vous",
  chat_notice: "nouveau message dans la messagerie",
  interview_withdrawn_by_erasure: "rendez-vous retiré après un effacement",
  // Sent to the advisor, journaled in the seeker's file (they name the seeker): say to whom,
  // so the seeker does not look for an email they never received.
  advisor_new_seeker: "au conseiller ou à la conseillère : nouvelle personne suivie",
  interview_booked_advisor: "au conseiller ou à la conseillère : nouveau rendez-vous",
  in_person_requested: "au conseiller ou à la conseillère : demande d'entretien sur place",
};

/** Who reads the journal: the seeker (their own, "vous") or their advisor (the seeker's file). */
export type Reader = "seeker" | "advisor";

/** What a step of a phone call (`call` entries, one per step) says, to each reader. */
const CALL_EVENT: Record<string, [seeker: string, advisor: string]> = {
  started: ["appel lancé par le service", "appel lancé par le service"],
  ringing_advisor: ["le téléphone du conseiller ou de la conseillère sonne", "votre téléphone sonne"],
  answered_advisor: ["le conseiller ou la conseillère a décroché", "vous avez décroché"],
  ringing_seeker: ["votre téléphone sonne", "le téléphone de la personne sonne"],
  answered_seeker: ["vous avez décroché", "la personne a décroché"],
  bridged: ["vous étiez en ligne avec votre conseiller ou conseillère", "vous étiez en ligne avec la personne"],
  joined_meeting: ["vous avez rejoint l'entretien par téléphone", "la personne a rejoint l'entretien par téléphone"],
  unanswered_advisor: ["le conseiller ou la conseillère n'a pas répondu", "vous n'avez pas répondu"],
  unanswered_seeker: ["vous n'avez pas répondu", "la personne n'a pas répondu"],
  busy_advisor: ["la ligne du conseiller ou de la conseillère était occupée", "votre ligne était occupée"],
  busy_seeker: ["votre ligne était occupée", "la ligne de la personne était occupée"],
  failed_advisor: ["l'appel n'a pas pu joindre le conseiller ou la conseillère", "l'appel n'a pas pu vous joindre"],
  failed_seeker: ["l'appel n'a pas pu vous joindre", "l'appel n'a pas pu joindre la personne"],
  failed: ["l'appel n'a pas abouti", "l'appel n'a pas abouti"],
  hang_up_requested: ["fin de l'appel demandée depuis l'application", "fin de l'appel demandée depuis l'application"],
};

const HUNG_UP_BY: Record<string, [seeker: string, advisor: string]> = {
  advisor: ["le conseiller ou la conseillère", "vous"],
  seeker: ["vous", "la personne"],
  app: ["l'application", "l'application"],
};

function duration(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return minutes === 0 ? `${rest} s` : `${minutes} min ${String(rest).padStart(2, "0")} s`;
}

function callDetail(d: Record<string, unknown>, reader: Reader): string | null {
  const side = reader === "seeker" ? 0 : 1;
  const event = typeof d.event === "string" ? d.event : "";
  if (event.startsWith("hung_up")) {
    const who = typeof d.by === "string" ? HUNG_UP_BY[d.by] : undefined;
    const by = who ? `, raccroché par ${who[side]}` : "";
    const talk = typeof d.durationSeconds === "number" ? `, durée ${duration(d.durationSeconds)}` : "";
    return `appel terminé${by}${talk}`;
  }
  return CALL_EVENT[event]?.[side] ?? null;
}

export function kindLabel(kind: string): string {
  return KIND[kind] ?? "Événement du suivi";
}

export function entryDetail(entry: Entry, reader: Reader = "seeker"): string | null {
  const d = entry.details as Record<string, unknown>;
  if (entry.kind === "call") return callDetail(d, reader);
  const parts: string[] = [];
  if ((entry.kind === "email_sent" || entry.kind === "email_failed") && typeof d.template === "string" && d.template in EMAIL) parts.push(EMAIL[d.template]!);
  if (typeof d.start === "string") parts.push(`rendez-vous du ${parisDateTime(d.start)}`);
  if (typeof d.channel === "string" && d.channel in CHANNEL_LABEL) parts.push(CHANNEL_LABEL[d.channel as keyof typeof CHANNEL_LABEL].toLowerCase());
  if (typeof d.reason === "string") parts.push(`motif : « ${d.reason} »`);
  if (typeof d.message === "string") parts.push(`réponse : « ${d.message} »`);
  if (typeof d.note === "string") parts.push(`note : « ${d.note} »`);
  return parts.length ? parts.join(", ") : null;
}

const ACTOR: Record<Schemas["ActorRole"], string> = {
  seeker: "vous",
  advisor: "votre conseiller ou conseillère",
  admin: "l'administration",
  system: "le service",
};

export function actorLabel(entry: Entry): string {
  return ACTOR[entry.actor.role];
}

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
};

export function kindLabel(kind: string): string {
  return KIND[kind] ?? "Événement du suivi";
}

export function entryDetail(entry: Entry): string | null {
  const d = entry.details as Record<string, unknown>;
  const parts: string[] = [];
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

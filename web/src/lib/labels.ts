import type { components } from "./api/schema";

type Channel = components["schemas"]["Channel"];
type RegionCode = components["schemas"]["RegionCode"];
type Status = components["schemas"]["InterviewStatus"];

/** The regions of the contract's RegionCode enumeration, by name (a person never types a code). */
export const REGIONS: ReadonlyArray<{ code: RegionCode; name: string }> = [
  { code: "84", name: "Auvergne-Rhône-Alpes" },
  { code: "27", name: "Bourgogne-Franche-Comté" },
  { code: "53", name: "Bretagne" },
  { code: "24", name: "Centre-Val de Loire" },
  { code: "94", name: "Corse" },
  { code: "44", name: "Grand Est" },
  { code: "01", name: "Guadeloupe" },
  { code: "03", name: "Guyane" },
  { code: "32", name: "Hauts-de-France" },
  { code: "11", name: "Île-de-France" },
  { code: "04", name: "La Réunion" },
  { code: "02", name: "Martinique" },
  { code: "06", name: "Mayotte" },
  { code: "28", name: "Normandie" },
  { code: "75", name: "Nouvelle-Aquitaine" },
  { code: "76", name: "Occitanie" },
  { code: "52", name: "Pays de la Loire" },
  { code: "93", name: "Provence-Alpes-Côte d'Azur" },
];

export const CHANNELS: ReadonlyArray<Channel> = ["video", "phone", "chat", "in_person"];

export const CHANNEL_LABEL: Record<Channel, string> = {
  video: "Visioconférence",
  phone: "Téléphone",
  chat: "Messagerie écrite",
  in_person: "Sur place, en agence",
};

export const STATUS_LABEL: Record<Status, string> = {
  booked: "Prévu",
  cancelled: "Annulé",
  completed: "Réalisé",
  no_show: "Absence non justifiée",
  justified_absence: "Absence justifiée",
};

export const STATUS_SEVERITY: Record<Status, "info" | "success" | "error" | "warning" | "new"> = {
  booked: "info",
  cancelled: "warning",
  completed: "success",
  no_show: "error",
  justified_absence: "new",
};

type Level = components["schemas"]["Level"];
type Modality = components["schemas"]["Modality"];

export const LEVELS: ReadonlyArray<Level> = ["reinforced", "guided", "follow_up"];

/** The levels' French names, as the API's `levelLabel` spells them, capitalised for a page. */
export const LEVEL_LABEL: Record<Level, string> = {
  reinforced: "Accompagnement renforcé",
  guided: "Accompagnement guidé",
  follow_up: "Appui et suivi à la recherche d'emploi",
};

export const MODALITY_LABEL: Record<Modality, string> = {
  web: "Suivi à distance (web)",
  guided: "Accompagnement guidé",
  reinforced: "Accompagnement renforcé",
};

/**
 * Whether an advisor who follows `from` also follows `to` (domain::Modality::serves: web and
 * guided advisors follow guided and follow-up seekers, reinforced advisors reinforced ones).
 */
export function sameAdvisorServes(from: Level, to: Level): boolean {
  return (from === "reinforced") === (to === "reinforced");
}

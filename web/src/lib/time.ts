// Every time shown is Paris time, whatever the device's zone: an interview is at 9:30 in Paris.
const zone = "Europe/Paris";

const dayFormat = new Intl.DateTimeFormat("fr-FR", { timeZone: zone, weekday: "long", day: "numeric", month: "long" });
const dayKeyFormat = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" });
const hourFormat = new Intl.DateTimeFormat("fr-FR", { timeZone: zone, hour: "2-digit", minute: "2-digit" });
const fullFormat = new Intl.DateTimeFormat("fr-FR", {
  timeZone: zone,
  weekday: "long",
  day: "numeric",
  month: "long",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});
const dateFormat = new Intl.DateTimeFormat("fr-FR", { timeZone: zone, day: "numeric", month: "long", year: "numeric" });

/** "mardi 3 décembre" */
export function parisDay(iso: string): string {
  return dayFormat.format(new Date(iso));
}

/** "2026-12-03": groups slots by Paris day. */
export function parisDayKey(iso: string): string {
  return dayKeyFormat.format(new Date(iso));
}

/** "09:30" */
export function parisHour(iso: string): string {
  return hourFormat.format(new Date(iso)).replace(":", " h ");
}

/** "mardi 3 décembre 2026 à 09 h 30" */
export function parisDateTime(iso: string): string {
  const d = new Date(iso);
  return `${dateFormatWithDay(d)} à ${hourFormat.format(d).replace(":", " h ")}`;
}

function dateFormatWithDay(d: Date): string {
  const parts = fullFormat.formatToParts(d);
  const pick = (t: string) => parts.find((p) => p.type === t)?.value ?? "";
  return `${pick("weekday")} ${pick("day")} ${pick("month")} ${pick("year")}`;
}

/** "3 décembre 2026" */
export function parisDate(iso: string): string {
  return dateFormat.format(new Date(iso));
}

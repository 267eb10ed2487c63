// Every time shown is Paris time, whatever the device's zone: an interview is at 9:30 in Paris.
const zone = "Europe/Paris";

/** A Paris-time format made on first use: making one costs milliseconds (its locale's data is
 * loaded then), and six made as the app starts were a tenth of its start on a mid-range phone. */
function parisFormat(locale: string, options: Intl.DateTimeFormatOptions): () => Intl.DateTimeFormat {
  let format: Intl.DateTimeFormat | undefined;
  return () => (format ??= new Intl.DateTimeFormat(locale, { timeZone: zone, ...options }));
}

const dayFormat = parisFormat("fr-FR", { weekday: "long", day: "numeric", month: "long" });
const dayKeyFormat = parisFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit" });
const hourFormat = parisFormat("fr-FR", { hour: "2-digit", minute: "2-digit" });
const fullFormat = parisFormat("fr-FR", { weekday: "long", day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit" });
const dateFormat = parisFormat("fr-FR", { day: "numeric", month: "long", year: "numeric" });

/** "mardi 3 décembre" */
export function parisDay(iso: string): string {
  return dayFormat().format(new Date(iso));
}

/** "2026-12-03": groups slots by Paris day. */
export function parisDayKey(iso: string): string {
  return dayKeyFormat().format(new Date(iso));
}

/** "09:30" */
export function parisHour(iso: string): string {
  return hourFormat().format(new Date(iso)).replace(":", " h ");
}

/** "mardi 3 décembre 2026 à 09 h 30" */
export function parisDateTime(iso: string): string {
  const d = new Date(iso);
  return `${dateFormatWithDay(d)} à ${hourFormat().format(d).replace(":", " h ")}`;
}

function dateFormatWithDay(d: Date): string {
  const parts = fullFormat().formatToParts(d);
  const pick = (t: string) => parts.find((p) => p.type === t)?.value ?? "";
  return `${pick("weekday")} ${pick("day")} ${pick("month")} ${pick("year")}`;
}

/** "3 décembre 2026" */
export function parisDate(iso: string): string {
  return dateFormat().format(new Date(iso));
}

const partsFormat = parisFormat("en-CA", {
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

/** Paris's offset from UTC at `instant`, in minutes (60 in winter, 120 in summer). */
function parisOffsetMinutes(instant: number): number {
  const p = Object.fromEntries(partsFormat().formatToParts(new Date(instant)).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute));
  return Math.round((asUtc - Math.floor(instant / 60_000) * 60_000) / 60_000);
}

/**
 * The instant of Paris wall-clock `hh:mm` on the Paris day `day` ("2026-03-29"), as ISO UTC.
 * A time that does not exist (02:30 on the spring change) moves forward an hour, as a clock does.
 */
export function parisInstant(day: string, hour: number, minute = 0): string {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d, hour, minute);
  let guess = wall - parisOffsetMinutes(wall) * 60_000;
  guess = wall - parisOffsetMinutes(guess) * 60_000;
  return new Date(guess).toISOString();
}

/** The Paris day `days` after the Paris day `day` (both "YYYY-MM-DD"). */
export function addDays(day: string, days: number): string {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** The Monday of the Paris week holding the Paris day `day`. */
export function mondayOf(day: string): string {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  const weekday = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
  return addDays(day, -weekday);
}

/** Minutes since Paris midnight of `iso`, on its Paris day. */
export function parisMinutes(iso: string): number {
  const p = Object.fromEntries(partsFormat().formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
  return Number(p.hour) * 60 + Number(p.minute);
}

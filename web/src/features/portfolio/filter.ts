import type { Schemas } from "../../lib/api/client";

type Row = Schemas["PortfolioRow"];
type Level = Schemas["Level"];

/** Lower case, without accents: "Chloé" is found by "chloe". */
export function searchable(text: string): string {
  return text.normalize("NFD").replace(/\p{Diacritic}/gu, "").toLowerCase();
}

export type Filters = { level: Level | ""; overdueOnly: boolean; search: string };

/** The rows the filters keep, in the API's order (most overdue first); `key` is the searchable name. */
export function filterRows<R extends Row & { key: string }>(rows: ReadonlyArray<R>, f: Filters): R[] {
  const words = searchable(f.search).split(/\s+/).filter(Boolean);
  return rows.filter((r) => (!f.level || r.level === f.level) && (!f.overdueOnly || r.overdue) && words.every((w) => r.key.includes(w)));
}

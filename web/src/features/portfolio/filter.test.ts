import { describe, expect, it } from "vitest";
import { filterRows, searchable } from "./filter";

const row = (firstName: string, lastName: string, level: "guided" | "follow_up" | "reinforced", overdue: boolean) => ({
  seekerId: `${firstName}-${lastName}`,
  firstName,
  lastName,
  level,
  preferredChannels: [],
  lastContactAt: null,
  nextContactDue: "2026-12-01T10:00:00+01:00",
  overdue,
  unread: 0,
  openInPersonRequest: null,
  key: searchable(`${firstName} ${lastName}`),
});

const rows = [row("Chloé", "Lefèvre", "guided", true), row("Hugo", "Martin", "follow_up", true), row("Éloïse", "Martin", "guided", false)];
const none = { level: "" as const, overdueOnly: false, search: "" };

describe("the portfolio's filters", () => {
  it("find a name without its accents or case, each word anywhere in the name", () => {
    expect(filterRows(rows, { ...none, search: "chloe" }).map((r) => r.firstName)).toEqual(["Chloé"]);
    expect(filterRows(rows, { ...none, search: "MARTIN eloise" }).map((r) => r.firstName)).toEqual(["Éloïse"]);
    expect(filterRows(rows, { ...none, search: "  " })).toHaveLength(3);
  });

  it("combine level and lateness, keeping the API's order (most overdue first)", () => {
    expect(filterRows(rows, { ...none, overdueOnly: true }).map((r) => r.firstName)).toEqual(["Chloé", "Hugo"]);
    expect(filterRows(rows, { ...none, level: "guided", overdueOnly: true }).map((r) => r.firstName)).toEqual(["Chloé"]);
    expect(filterRows(rows, { ...none, level: "reinforced" })).toEqual([]);
  });
});

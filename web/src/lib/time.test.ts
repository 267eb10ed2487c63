import { describe, expect, it } from "vitest";
import { addDays, mondayOf, parisDayKey, parisInstant, parisMinutes } from "./time";

describe("Paris wall-clock times", () => {
  it("are UTC+1 in winter and UTC+2 in summer", () => {
    expect(parisInstant("2026-12-03", 9, 30)).toBe("2026-12-03T08:30:00.000Z");
    expect(parisInstant("2026-07-01", 9, 30)).toBe("2026-07-01T07:30:00.000Z");
  });

  it("keep 09:30 as 09:30 on both sides of the March and October changes", () => {
    // 29 March 2026 and 25 October 2026 are the last Sundays of those months.
    expect(parisInstant("2026-03-28", 9, 30)).toBe("2026-03-28T08:30:00.000Z");
    expect(parisInstant("2026-03-29", 9, 30)).toBe("2026-03-29T07:30:00.000Z");
    expect(parisInstant("2026-10-24", 9, 30)).toBe("2026-10-24T07:30:00.000Z");
    expect(parisInstant("2026-10-25", 9, 30)).toBe("2026-10-25T08:30:00.000Z");
    expect(parisMinutes("2026-10-25T08:30:00.000Z")).toBe(9 * 60 + 30);
    expect(parisMinutes("2026-03-29T07:30:00.000Z")).toBe(9 * 60 + 30);
  });

  it("count days and weeks on the calendar, not in 24-hour steps", () => {
    expect(addDays("2026-03-28", 1)).toBe("2026-03-29");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(mondayOf("2026-10-25")).toBe("2026-10-19");
    expect(mondayOf("2026-10-19")).toBe("2026-10-19");
    expect(parisDayKey(parisInstant("2026-10-25", 0, 0))).toBe("2026-10-25");
  });
});

import { describe, expect, it } from "vitest";
import { interviewIcs } from "./ics";
import type { Schemas } from "../../lib/api/client";

const interview: Schemas["Interview"] = {
  interviewId: "01JF3QB2C4D6E8F0G2H4J6K8M0",
  seekerId: "01JE7R3S5T7V9W1X3Y5Z7A9B1C",
  advisorId: "01JE0B5C7D9F1G3H5J7K9M1N3P",
  slotId: null,
  requestId: null,
  start: "2026-12-03T09:30:00+01:00",
  end: "2026-12-03T10:00:00+01:00",
  durationMinutes: 30,
  channel: "in_person",
  mandatory: true,
  location: "Agence, 12 rue de la République; Montpellier",
  phone: null,
  status: "booked",
  acknowledgedAt: null,
  channelHistory: [],
  outcomeNote: null,
  outcomeAt: null,
  cancelledAt: null,
  cancelReason: null,
  cancelledBy: null,
  meeting: { available: false, meetingId: null },
  createdAt: "2026-11-20T16:02:11+01:00",
};

describe("interviewIcs", () => {
  it("writes UTC times, escapes text and ends lines with CRLF", () => {
    const ics = interviewIcs(interview, "Sophie Durand", new Date("2026-11-30T12:00:00Z"));
    expect(ics).toContain("DTSTART:20261203T083000Z\r\n");
    expect(ics).toContain("DTEND:20261203T090000Z\r\n");
    expect(ics).toContain("LOCATION:Agence\\, 12 rue de la République\\; Montpellier\r\n");
    expect(ics).toContain("SUMMARY:Rendez-vous obligatoire avec Sophie Durand\r\n");
    expect(ics.startsWith("BEGIN:VCALENDAR\r\n")).toBe(true);
  });
});

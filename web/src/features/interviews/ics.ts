// An iCalendar file (RFC 5545) for one interview, made in the page: the API emails the same
// invitation, and a person who lost it can add the interview to a calendar from here.
import type { Schemas } from "../../lib/api/client";
import { CHANNEL_LABEL } from "../../lib/labels";
import { whoCallsForSeeker } from "../../lib/phone";

function utc(iso: string): string {
  return new Date(iso).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

function escape(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,").replace(/\r?\n/g, "\\n");
}

export function interviewIcs(interview: Schemas["Interview"], advisorName: string | null, now = new Date()): string {
  const summary = `Rendez-vous ${interview.mandatory ? "obligatoire " : ""}avec ${advisorName ?? "votre conseiller ou conseillère"}`;
  const where =
    interview.channel === "in_person"
      ? (interview.location ?? "En agence")
      : interview.channel === "phone"
        ? `Par téléphone : ${whoCallsForSeeker(interview.phone).replace(/^V/, "v")}`
        : CHANNEL_LABEL[interview.channel];
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Suivi emploi a distance//web//FR",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    "BEGIN:VEVENT",
    `UID:${interview.interviewId}@suivi-emploi`,
    `DTSTAMP:${utc(now.toISOString())}`,
    `DTSTART:${utc(interview.start)}`,
    `DTEND:${utc(interview.end)}`,
    `SUMMARY:${escape(summary)}`,
    `LOCATION:${escape(where)}`,
    `STATUS:${interview.status === "cancelled" ? "CANCELLED" : "CONFIRMED"}`,
    "END:VEVENT",
    "END:VCALENDAR",
  ];
  return lines.join("\r\n") + "\r\n";
}

import { describe, expect, it } from "vitest";
import type { Schemas } from "../../lib/api/client";
import { entryDetail, kindLabel } from "./labels";

const entry = (kind: string, details: Record<string, unknown>): Schemas["JournalEntry"] => ({
  entryId: "01JBZ5Q6V0000000000000000A",
  kind,
  at: "2026-12-01T09:00:00.000Z",
  actor: { role: "system", id: null },
  details,
});

describe("the journal's entries", () => {
  it("name every kind the service writes, calls and SMS included", () => {
    for (const kind of ["call", "sms_sent", "sms_not_sent", "extended", "interview_handed_over", "in_person_handed_over", "chat_day"]) {
      expect(kindLabel(kind)).not.toBe("Événement du suivi");
    }
    expect(kindLabel("something_new")).toBe("Événement du suivi");
  });

  it("say which email was sent, and nothing for one it does not know", () => {
    expect(entryDetail(entry("email_sent", { template: "interview_reminder", emailId: "e" }))).toBe("rappel de rendez-vous");
    expect(entryDetail(entry("email_failed", { template: "convocation", emailId: "e" }))).toBe("convocation à un rendez-vous obligatoire");
    expect(entryDetail(entry("email_sent", { template: "interview_booked_advisor", emailId: "e" }))).toBe(
      "au conseiller ou à la conseillère : nouveau rendez-vous",
    );
    expect(entryDetail(entry("email_sent", { template: "something_new", emailId: "e" }))).toBeNull();
  });

  it("say each step of a call to the seeker and to the advisor, in their own words", () => {
    const unanswered = entry("call", { callId: "c", event: "unanswered_seeker" });
    expect(entryDetail(unanswered)).toBe("vous n'avez pas répondu");
    expect(entryDetail(unanswered, "advisor")).toBe("la personne n'a pas répondu");
    const ended = entry("call", { callId: "c", event: "hung_up_leg_b", by: "seeker", durationSeconds: 754 });
    expect(entryDetail(ended)).toBe("appel terminé, raccroché par vous, durée 12 min 34 s");
    expect(entryDetail(ended, "advisor")).toBe("appel terminé, raccroché par la personne, durée 12 min 34 s");
    expect(entryDetail(entry("call", { callId: "c", event: "hung_up_leg_a", by: "app", durationSeconds: 9 }))).toBe(
      "appel terminé, raccroché par l'application, durée 9 s",
    );
    expect(entryDetail(entry("call", { callId: "c", event: "not_a_step" }))).toBeNull();
  });
});

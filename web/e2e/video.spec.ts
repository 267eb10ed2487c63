// Journey 5: the video interview. Before the room opens, the page says when; from 15 minutes
// before, a device check (fake camera and microphone), then joining with the Chime SDK. No
// media service runs locally, so joining fails for real: the page offers to retry, or to tell
// the advisor in one click, with the number they will call.
import { expect, test } from "./support";
import { parisDateTime } from "../src/lib/time";
import { advisorChat, call, check, createAdvisor, daysAhead, goTo, moveInterviewStart, seekerOf, signIn } from "./support";

test("video: too early, device check, a join that cannot connect, and telling the advisor", async ({ page, browser }) => {
  const advisor = await createAdvisor("Katell", "Morvan");
  const seeker = await seekerOf(advisor, "Gaël", "Video");
  const later = daysAhead(12, 9);
  const early = await call("POST", `/seekers/${seeker.seekerId}/convocations`, advisor.token, { start: later, durationMinutes: 30, channel: "video" });
  expect(early.status, JSON.stringify(early.body)).toBe(201);
  const soon = await call("POST", `/seekers/${seeker.seekerId}/convocations`, advisor.token, { start: daysAhead(13, 9), durationMinutes: 30, channel: "video" });
  expect(soon.status, JSON.stringify(soon.body)).toBe(201);
  const start = new Date(Date.now() + 5 * 60_000);
  await moveInterviewStart(soon.body.interviewId, start);
  const chat = await advisorChat(browser, advisor);

  await signIn(page, seeker.sub);
  await goTo(page, "Mes rendez-vous");
  await page.getByRole("link", { name: `${parisDateTime(later)} — Visioconférence` }).click();
  await page.getByRole("link", { name: "Rejoindre la visioconférence" }).click();
  await expect(page.getByRole("heading", { name: /La salle ouvre à/ })).toBeVisible();
  await check(page, "05-video-trop-tot");

  await page.getByRole("link", { name: "Retour au rendez-vous" }).click();
  await page.getByRole("link", { name: "Tous mes rendez-vous" }).click();
  await page.getByRole("link", { name: `${parisDateTime(start.toISOString())} — Visioconférence` }).click();
  await page.getByRole("link", { name: "Rejoindre la visioconférence" }).click();
  await expect(page.getByRole("heading", { name: "Vérifiez votre caméra et votre micro" })).toBeVisible();
  // Chromium's fake devices are listed by name once the page may use them.
  await expect(page.getByRole("combobox", { name: "Caméra" })).toContainText("fake");
  await expect.poll(async () => Number(await page.getByRole("meter").getAttribute("aria-valuenow")), { timeout: 15_000 }).toBeGreaterThan(0);
  await check(page, "05-video-verification");

  await page.getByRole("button", { name: "Rejoindre l'entretien" }).click();
  await expect(page.getByText("Connexion à la visioconférence… Patientez quelques secondes.")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Si la connexion tarde" })).toBeVisible();
  await check(page, "05-video-connexion");
  await expect(page.getByRole("heading", { name: "La visioconférence ne fonctionne pas" })).toBeVisible({ timeout: 40_000 });
  await expect(page.getByRole("button", { name: "Réessayer" })).toBeVisible();
  await check(page, "05-video-echec");
  // The API created the meeting all the same: the failure is the media's, as it would be.
  const meeting = await call("GET", `/interviews/${soon.body.interviewId}`, seeker.token);
  expect(meeting.body.meeting.meetingId).not.toBeNull();

  await page.getByRole("button", { name: "Prévenir mon conseiller que la vidéo ne marche pas" }).click();
  await expect(page.getByText("C'est fait. Votre conseiller ou conseillère va vous appeler au 06 12 34 56 78.")).toBeVisible();
  await expect.poll(() => chat.received()).toContainEqual(expect.stringContaining("La visioconférence ne fonctionne pas de mon côté"));
  await check(page, "05-video-conseiller-prevenu");
  await chat.close();
});

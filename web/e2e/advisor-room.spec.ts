// Issue 15, journey 6: the interview room, with the advisor and the seeker in two browser
// contexts. The seeker books a video slot; the advisor finds it on the agenda; both open the
// room (the Chime SDK takes the join info and opens its signalling connection; fake camera
// previews); no media service runs locally, so the video fails for real; the advisor ends the
// meeting and moves the interview to the phone in one action, which the seeker's open page
// shows; the advisor records the outcome, and the seeker's follow-up shows every step.
// Then the outcome recorded with the keyboard alone.
import type { Locator, Page } from "@playwright/test";
import { expect, test } from "./support";
import { GATEWAY, call, check, createAdvisor, createSlot, daysAhead, goTo, moveInterviewStart, seekerOf, signIn, tick, type Advisor } from "./support";
import { mondayOf, parisDay, parisDayKey, parisHour } from "../src/lib/time";
import { advisorPage, openAs } from "./advisor-support";

/** The <video> shows frames: a camera (Chromium's fake one here) is playing in it. */
async function expectPlaying(video: Locator) {
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.videoWidth), { timeout: 15_000 }).toBeGreaterThan(0);
}

test("interview room: booked by video, both in the room, ended, switched to phone, seen by the seeker, outcome in the journal", async ({ page, browser }) => {
  // Two browser contexts, two 20-second video failures and the outcome: close to the default
  // 90 s on a loaded machine.
  test.slow();
  const advisor = await createAdvisor("Maëlle", "Kerjean");
  const seeker = await seekerOf(advisor, "Yann", "Salle");
  const slotStart = daysAhead(3, 9);
  await createSlot(advisor, slotStart, ["video", "phone"]);

  // The seeker books the video slot.
  await signIn(page, seeker.sub);
  await page.getByRole("link", { name: "Prendre rendez-vous" }).first().click();
  await page.getByRole("button", { name: `${parisDay(slotStart)} à ${parisHour(slotStart)}, 30 minutes` }).click();
  await tick(page, "Visioconférence", "radio");
  await page.getByRole("button", { name: "Confirmer le rendez-vous" }).click();
  await expect(page.getByRole("heading", { name: "Votre rendez-vous est confirmé" })).toBeVisible();

  // The advisor's agenda lists it.
  const agenda = await call("GET", "/advisors/me/agenda", advisor.token);
  const booked = agenda.body.items.filter((i: { seekerId: string }) => i.seekerId === seeker.seekerId);
  expect(booked).toHaveLength(1);
  expect(booked[0]).toMatchObject({ channel: "video", status: "booked" });
  const interviewId: string = booked[0].interviewId;
  // ...and so does the agenda's page, on the interview's week, with a link to its room.
  const desk = await advisorPage(browser, advisor, `/conseiller/agenda?semaine=${mondayOf(parisDayKey(slotStart))}`);
  await expect(desk.page.getByRole("link", { name: new RegExp(`^${parisHour(slotStart)} – .* Yann Salle$`) })).toHaveAttribute(
    "href",
    `/conseiller/entretiens/${interviewId}`,
  );
  // Test set-up (the booking notice keeps a seeker from booking a slot starting now): the
  // interview started a minute ago, so the room is open and the outcome can be recorded.
  await moveInterviewStart(interviewId, new Date(Date.now() - 60_000));

  // Both in the room.
  await openAs(desk.page, advisor.sub, `/conseiller/entretiens/${interviewId}`, "advisors");
  const room = desk.page;
  const signalling: string[] = [];
  room.on("websocket", (ws) => signalling.push(ws.url()));
  await expect(room.getByRole("heading", { name: "Entretien avec Yann Salle" })).toBeVisible();
  await expect(room.getByRole("combobox", { name: "Caméra" })).toContainText("fake");
  await expectPlaying(room.getByLabel("Votre image"));
  await check(room, "15-salle-verification");

  await openAs(page, seeker.sub, `/rendez-vous/${interviewId}/video`);
  await expect(page.getByRole("heading", { name: "Vérifiez votre caméra et votre micro" })).toBeVisible();
  await expectPlaying(page.getByLabel("Aperçu de votre caméra"));
  await page.getByRole("button", { name: "Rejoindre l'entretien" }).click();
  await room.getByRole("button", { name: "Rejoindre la visioconférence" }).click();
  await expect(room.getByText("Connexion à la visioconférence… Patientez quelques secondes.")).toBeVisible();
  const meeting = await call("GET", `/interviews/${interviewId}`, advisor.token);
  const meetingId: string = meeting.body.meeting.meetingId;
  expect(meetingId).toBeTruthy();
  // The SDK read the join info: it opens the signalling connection of this very meeting
  // (which nothing answers locally).
  await expect.poll(() => signalling.some((url) => url.includes(`/control/${meetingId}`)), { timeout: 15_000 }).toBe(true);
  await check(room, "15-salle-connexion");

  await expect(room.getByText("La visioconférence ne fonctionne pas")).toBeVisible({ timeout: 40_000 });
  await expectPlaying(room.getByLabel("Votre image"));
  await check(room, "15-salle-echec");

  // The meeting ended for everyone (a later join would make a new one).
  await room.getByRole("button", { name: "Terminer la visioconférence pour tout le monde" }).click();
  await expect(room.getByText("La visioconférence est terminée pour tout le monde.")).toBeVisible();
  await expect(room.getByRole("button", { name: "Terminer la visioconférence pour tout le monde" })).toHaveCount(0);
  await expect(room.getByRole("button", { name: "Rejoindre la visioconférence" })).toBeVisible();
  expect((await call("GET", `/interviews/${interviewId}`, advisor.token)).body.meeting.meetingId).toBeNull();
  await check(room, "15-salle-terminee");

  // One action: the phone. The seeker's open page shows it.
  await room.getByRole("button", { name: "Passer au téléphone" }).click();
  await expect(room.getByText("Par téléphone : c'est vous qui appelez")).toBeVisible();
  await expect(room.getByText(/Appelez Yann Salle au 06 12 34 56 78\. Yann Salle attend votre appel/)).toBeVisible();
  await expect(room.getByRole("link", { name: "06 12 34 56 78" })).toHaveAttribute("href", "tel:+33612345678");
  await check(room, "15-salle-telephone");
  // This advisor has no work phone: the call from the page is refused, and said so.
  await room.getByRole("button", { name: "Appeler la personne" }).click();
  await expect(room.getByRole("alert")).toHaveText(/Votre téléphone de poste n'est pas enregistré : l'appel ne peut pas partir/);
  await expect(room.getByRole("button", { name: "Raccrocher" })).toHaveCount(0);
  await check(room, "16-salle-appel-refuse");
  await expect(page.getByRole("heading", { name: "L'entretien continue par téléphone" })).toBeVisible();
  await expect(page.getByText(/C'est votre conseiller ou conseillère qui vous appelle, au 06 12 34 56 78/)).toBeVisible();
  await check(page, "15-video-passee-au-telephone");
  const switched = await call("GET", `/interviews/${interviewId}`, seeker.token);
  expect(switched.body.channel).toBe("phone");
  expect(switched.body.channelHistory).toMatchObject([{ from: "video", to: "phone", by: "advisor" }]);

  // The outcome.
  await room.getByRole("button", { name: "Enregistrer l'issue de l'entretien" }).click();
  const dialog = room.getByRole("dialog", { name: "Issue de l'entretien avec Yann Salle" });
  await expect(dialog).toBeVisible();
  await check(room, "15-salle-issue");
  await tick(room, "Entretien réalisé", "radio");
  await dialog.getByLabel("Note (facultatif)").fill("CV revu ensemble, deux candidatures prévues.");
  await dialog.getByRole("button", { name: "Enregistrer l'issue" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(room.getByText("Issue enregistrée : entretien réalisé.")).toBeVisible();
  await expect(room.getByText("Note : « CV revu ensemble, deux candidatures prévues. »")).toBeVisible();
  await check(room, "15-salle-issue-enregistree");
  const done = await call("GET", `/interviews/${interviewId}`, seeker.token);
  expect(done.body).toMatchObject({ status: "completed", outcomeNote: "CV revu ensemble, deux candidatures prévues." });

  // The seeker's follow-up, newest first: booked, switched, completed.
  await goTo(page, "Mon suivi");
  const journal = page.getByRole("list", { name: "Journal de suivi" });
  const steps = journal.getByRole("listitem");
  await expect(steps.filter({ hasText: "Entretien réalisé" })).toContainText("CV revu ensemble, deux candidatures prévues.");
  await expect(steps.filter({ hasText: "Changement de moyen d'entretien" })).toContainText("La visioconférence ne fonctionne pas");
  await expect(steps.filter({ hasText: "Rendez-vous pris" })).toHaveCount(1);
  const order = await steps.allTextContents();
  const at = (text: string) => order.findIndex((t) => t.includes(text));
  expect(at("Entretien réalisé")).toBeLessThan(at("Changement de moyen d'entretien"));
  expect(at("Changement de moyen d'entretien")).toBeLessThan(at("Rendez-vous pris"));
  await check(page, "15-suivi-apres-entretien");
  await desk.context.close();
});

/** Presses Tab until `target` has the focus (at most `max` times). */
async function tabTo(page: Page, target: Locator, max = 60) {
  for (let n = 0; n < max; n++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error("never focused by Tab");
}

test("interview room, keyboard only: not before the start, then a no-show recorded and corrected to a justified absence", async ({ browser }) => {
  const advisor = await createAdvisor("Soizic", "Le Du");
  const seeker = await seekerOf(advisor, "Tanguy", "Clavier");
  const later = await call("POST", `/seekers/${seeker.seekerId}/convocations`, advisor.token, { start: daysAhead(6, 10), durationMinutes: 30, channel: "phone" });
  expect(later.status, JSON.stringify(later.body)).toBe(201);
  const past = await call("POST", `/seekers/${seeker.seekerId}/convocations`, advisor.token, { start: daysAhead(7, 10), durationMinutes: 30, channel: "phone" });
  expect(past.status, JSON.stringify(past.body)).toBe(201);
  await moveInterviewStart(past.body.interviewId, new Date(Date.now() - 10 * 60_000));

  // Not started yet: said, and nothing to press.
  const desk = await advisorPage(browser, advisor, `/conseiller/entretiens/${later.body.interviewId}`);
  const room = desk.page;
  await expect(room.getByText(`Vous pourrez enregistrer l'issue dès le début de l'entretien, à ${parisHour(later.body.start)}.`)).toBeVisible();
  await expect(room.getByRole("button", { name: "Enregistrer l'issue de l'entretien" })).toHaveCount(0);
  await expect(room.getByText(/Appelez Tanguy Clavier au 06 12 34 56 78/)).toBeVisible();
  await check(room, "15-salle-pas-encore");

  await openAs(room, advisor.sub, `/conseiller/entretiens/${past.body.interviewId}`, "advisors");
  await expect(room.getByRole("heading", { name: "Entretien avec Tanguy Clavier" })).toBeVisible();
  await tabTo(room, room.getByRole("button", { name: "Enregistrer l'issue de l'entretien" }));
  await room.keyboard.press("Enter");
  const dialog = room.getByRole("dialog", { name: "Issue de l'entretien avec Tanguy Clavier" });
  await expect(dialog).toBeVisible();
  // Submitting with nothing chosen: said next to the choice.
  await tabTo(room, dialog.getByRole("button", { name: "Enregistrer l'issue" }));
  await room.keyboard.press("Enter");
  await expect(dialog.getByText("Choisissez comment s'est passé l'entretien.")).toBeVisible();
  await check(room, "15-issue-clavier-erreur");
  expect((await call("GET", `/interviews/${past.body.interviewId}`, advisor.token)).body.status).toBe("booked");

  await tabTo(room, dialog.getByRole("radio", { name: /Entretien réalisé/ }));
  await room.keyboard.press("ArrowDown");
  await expect(dialog.getByRole("radio", { name: /Absence non justifiée/ })).toBeChecked();
  await room.keyboard.press("Tab");
  await expect(dialog.getByLabel("Note (facultatif)")).toBeFocused();
  await room.keyboard.type("Pas venu, pas de nouvelles.");
  await room.keyboard.press("Tab");
  await expect(dialog.getByRole("button", { name: "Enregistrer l'issue" })).toBeFocused();
  await room.keyboard.press("Enter");
  await expect(dialog).toHaveCount(0);
  await expect(room.getByText("Issue enregistrée : absence non justifiée.")).toBeVisible();
  await expect(room.getByRole("heading", { name: "Issue de l'entretien" })).toBeFocused();
  await check(room, "15-issue-absence");

  // A justificatif came: the one correction the API allows, by keyboard too; Esc first closes.
  await tabTo(room, room.getByRole("button", { name: "Corriger en absence justifiée" }));
  await room.keyboard.press("Enter");
  await expect(dialog).toBeVisible();
  await room.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
  await expect(room.getByRole("button", { name: "Corriger en absence justifiée" })).toBeFocused();
  await room.keyboard.press("Enter");
  await expect(dialog.getByRole("radio", { name: /Absence justifiée/ })).toBeChecked();
  await tabTo(room, dialog.getByRole("button", { name: "Enregistrer l'issue" }));
  await room.keyboard.press("Enter");
  await expect(room.getByText("Issue enregistrée : absence justifiée.")).toBeVisible();
  await check(room, "15-issue-clavier");
  const final = await call("GET", `/interviews/${past.body.interviewId}`, advisor.token);
  expect(final.body).toMatchObject({ status: "justified_absence" });
  await desk.context.close();
});

test("interview room and messages: another advisor sees nothing of the interview, a seeker is told the pages are the advisors'", async ({ page, browser }) => {
  const advisor = await createAdvisor("Enora", "Cadiou");
  const seeker = await seekerOf(advisor, "Mael", "Ailleurs");
  const other = await createAdvisor("Goulven", "Autre");
  const convocation = await call("POST", `/seekers/${seeker.seekerId}/convocations`, advisor.token, { start: daysAhead(8, 9), durationMinutes: 30, channel: "video" });
  expect(convocation.status, JSON.stringify(convocation.body)).toBe(201);
  const path = `/conseiller/entretiens/${convocation.body.interviewId}`;

  // Its own advisor opens it (the twin of the refusals below).
  const desk = await advisorPage(browser, advisor, path);
  await expect(desk.page.getByRole("heading", { name: "Entretien avec Mael Ailleurs" })).toBeVisible();
  // Days ahead: the room says when it opens, and offers no join yet.
  const opens = new Date(new Date(convocation.body.start).getTime() - 15 * 60_000).toISOString();
  await expect(desk.page.getByText(`La salle ouvre à ${parisHour(opens)}, 15 minutes avant l'heure.`)).toBeVisible();
  await expect(desk.page.getByRole("button", { name: "Rejoindre la visioconférence" })).toHaveCount(0);
  await check(desk.page, "15-salle-avant-ouverture");
  await openAs(desk.page, other.sub, path, "advisors");
  await expect(desk.page.getByText("Cet élément n'existe pas, ou ce demandeur d'emploi n'est pas dans votre portefeuille.")).toBeVisible();
  await expect(desk.page.getByText("Mael Ailleurs")).toHaveCount(0);
  await check(desk.page, "15-salle-refusee");
  await openAs(desk.page, other.sub, `/conseiller/messages/${seeker.seekerId}`, "advisors");
  await expect(desk.page.getByText("Cet élément n'existe pas, ou ce demandeur d'emploi n'est pas dans votre portefeuille.")).toBeVisible();
  await desk.context.close();

  await openAs(page, seeker.sub, path);
  await expect(page.getByText(/Cette page est réservée aux conseillers et conseillères/)).toBeVisible();
  await check(page, "15-salle-reservee");
  await openAs(page, seeker.sub, "/conseiller/messages");
  await expect(page.getByText(/Cette page est réservée aux conseillers et conseillères/)).toBeVisible();
});

/** The agency's number (infra/local/lib.sh's AGENCY_PHONE_NUMBER), the caller id both phones see. */
const AGENCY_NUMBER = process.env.AGENCY_PHONE_NUMBER ?? "+33123456789";

/** The simulated phone's last call (the local PSTN emulator's `/_local/phones` routes). */
async function lastCall(number: string): Promise<{ state: string; callerId: string } | undefined> {
  const r = await fetch(`${GATEWAY}/_local/phones/${encodeURIComponent(number)}`);
  expect(r.status).toBe(200);
  const body = (await r.json()) as { calls: Array<{ state: string; callerId: string }> };
  return body.calls.at(-1);
}

/** The phone's user answers its ringing call, once it rings. */
async function answer(number: string) {
  await expect.poll(async () => (await lastCall(number))?.state, { timeout: 15_000 }).toBe("ringing");
  const r = await fetch(`${GATEWAY}/_local/phones/${encodeURIComponent(number)}/answer`, { method: "POST" });
  expect(r.status, await r.text()).toBe(200);
}

test("interview room, phone, keyboard only: the advisor calls from the page, both phones answer, the call is live, then hung up from the page", async ({ browser }) => {
  // A work phone of its own (+331 and 8 digits), so no other call rings it.
  const workPhone = `+331${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;
  const advisor = await createAdvisor("Gwenola", "Appel", workPhone);
  const seeker = await seekerOf(advisor, "Loïc", "Combiné");
  const seekerPhone = "+33612345678";
  const convocation = await call("POST", `/seekers/${seeker.seekerId}/convocations`, advisor.token, { start: daysAhead(6, 11), durationMinutes: 30, channel: "phone" });
  expect(convocation.status, JSON.stringify(convocation.body)).toBe(201);
  const interviewId: string = convocation.body.interviewId;
  await moveInterviewStart(interviewId, new Date(Date.now() - 60_000));

  const desk = await advisorPage(browser, advisor, `/conseiller/entretiens/${interviewId}`);
  const room = desk.page;
  await expect(room.getByRole("heading", { name: "Entretien avec Loïc Combiné" })).toBeVisible();
  const status = room.getByRole("status", { name: "État de l'appel" });
  const callButton = room.getByRole("button", { name: "Appeler la personne" });
  // Enabled once the page's live connection is open (the call's state comes through it).
  await expect(callButton).toBeEnabled();
  await check(room, "16-salle-avant-appel");
  await tabTo(room, callButton);
  await room.keyboard.press("Enter");

  // The advisor's work phone rings first, then the seeker's, both showing the agency's number.
  await answer(workPhone);
  expect((await lastCall(workPhone))?.callerId).toBe(AGENCY_NUMBER);
  await expect(status).toHaveText("Ça sonne : décrochez votre téléphone de poste, puis celui de Loïc Combiné sonnera.");
  await expect(status).toHaveAttribute("aria-live", "polite");
  await check(room, "16-salle-appel-sonne");
  await answer(seekerPhone);
  expect((await lastCall(seekerPhone))?.callerId).toBe(AGENCY_NUMBER);
  await expect(status).toHaveText("Appel en cours avec Loïc Combiné.");
  await check(room, "16-salle-appel-en-cours");

  const hangUp = room.getByRole("button", { name: "Raccrocher" });
  await tabTo(room, hangUp);
  await room.keyboard.press("Enter");
  await expect(status).toHaveText("Appel terminé.");
  await expect.poll(async () => (await lastCall(seekerPhone))?.state, { timeout: 15_000 }).toBe("ended");
  await expect.poll(async () => (await lastCall(workPhone))?.state, { timeout: 15_000 }).toBe("ended");
  await expect(hangUp).toHaveCount(0);
  await expect(callButton).toBeEnabled();
  await check(room, "16-salle-appel-termine");
  await desk.context.close();
});

/** The journal's entries of `kind` (newest first), through the API, as the seeker's advisor reads them. */
async function journalEntries(advisor: Advisor, seekerId: string, kind: string): Promise<Array<{ details: Record<string, unknown> }>> {
  const r = await call("GET", `/seekers/${seekerId}/journal?limit=200`, advisor.token);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.items.filter((e: { kind: string }) => e.kind === kind);
}

test("interview room, video dial-in, keyboard only: the video fails, the seeker's phone is dialled into the same meeting, answered, joined, hung up from the page, journaled; then refused without a number", async ({ browser }) => {
  // A 20-second video failure, then a call answered and hung up: close to the default 90 s.
  test.slow();
  // No work phone: the dial-in rings the seeker's phone only.
  const advisor = await createAdvisor("Nolwenn", "Relais");
  const seeker = await seekerOf(advisor, "Erwan", "Visio");
  const seekerPhone = "+33612345678";
  const convocation = await call("POST", `/seekers/${seeker.seekerId}/convocations`, advisor.token, { start: daysAhead(6, 12), durationMinutes: 30, channel: "video" });
  expect(convocation.status, JSON.stringify(convocation.body)).toBe(201);
  const interviewId: string = convocation.body.interviewId;
  await moveInterviewStart(interviewId, new Date(Date.now() - 60_000));

  const desk = await advisorPage(browser, advisor, `/conseiller/entretiens/${interviewId}`);
  const room = desk.page;
  await expect(room.getByRole("heading", { name: "Entretien avec Erwan Visio" })).toBeVisible();
  const dialIn = room.getByRole("button", { name: "Appeler la personne pour qu'elle rejoigne l'entretien par téléphone" });
  // Nobody is in the meeting yet: nothing to dial into.
  await expect(dialIn).toHaveCount(0);
  await tabTo(room, room.getByRole("button", { name: "Rejoindre la visioconférence" }));
  await room.keyboard.press("Enter");
  // No media service locally: the video fails, and the meeting it made runs on.
  await expect(room.getByText("La visioconférence ne fonctionne pas")).toBeVisible({ timeout: 40_000 });
  const meetingId: string = (await call("GET", `/interviews/${interviewId}`, advisor.token)).body.meeting.meetingId;
  expect(meetingId).toBeTruthy();
  await expect(room.getByText("Si la vidéo ne marche pas pour Erwan Visio, appelez son téléphone depuis cette page : le 06 12 34 56 78 sonne et affiche le numéro de l'agence.")).toBeVisible();
  await expect(room.getByText(/la personne rejoint cet entretien par téléphone et sa voix passe dans la visioconférence ; « Passer au téléphone »/)).toBeVisible();
  // The switch stays the alternative.
  await expect(room.getByRole("button", { name: "Passer au téléphone" })).toBeVisible();
  await expect(dialIn).toBeEnabled();
  await check(room, "16-salle-visio-appel-avant");

  await tabTo(room, dialIn);
  await room.keyboard.press("Enter");
  const status = room.getByRole("status", { name: "État de l'appel" });
  // The seeker's phone rings, showing the agency's number.
  await expect.poll(async () => (await lastCall(seekerPhone))?.state, { timeout: 15_000 }).toBe("ringing");
  expect((await lastCall(seekerPhone))?.callerId).toBe(AGENCY_NUMBER);
  await expect(status).toHaveText("Ça sonne chez Erwan Visio : en décrochant, la personne rejoint cet entretien.");
  await answer(seekerPhone);
  await expect(status).toHaveText("Erwan Visio a rejoint l'entretien par téléphone : sa voix passe dans la visioconférence.");
  // The journal: the call joined the meeting, and the attendance proof shows the phone leg.
  await expect
    .poll(async () => (await journalEntries(advisor, seeker.seekerId, "call")).map((e) => e.details.event), { timeout: 15_000 })
    .toContain("joined_meeting");
  await expect
    .poll(async () => (await journalEntries(advisor, seeker.seekerId, "attendance")).filter((e) => e.details.leg === "phone" && e.details.meetingId === meetingId).map((e) => e.details.event), { timeout: 15_000 })
    .toContain("joined");
  await check(room, "16-salle-visio-appel-en-cours");

  const hangUp = room.getByRole("button", { name: "Raccrocher" });
  await tabTo(room, hangUp);
  await room.keyboard.press("Enter");
  await expect(status).toHaveText("Appel terminé.");
  await expect.poll(async () => (await lastCall(seekerPhone))?.state, { timeout: 15_000 }).toBe("ended");
  await expect(hangUp).toHaveCount(0);
  await expect(dialIn).toBeEnabled();
  const events = (await journalEntries(advisor, seeker.seekerId, "call")).map((e) => e.details.event).reverse();
  expect(events.slice(0, 4)).toEqual(["started", "ringing_seeker", "answered_seeker", "joined_meeting"]);
  // Still a video interview: the dial-in changed no channel.
  expect((await call("GET", `/interviews/${interviewId}`, advisor.token)).body.channel).toBe("video");

  // The seeker removed their number meanwhile: the API refuses, and the room says why.
  const removed = await call("PATCH", "/seekers/me", seeker.token, { phone: null });
  expect(removed.status, JSON.stringify(removed.body)).toBe(200);
  await tabTo(room, dialIn);
  await room.keyboard.press("Enter");
  // (The video's failure is an alert too: this one is the call's.)
  await expect(room.getByRole("alert").filter({ hasText: "Cette personne n'a pas de numéro de téléphone français dans son profil" })).toHaveText(
    "Cette personne n'a pas de numéro de téléphone français dans son profil : l'appel ne peut pas partir. Écrivez-lui par la messagerie.",
  );
  await expect(room.getByRole("button", { name: "Raccrocher" })).toHaveCount(0);
  await check(room, "16-salle-visio-appel-refuse");
  await desk.context.close();
});

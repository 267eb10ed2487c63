// Journey 2: a seeker's file, as their advisor sees it: profile, level and its history, the
// journal as a timeline, interviews, and the actions (write, book one of the advisor's slots, convoke).
import { call, check, createAdvisor, createSlot, daysAhead, DESK, expect, seekerOf, signInStaff, test } from "./support";
import { parisDayKey, parisInstant } from "../src/lib/time";

test.use(DESK);

test("the advisor reads a seeker's file, changes the level (said what it implies) and sees it in the history", async ({ page }) => {
  const advisor = await createAdvisor("Sarah", "Dossier");
  const seeker = await seekerOf(advisor, "Rémi", "Lambert");
  const slot = await createSlot(advisor, daysAhead(3, 9));
  const booked = await call("POST", "/interviews", seeker.token, { slotId: slot, channel: "video" });
  expect(booked.status, JSON.stringify(booked.body)).toBe(201);
  const convoked = await call("POST", `/seekers/${seeker.seekerId}/convocations`, advisor.token, {
    start: daysAhead(5, 13),
    durationMinutes: 45,
    channel: "phone",
  });
  expect(convoked.status, JSON.stringify(convoked.body)).toBe(201);

  await signInStaff(page, advisor.sub, "advisors");
  await page.getByRole("link", { name: "Rémi Lambert", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Rémi Lambert" })).toBeVisible();
  await expect(page.getByText(seeker.email)).toBeVisible();
  await expect(page.getByText("06 12 34 56 78")).toBeVisible();
  const interviews = page.getByRole("list", { name: "Entretiens avec cette personne" });
  await expect(interviews.getByRole("listitem")).toHaveCount(2);
  await expect(interviews).toContainText("visioconférence, 30 min");
  await expect(interviews).toContainText("téléphone, 45 min");
  await expect(interviews).toContainText("Convocation, réception pas encore confirmée");
  const timeline = page.getByRole("list", { name: /Journal du suivi/ });
  await expect(timeline).toContainText("Rendez-vous pris");
  await expect(timeline).toContainText("Convocation à un rendez-vous obligatoire");
  await expect(page.getByRole("link", { name: "Écrire" })).toHaveAttribute("href", `/conseiller/messages/${seeker.seekerId}`);
  await expect(interviews.getByRole("link").first()).toHaveAttribute("href", `/conseiller/entretiens/${booked.body.interviewId}`);
  await check(page, "dossier");

  // A level the advisor also follows: the seeker stays.
  await page.getByRole("button", { name: "Changer de niveau" }).click();
  const form = page.getByRole("form", { name: "Changer de niveau" });
  await form.getByLabel("Nouveau niveau").selectOption("follow_up");
  await expect(form).toContainText("la personne reste dans votre portefeuille");
  await form.getByRole("button", { name: "Changer le niveau" }).click();
  await expect(form.getByText("Indiquez le motif du changement")).toBeVisible();
  await expect(form.getByLabel("Motif")).toBeFocused();
  await check(page, "dossier-niveau-erreur");
  await form.getByLabel("Motif").fill("Recherche autonome, CV à jour");
  await form.getByRole("button", { name: "Changer le niveau" }).click();
  await expect(page.getByText("Niveau changé : Appui et suivi à la recherche d'emploi.")).toBeVisible();
  const history = page.getByRole("list", { name: "Historique des niveaux" });
  await expect(history).toContainText("Accompagnement guidé → Appui et suivi à la recherche d'emploi (« Recherche autonome, CV à jour »)");
  await expect(timeline).toContainText("Changement de niveau d'accompagnement");
  await check(page, "dossier-niveau-change");

  // A level this (web) advisor does not follow: said before, and the seeker leaves the portfolio.
  await signInStaff(page, advisor.sub, "advisors", `/conseiller/demandeurs/${seeker.seekerId}`);
  await page.getByRole("button", { name: "Changer de niveau" }).click();
  await form.getByLabel("Nouveau niveau").selectOption("reinforced");
  await expect(form).toContainText("vous ne suivez pas ce niveau");
  await form.getByLabel("Motif").fill("Besoin d'un suivi rapproché");
  await form.getByRole("button", { name: "Changer le niveau" }).click();
  await expect(page.getByText(/ne fait plus partie de votre portefeuille/)).toBeVisible();
  await check(page, "dossier-niveau-depart");
  await page.getByRole("link", { name: "Portefeuille", exact: true }).first().click();
  await expect(page.getByRole("heading", { level: 1, name: "Mon portefeuille" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Rémi Lambert", exact: true })).toHaveCount(0);
});

test("a seeker who is not in the advisor's portfolio has no file for them", async ({ page }) => {
  const advisor = await createAdvisor();
  const other = await createAdvisor();
  const stranger = await seekerOf(other, "Lou", "Ailleurs");
  await signInStaff(page, advisor.sub, "advisors", `/conseiller/demandeurs/${stranger.seekerId}`);
  await expect(page.getByText("Cette personne n'est pas, ou plus, dans votre portefeuille.")).toBeVisible();
  await expect(page.getByText("Lou")).toHaveCount(0);
  await check(page, "dossier-inconnu");
});

test("from the file, the advisor books one of their slots for the seeker; one taken meanwhile is said", async ({ page }) => {
  const advisor = await createAdvisor("Régis", "Reserve");
  const seeker = await seekerOf(advisor, "Clara", "Pourelle");
  const day = parisDayKey(new Date(Date.now() + 4 * 86_400_000).toISOString());
  const first = await createSlot(advisor, parisInstant(day, 10, 0).replace(".000Z", "Z"), ["video"]);
  await createSlot(advisor, parisInstant(day, 15, 0).replace(".000Z", "Z"), ["video", "phone"]);
  await signInStaff(page, advisor.sub, "advisors", `/conseiller/demandeurs/${seeker.seekerId}`);
  await page.getByRole("button", { name: "Réserver un de mes créneaux" }).click();
  const form = page.getByRole("form", { name: "Réserver un de mes créneaux" });
  await form.getByRole("button", { name: /^10 h 00 le / }).click();
  await check(page, "dossier-reserver");
  // The seeker takes it themselves just before.
  expect((await call("POST", "/interviews", seeker.token, { slotId: first, channel: "video" })).status).toBe(201);
  await form.getByRole("button", { name: "Réserver ce rendez-vous" }).click();
  await expect(form.getByRole("alert")).toHaveText("Ce créneau vient d'être réservé. La liste est à jour : choisissez-en un autre.");
  await expect(form.getByRole("button", { name: /^10 h 00 le / })).toHaveCount(0);
  await check(page, "dossier-reserver-pris");
  await form.getByRole("button", { name: /^15 h 00 le / }).click();
  await form.getByRole("button", { name: "Réserver ce rendez-vous" }).click();
  await expect(form.getByRole("alert")).toHaveText("Choisissez un créneau et un moyen.");
  await form.getByText("Téléphone", { exact: true }).click();
  await form.getByRole("button", { name: "Réserver ce rendez-vous" }).click();
  await expect(page.getByText(/Rendez-vous réservé pour Clara Pourelle le .* à 15 h 00, téléphone\./)).toBeVisible();
  const interviews = page.getByRole("list", { name: "Entretiens avec cette personne" });
  await expect(interviews.getByRole("listitem")).toHaveCount(2);
  await expect(interviews).toContainText("téléphone, 30 min");
  await check(page, "dossier-reserve");
  const mine = await call("GET", "/seekers/me/interviews", seeker.token);
  expect(mine.body.items.map((i: { channel: string }) => i.channel).sort()).toEqual(["phone", "video"]);
});

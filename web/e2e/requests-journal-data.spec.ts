// Journeys 7, 8 and 9: asking for an in-person interview and reading the answer; the follow-up
// journal, newest first, paged; my data (phone and channels, the export, erasure).
import { expect, test } from "./support";
import { readFileSync } from "node:fs";
import { call, check, createAdvisor, createSlot, daysAhead, goTo, seekerOf, signIn, tick, token } from "./support";

test("in person: the request, the advisor's refusal with a message, a second request accepted", async ({ page }) => {
  const advisor = await createAdvisor("Yannick", "Le Floch");
  const seeker = await seekerOf(advisor, "Enora", "Sur-Place");
  await signIn(page, seeker.sub);
  await page.getByRole("link", { name: "Demander un entretien sur place" }).click();
  await expect(page.getByRole("heading", { name: "Demander un entretien sur place" })).toBeVisible();
  await page.getByRole("button", { name: "Envoyer ma demande" }).click();
  await expect(page.getByText("Expliquez en quelques mots pourquoi vous souhaitez un entretien sur place.")).toBeVisible();
  await check(page, "07-sur-place-erreur");
  await page.getByLabel("Pourquoi souhaitez-vous un entretien sur place ?").fill("Je voudrais montrer mon dossier de formation.");
  await page.getByRole("button", { name: "Envoyer ma demande" }).click();
  await expect(page.getByText("Votre demande est envoyée.", { exact: false })).toBeVisible();
  await expect(page.getByText("en attente de réponse", { exact: false })).toBeVisible();
  await check(page, "07-sur-place-envoyee");

  const open = await call("GET", "/advisors/me/in-person-requests", advisor.token);
  const first = open.body.items.find((r: { seekerId: string }) => r.seekerId === seeker.seekerId);
  const declined = await call("POST", `/in-person-requests/${first.requestId}/decline`, advisor.token, {
    message: "Voyons-nous d'abord en visio la semaine prochaine.",
  });
  expect(declined.status, JSON.stringify(declined.body)).toBe(200);
  await goTo(page, "Accueil");
  await page.getByRole("link", { name: "Demander un entretien sur place" }).click();
  await expect(page.getByText("refusée", { exact: false })).toBeVisible();
  await expect(page.getByText("« Voyons-nous d'abord en visio la semaine prochaine. »", { exact: false })).toBeVisible();

  await page.getByLabel("Pourquoi souhaitez-vous un entretien sur place ?").fill("Après notre visio, comme convenu.");
  await page.getByRole("button", { name: "Envoyer ma demande" }).click();
  await expect(page.getByText("en attente de réponse", { exact: false })).toBeVisible();
  const again = (await call("GET", "/advisors/me/in-person-requests", advisor.token)).body.items.find(
    (r: { seekerId: string }) => r.seekerId === seeker.seekerId,
  );
  const accepted = await call("POST", `/in-person-requests/${again.requestId}/accept`, advisor.token, {
    start: daysAhead(14, 9),
    durationMinutes: 60,
    location: "Agence de Quimper, 3 rue du Parc",
  });
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
  await goTo(page, "Accueil");
  await page.getByRole("link", { name: "Demander un entretien sur place" }).click();
  await expect(page.getByText("acceptée", { exact: false })).toBeVisible();
  await check(page, "07-sur-place-reponses");
  await page.getByRole("link", { name: "Voir le rendez-vous en agence" }).click();
  await expect(page.getByText("À l'adresse : Agence de Quimper, 3 rue du Parc.")).toBeVisible();
});

test("my follow-up: the journal, newest first, in pages", async ({ page }) => {
  const advisor = await createAdvisor();
  const seeker = await seekerOf(advisor, "Malo", "Journal");
  // Enough events for two pages: bookings and cancellations.
  for (let n = 0; n < 11; n++) {
    const slot = await createSlot(advisor, daysAhead(20 + n, 9), ["video"]);
    const booked = await call("POST", "/interviews", seeker.token, { slotId: slot, channel: "video" });
    expect(booked.status).toBe(201);
    const cancelled = await call("POST", `/interviews/${booked.body.interviewId}/cancel`, seeker.token, { reason: `empêchement ${n + 1}` });
    expect(cancelled.status).toBe(200);
  }
  // The emails of these 22 changes are journaled when sent, by the stream or the sweep: wait
  // until the journal stops growing, so the order checked below is the final one.
  await settledJournal(seeker.token, seeker.seekerId);
  await signIn(page, seeker.sub);
  await goTo(page, "Mon suivi");
  const journal = page.getByRole("list", { name: "Journal de suivi" });
  await expect(journal.getByRole("listitem")).toHaveCount(20);
  // Newest first: the last cancellation comes before every other one (emails sent meanwhile
  // may come first of all).
  const cancellations = journal.getByRole("listitem").filter({ hasText: "Rendez-vous annulé" });
  await expect(cancellations.first()).toContainText("motif : « empêchement 11 »");
  await expect(cancellations.nth(1)).toContainText("motif : « empêchement 10 »");
  await check(page, "08-suivi");
  // Older pages until the first event of all.
  const more = page.getByRole("button", { name: "Afficher les événements plus anciens" });
  for (let shown = 20; await more.isVisible(); ) {
    await more.click();
    await expect(journal.getByRole("listitem")).not.toHaveCount(shown);
    shown = await journal.getByRole("listitem").count();
  }
  await expect(journal.getByRole("listitem").last()).toContainText("Inscription au service");
  expect(await journal.getByRole("listitem").count()).toBeGreaterThan(20);
});

test("my data: phone and channels, the export as a file, erasure after saying what goes and what stays", async ({ page }) => {
  const advisor = await createAdvisor();
  const seeker = await seekerOf(advisor, "Armelle", "Donnees");
  await signIn(page, seeker.sub);
  await goTo(page, "Mes données");
  await expect(page.getByRole("heading", { name: "Mes données", level: 1 })).toBeVisible();
  await page.getByLabel("Téléphone (facultatif)").fill("abc");
  await page.getByRole("button", { name: "Enregistrer" }).click();
  await expect(page.getByText("Indiquez un numéro de téléphone valide")).toBeVisible();
  await check(page, "09-donnees-erreur");
  await page.getByLabel("Téléphone (facultatif)").fill("07 11 22 33 44");
  await tick(page, "Téléphone");
  await page.getByRole("checkbox", { name: "Visioconférence" }).uncheck({ force: true });
  // SMS go to a French mobile only: a landline with the opt-in is refused, in French, by the API.
  await page.getByLabel("Téléphone (facultatif)").fill("01 23 45 67 89");
  await tick(page, "Je veux recevoir des SMS sur mon mobile");
  await page.getByRole("button", { name: "Enregistrer" }).click();
  await expect(page.getByText("Les SMS ne partent que vers un mobile français")).toBeVisible();
  await check(page, "09-donnees-sms-refuse");
  await page.getByLabel("Téléphone (facultatif)").fill("07 11 22 33 44");
  await page.getByRole("button", { name: "Enregistrer" }).click();
  await expect(page.getByText("Vos modifications sont enregistrées.")).toBeVisible();
  const me = await call("GET", "/seekers/me", seeker.token);
  expect(me.body.phone).toBe("+33711223344");
  expect(me.body.smsOptIn).toBe(true);
  expect([...me.body.preferredChannels].sort()).toEqual(["chat", "phone"]);

  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Télécharger mes données" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^mes-donnees-\d{4}-\d{2}-\d{2}\.json$/);
  const exported = JSON.parse(readFileSync(await file.path(), "utf8"));
  expect(exported.profile.email).toBe(seeker.email);

  await page.getByRole("button", { name: "Effacer mes données…" }).click();
  await expect(page.getByText("Êtes-vous sûr ou sûre de vouloir effacer vos données ?")).toBeVisible();
  await expect(page.getByText(/Gardé, sans rien qui permette de vous reconnaître/)).toBeVisible();
  await check(page, "09-effacement-confirmation");
  await page.getByRole("button", { name: "Oui, effacer définitivement mes données" }).click();
  await expect(page.getByRole("heading", { name: "Vos données ont été effacées" })).toBeVisible();
  await check(page, "09-effacement-fait");
  const after = await call("GET", "/seekers/me", await token(seeker.sub));
  expect(after.status).toBe(404);
});

test("the pages every public site needs, from the footer", async ({ page }) => {
  await page.goto("/connexion");
  await check(page, "00-connexion-locale");
  for (const [link, heading, shot] of [
    ["Accessibilité : non conforme", "Déclaration d'accessibilité", "10-accessibilite"],
    ["Mentions légales", "Mentions légales", "10-mentions-legales"],
    ["Données personnelles", "Données personnelles", "10-donnees-personnelles"],
  ] as const) {
    await page.getByRole("contentinfo").getByRole("link", { name: link }).click();
    await expect(page.getByRole("heading", { name: heading, level: 1 })).toBeVisible();
    await check(page, shot);
    if (shot === "10-accessibilite") await expect(page.getByText("il n'a pas encore été audité")).toBeVisible();
  }
});

/** Every entry of the seeker's journal, once two reads two seconds apart agree (at most a minute). */
async function settledJournal(token: string, seekerId: string): Promise<number> {
  const count = async () => {
    let total = 0;
    let cursor: string | undefined;
    do {
      const query = cursor ? `?limit=50&cursor=${encodeURIComponent(cursor)}` : "?limit=50";
      const page = await call("GET", `/seekers/${seekerId}/journal${query}`, token);
      expect(page.status).toBe(200);
      total += page.body.items.length;
      cursor = page.body.nextCursor ?? undefined;
    } while (cursor);
    return total;
  };
  let last = await count();
  for (let tries = 0; tries < 30; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const now = await count();
    if (now === last) return now;
    last = now;
  }
  return last;
}

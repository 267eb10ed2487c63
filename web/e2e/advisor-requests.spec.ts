// Journey 7: the open in-person requests of the portfolio, accepted with a time, a duration
// and a place (booked), or declined with a message.
import { call, check, createAdvisor, createSlot, DESK, expect, seekerOf, signInStaff, test } from "./support";
import { parisDayKey, parisInstant } from "../src/lib/time";

test.use(DESK);

test("accepting books the interview (an agenda conflict is said), declining sends the message", async ({ page }) => {
  const advisor = await createAdvisor("Paule", "Agence");
  const asker = await seekerOf(advisor, "Odile", "Surplace");
  const other = await seekerOf(advisor, "Victor", "Refus");
  const booker = await seekerOf(advisor, "Zoé", "Occupe");
  const day = parisDayKey(new Date(Date.now() + 3 * 86_400_000).toISOString());
  const slot = await createSlot(advisor, parisInstant(day, 10, 0).replace(".000Z", "Z"));
  expect((await call("POST", "/interviews", booker.token, { slotId: slot, channel: "video" })).status).toBe(201);
  for (const [who, reason] of [
    [asker, "Signer mon contrat d'engagement"],
    [other, "Parler de ma formation"],
  ] as const) {
    const r = await call("POST", "/seekers/me/in-person-requests", who.token, { reason });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }

  await signInStaff(page, advisor.sub, "advisors");
  await page.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Demandes d'entretien sur place" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Demandes d'entretien sur place" })).toBeVisible();
  const odile = page.getByRole("region", { name: /^Odile Surplace, demande du/ });
  const victor = page.getByRole("region", { name: /^Victor Refus, demande du/ });
  await expect(odile).toContainText("Motif : « Signer mon contrat d'engagement »");
  await expect(victor).toContainText("Motif : « Parler de ma formation »");
  await check(page, "demandes");

  await odile.getByRole("button", { name: "Accepter et fixer le rendez-vous" }).click();
  const accept = page.getByRole("form", { name: "Accepter la demande de Odile Surplace" });
  await accept.getByLabel("Jour").fill(day);
  await accept.getByLabel("Heure (Paris)").fill("10:00");
  await accept.getByRole("button", { name: "Confirmer le rendez-vous" }).click();
  await expect(accept.getByRole("alert")).toHaveText("Indiquez le lieu de l'entretien.");
  await accept.getByLabel(/^Lieu/).fill("Agence de Vannes, 5 place de la Libération");
  await accept.getByRole("button", { name: "Confirmer le rendez-vous" }).click();
  await expect(accept.getByRole("alert")).toHaveText("Vous avez déjà un rendez-vous qui chevauche cet horaire.");
  await check(page, "demandes-conflit");
  await accept.getByLabel("Heure (Paris)").fill("14:00");
  await accept.getByRole("button", { name: "Confirmer le rendez-vous" }).click();
  await expect(page.getByText(/Demande de Odile Surplace acceptée : entretien sur place le .* à 14 h 00, Agence de Vannes, 5 place de la Libération\./)).toBeVisible();
  await expect(odile).toBeHidden();
  const mine = await call("GET", "/seekers/me/in-person-requests", asker.token);
  expect(mine.body.items[0].status).toBe("accepted");
  const interview = await call("GET", `/interviews/${mine.body.items[0].interviewId}`, asker.token);
  expect(interview.body).toMatchObject({ channel: "in_person", durationMinutes: 60, location: "Agence de Vannes, 5 place de la Libération" });
  expect(interview.body.start).toMatch(/T14:00:00\+0[12]:00$/);

  await victor.getByRole("button", { name: "Refuser" }).click();
  const decline = page.getByRole("form", { name: "Refuser la demande de Victor Refus" });
  await decline.getByRole("button", { name: "Envoyer le refus" }).click();
  await expect(decline.getByText("Écrivez à la personne pourquoi")).toBeVisible();
  await check(page, "demandes-refus-vide");
  await decline.getByLabel(/^Votre message/).fill("Voyons-nous d'abord en visioconférence la semaine prochaine.");
  await decline.getByRole("button", { name: "Envoyer le refus" }).click();
  await expect(page.getByText("Demande de Victor Refus refusée : la personne reçoit votre message par courriel.")).toBeVisible();
  await expect(page.getByText("Aucune demande ouverte.")).toBeVisible();
  await check(page, "demandes-repondues");
  const theirs = await call("GET", "/seekers/me/in-person-requests", other.token);
  expect(theirs.body.items[0]).toMatchObject({ status: "declined", message: "Voyons-nous d'abord en visioconférence la semaine prochaine." });
});

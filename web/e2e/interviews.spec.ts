// Journey 4: my interviews, upcoming and past; the detail (channel, Paris time, who calls whom,
// the .ics); acknowledging a convocation; cancelling; rescheduling onto another slot.
import { expect, test } from "./support";
import { readFileSync } from "node:fs";
import { parisDateTime } from "../src/lib/time";
import { call, check, createAdvisor, createSlot, daysAhead, goTo, moveInterviewStart, seekerOf, signIn } from "./support";

test("my interviews: lists, detail, .ics, acknowledging a convocation, cancelling and rescheduling", async ({ page }) => {
  const advisor = await createAdvisor("Loïc", "Guillou");
  const seeker = await seekerOf(advisor, "Soizic", "Le Roux");
  // A convocation by phone, a booked video interview, a free slot to move it to, and an
  // interview in the past whose outcome was recorded.
  const convStart = daysAhead(8, 9);
  const conv = await call("POST", `/seekers/${seeker.seekerId}/convocations`, advisor.token, { start: convStart, durationMinutes: 45, channel: "phone" });
  expect(conv.status, JSON.stringify(conv.body)).toBe(201);
  const bookedStart = daysAhead(9, 9);
  const slot = await createSlot(advisor, bookedStart, ["video", "phone"]);
  const booked = await call("POST", "/interviews", seeker.token, { slotId: slot, channel: "video" });
  expect(booked.status, JSON.stringify(booked.body)).toBe(201);
  const laterStart = daysAhead(10, 13);
  await createSlot(advisor, laterStart, ["video"]);
  const pastSlot = await createSlot(advisor, daysAhead(11, 9), ["chat"]);
  const past = await call("POST", "/interviews", seeker.token, { slotId: pastSlot, channel: "chat" });
  const pastStart = new Date(Date.now() - 3 * 86_400_000);
  pastStart.setUTCMinutes(0, 0, 0);
  await moveInterviewStart(past.body.interviewId, pastStart);
  const outcome = await call("POST", `/interviews/${past.body.interviewId}/outcome`, advisor.token, { outcome: "completed" });
  expect(outcome.status, JSON.stringify(outcome.body)).toBe(200);

  await signIn(page, seeker.sub);
  await goTo(page, "Mes rendez-vous");
  await expect(page.getByRole("heading", { name: "Mes rendez-vous", level: 1 })).toBeVisible();
  await expect(page.getByRole("link", { name: `${parisDateTime(convStart)} — Téléphone` })).toBeVisible();
  await expect(page.getByRole("link", { name: `${parisDateTime(pastStart.toISOString())} — Messagerie écrite` })).toBeVisible();
  await expect(page.getByText("Réalisé")).toBeVisible();
  await check(page, "04-mes-rendez-vous");

  // The convocation: who calls whom, the mandatory wording, the acknowledgement.
  await page.getByRole("link", { name: `${parisDateTime(convStart)} — Téléphone` }).click();
  await expect(page.getByRole("heading", { name: `Rendez-vous du ${parisDateTime(convStart)}` })).toBeVisible();
  await expect(page.getByText("Votre conseiller ou conseillère vous appelle au 06 12 34 56 78. Vous n'avez pas à appeler.")).toBeVisible();
  await expect(page.getByText(/Votre présence à ce rendez-vous est obligatoire/)).toBeVisible();
  await expect(page.getByRole("button", { name: "Annuler ce rendez-vous" })).toHaveCount(0);
  await check(page, "04-convocation");
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Ajouter à mon agenda (.ics)" }).click();
  const ics = readFileSync(await (await download).path(), "utf8");
  expect(ics).toContain(`DTSTART:${convStart.replace(/[-:]/g, "")}`);
  await page.getByRole("button", { name: "J'ai pris connaissance de cette convocation" }).click();
  await expect(page.getByText(/Vous avez accusé réception de cette convocation le/)).toBeVisible();
  await check(page, "04-convocation-accusee");
  const acked = await call("GET", `/interviews/${conv.body.interviewId}`, seeker.token);
  expect(acked.body.acknowledgedAt).not.toBeNull();

  // Rescheduling the video interview onto the later slot.
  await page.getByRole("link", { name: "Tous mes rendez-vous" }).click();
  await page.getByRole("link", { name: `${parisDateTime(bookedStart)} — Visioconférence` }).click();
  await page.getByRole("link", { name: "Déplacer" }).click();
  await expect(page.getByRole("heading", { name: "Déplacer mon rendez-vous" })).toBeVisible();
  await page.getByRole("button", { name: new RegExp(`à ${parisDateTime(laterStart).split(" à ")[1]}`) }).click();
  await check(page, "04-deplacer");
  await page.getByRole("button", { name: "Confirmer le déplacement" }).click();
  await expect(page.getByRole("heading", { name: "Votre rendez-vous est confirmé" })).toBeVisible();
  await page.getByRole("link", { name: "Voir le rendez-vous" }).click();
  await expect(page.getByRole("heading", { name: `Rendez-vous du ${parisDateTime(laterStart)}` })).toBeVisible();

  // Cancelling it, with a reason (an empty one is refused next to the field).
  await page.getByRole("button", { name: "Annuler ce rendez-vous" }).click();
  await page.getByRole("button", { name: "Confirmer l'annulation" }).click();
  await expect(page.getByText("Indiquez en quelques mots pourquoi vous annulez.")).toBeVisible();
  await check(page, "04-annulation-erreur");
  await page.getByLabel("Pourquoi annulez-vous ?").fill("J'ai un entretien d'embauche à cette heure-là.");
  await page.getByRole("button", { name: "Confirmer l'annulation" }).click();
  await expect(page.getByText("Annulé", { exact: true })).toBeVisible();
  await expect(page.getByText("J'ai un entretien d'embauche à cette heure-là.")).toBeVisible();
  await check(page, "04-annule");
});

// Journey 3: convoking a seeker to a mandatory interview on the agenda's grid; an agenda
// conflict says what is in the way; the whole of it with the keyboard alone.
import { call, check, createAdvisor, createSlot, DESK, expect, seekerOf, signInStaff, test } from "./support";
import { parisDayKey, parisInstant } from "../src/lib/time";

test.use(DESK);

const dayAhead = (days: number) => parisDayKey(new Date(Date.now() + days * 86_400_000).toISOString());

test("convoking on the grid; a time that overlaps an interview is refused with what is in the way", async ({ page }) => {
  const advisor = await createAdvisor("Yves", "Convoque");
  const booker = await seekerOf(advisor, "Alice", "Dejala");
  const seeker = await seekerOf(advisor, "Marc", "Convoque");
  const day = dayAhead(4);
  const slot = await createSlot(advisor, parisInstant(day, 10, 0).replace(".000Z", "Z"));
  const booked = await call("POST", "/interviews", booker.token, { slotId: slot, channel: "video" });
  expect(booked.status, JSON.stringify(booked.body)).toBe(201);

  await signInStaff(page, advisor.sub, "advisors", `/conseiller/demandeurs/${seeker.seekerId}`);
  await page.getByRole("link", { name: "Convoquer à un entretien obligatoire" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Convoquer Marc Convoque à un entretien obligatoire" })).toBeVisible();
  await page.getByLabel("Jour").fill(day);
  await expect(page.getByRole("button", { name: "10 h 00 (déjà un entretien)" })).toBeDisabled();
  await expect(page.getByText("Déjà ce jour-là : 10 h 00 – 10 h 30 (Alice Dejala).")).toBeVisible();
  await page.getByRole("button", { name: "09 h 45", exact: true }).click();
  await expect(page.getByRole("button", { name: "09 h 45", exact: true })).toHaveAttribute("aria-pressed", "true");
  await check(page, "convocation");
  await page.getByRole("button", { name: "Envoyer la convocation" }).click();
  const alert = page.getByText(/Sur votre agenda : entretien avec Alice Dejala de 10 h 00 à 10 h 30 \(visioconférence\)/);
  await expect(alert).toBeVisible();
  await expect(page.getByRole("heading", { name: "Cet horaire chevauche un autre entretien" })).toBeVisible();
  await check(page, "convocation-conflit");

  // Its working twin: another hour, in person, with the place.
  await page.getByRole("button", { name: "11 h 00", exact: true }).click();
  await expect(alert).toBeHidden();
  await page.getByLabel("Durée").selectOption("45");
  await page.getByText("Sur place, en agence").click();
  await page.getByRole("button", { name: "Envoyer la convocation" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Indiquez le lieu de l'entretien sur place." })).toBeVisible();
  await check(page, "convocation-lieu-manquant");
  await page.getByLabel("Lieu").fill("Agence de Rennes, 2 rue de Nemours");
  await page.getByRole("button", { name: "Envoyer la convocation" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Convocation envoyée" })).toBeVisible();
  await expect(page.getByText("Sur place, en agence, 45 minutes, Agence de Rennes, 2 rue de Nemours.")).toBeVisible();
  await check(page, "convocation-envoyee");
  await page.getByRole("link", { name: "Retour au dossier" }).click();
  await expect(page.getByRole("list", { name: "Entretiens avec cette personne" })).toContainText("sur place, en agence, 45 min");
});

test("convoking with the keyboard alone", async ({ page }) => {
  const advisor = await createAdvisor();
  const seeker = await seekerOf(advisor, "Nina", "Clavier");
  await signInStaff(page, advisor.sub, "advisors", `/conseiller/demandeurs/${seeker.seekerId}/convoquer`);
  await expect(page.getByRole("heading", { level: 1, name: /Convoquer Nina Clavier/ })).toBeVisible();
  const k = page.keyboard;
  const tabTo = async (target: ReturnType<typeof page.getByRole>) => {
    for (let n = 0; n < 80 && !(await target.evaluate((el) => el === document.activeElement)); n++) await k.press("Tab");
    await expect(target).toBeFocused();
  };
  // The default day (in two days), then the grid, Tab by Tab from the top of the form.
  await page.getByLabel("Jour").focus();
  await tabTo(page.getByRole("button", { name: "14 h 30", exact: true }));
  await k.press("Enter");
  await expect(page.getByRole("button", { name: "14 h 30", exact: true })).toHaveAttribute("aria-pressed", "true");
  await tabTo(page.getByLabel("Durée"));
  await k.press("ArrowDown"); // 45 minutes
  await expect(page.getByLabel("Durée")).toHaveValue("45");
  await tabTo(page.getByRole("radio", { name: "Visioconférence" }));
  await k.press("ArrowDown");
  await expect(page.getByRole("radio", { name: "Téléphone" })).toBeChecked();
  await tabTo(page.getByRole("button", { name: "Envoyer la convocation" }));
  await k.press("Enter");
  await expect(page.getByRole("heading", { level: 1, name: "Convocation envoyée" })).toBeVisible();
  await expect(page.getByText("Téléphone, 45 minutes.")).toBeVisible();
  await tabTo(page.getByRole("link", { name: "Retour au dossier" }));
  await k.press("Enter");
  await expect(page.getByRole("heading", { level: 1, name: "Nina Clavier" })).toBeVisible();
});

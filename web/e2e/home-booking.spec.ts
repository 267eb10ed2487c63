// Journeys 2 and 3: the home page, and booking an interview (a refusal said kindly when
// someone was faster, and the whole booking with the keyboard alone).
import { type Page } from "@playwright/test";
import { expect, test } from "./support";
import { parisDay, parisHour } from "../src/lib/time";
import { advisorChat, call, check, createAdvisor, createSlot, daysAhead, seekerOf, signIn, tick } from "./support";

function slotName(start: string) {
  return `${parisDay(start)} à ${parisHour(start)}, 30 minutes`;
}

/** In-app navigation: a reload would sign out (the token lives in memory only). */
async function openBooking(page: Page) {
  await page.getByRole("link", { name: "Prendre rendez-vous" }).first().click();
  await expect(page.getByRole("heading", { name: "Prendre rendez-vous" })).toBeVisible();
}

test("home: my advisor, my level, next contact, interviews, unread messages and a convocation banner", async ({ page, browser }) => {
  const advisor = await createAdvisor("Gwenaëlle", "Le Bihan");
  const seeker = await seekerOf(advisor, "Erwan", "Caradec");
  const start = daysAhead(5, 13);
  const convocation = await call("POST", `/seekers/${seeker.seekerId}/convocations`, advisor.token, { start, durationMinutes: 30, channel: "phone" });
  expect(convocation.status, JSON.stringify(convocation.body)).toBe(201);
  const chat = await advisorChat(browser, advisor);
  await chat.say(seeker.seekerId, "Bonjour Erwan, bienvenue !");
  await chat.close();

  await signIn(page, seeker.sub);
  await expect(page.getByRole("heading", { name: "Bonjour Erwan" })).toBeVisible();
  await expect(page.getByText("Votre conseiller ou conseillère : Gwenaëlle Le Bihan")).toBeVisible();
  await expect(page.getByText("accompagnement guidé")).toBeVisible();
  await expect(page.getByText(/Prochain contact prévu au plus tard le/)).toBeVisible();
  await expect(page.getByText("1 nouveau message.")).toBeVisible();
  await expect(page.getByRole("heading", { name: /Convocation à un rendez-vous obligatoire le/ })).toBeVisible();
  await expect(page.getByRole("link", { name: /Téléphone \(obligatoire\)/ })).toBeVisible();
  await check(page, "02-accueil");
});

test("booking: free slots by day, the channel, the confirmation", async ({ page }) => {
  const advisor = await createAdvisor();
  const seeker = await seekerOf(advisor, "Morgane", "Tanguy");
  const first = daysAhead(3, 9);
  const second = daysAhead(3, 10);
  await createSlot(advisor, first, ["video", "phone"]);
  await createSlot(advisor, second, ["video"]);
  await createSlot(advisor, daysAhead(4, 14), ["phone", "in_person"]);

  await signIn(page, seeker.sub);
  await page.getByRole("link", { name: "Prendre rendez-vous" }).first().click();
  await expect(page.getByRole("heading", { name: "Prendre rendez-vous" })).toBeVisible();
  await expect(page.getByRole("button", { name: slotName(second) })).toBeVisible();
  await check(page, "03-creneaux");

  await page.getByRole("button", { name: slotName(first) }).click();
  await expect(page.getByRole("button", { name: slotName(first) })).toHaveAttribute("aria-pressed", "true");
  await tick(page, "Téléphone", "radio");
  await check(page, "03-creneau-choisi");
  await page.getByRole("button", { name: "Confirmer le rendez-vous" }).click();
  await expect(page.getByRole("heading", { name: "Votre rendez-vous est confirmé" })).toBeVisible();
  await check(page, "03-rendez-vous-confirme");

  const mine = await call("GET", "/seekers/me/interviews?scope=upcoming", seeker.token);
  expect(mine.body.items.map((i: { channel: string; start: string }) => [i.channel, new Date(i.start).toISOString()])).toEqual([
    ["phone", new Date(first).toISOString()],
  ]);
});

test("two people book the same slot at once: one confirmation, one kind refusal and a fresh list", async ({ browser }) => {
  const advisor = await createAdvisor();
  const [a, b] = [await seekerOf(advisor, "Alan", "Riou"), await seekerOf(advisor, "Bleuenn", "Riou")];
  const contested = daysAhead(6, 9);
  const other = daysAhead(6, 11);
  await createSlot(advisor, contested, ["video"]);
  await createSlot(advisor, other, ["video"]);

  const pages = await Promise.all(
    [a, b].map(async (s) => {
      const context = await browser.newContext();
      const page = await context.newPage();
      await signIn(page, s.sub);
      await expect(page.getByRole("heading", { name: `Bonjour ${s.firstName}` })).toBeVisible();
      await openBooking(page);
      await page.getByRole("button", { name: slotName(contested) }).click();
      await expect(page.getByRole("button", { name: "Confirmer le rendez-vous" })).toBeEnabled();
      return page;
    }),
  );
  await Promise.all(pages.map((p) => p.getByRole("button", { name: "Confirmer le rendez-vous" }).click()));

  const confirmed = pages.map((p) => p.getByRole("heading", { name: "Votre rendez-vous est confirmé" }));
  const refused = pages.map((p) => p.getByText("Quelqu'un vient de réserver ce créneau juste avant vous."));
  await expect(async () => {
    const outcomes = await Promise.all(pages.map(async (_, n) => [await confirmed[n]!.isVisible(), await refused[n]!.isVisible()]));
    expect(outcomes.filter(([ok]) => ok).length).toBe(1);
    expect(outcomes.filter(([, no]) => no).length).toBe(1);
  }).toPass();
  const loser = (await confirmed[0]!.isVisible()) ? pages[1]! : pages[0]!;
  // The list was refreshed: the slot taken is gone, the other one is offered.
  await expect(loser.getByRole("button", { name: slotName(contested) })).toHaveCount(0);
  await expect(loser.getByRole("button", { name: slotName(other) })).toBeVisible();
  await check(loser, "03-creneau-pris");
  for (const p of pages) await p.context().close();
});

test("booking with the keyboard alone", async ({ page }) => {
  const advisor = await createAdvisor();
  const seeker = await seekerOf(advisor, "Nolwenn", "Clavier");
  const start = daysAhead(7, 8, 30);
  await createSlot(advisor, start, ["video", "phone"]);
  await signIn(page, seeker.sub);
  await expect(page.getByRole("heading", { name: "Bonjour Nolwenn" })).toBeVisible();
  await openBooking(page);
  const k = page.keyboard;
  // Tab forward from the page's content until the slot has the focus.
  await page.getByRole("heading", { name: "Prendre rendez-vous" }).click();
  const slot = page.getByRole("button", { name: slotName(start) });
  for (let n = 0; n < 30 && !(await slot.evaluate((el) => el === document.activeElement)); n++) await k.press("Tab");
  await expect(slot).toBeFocused();
  await k.press("Enter");
  // Focus moves to the channel choice: the first radio.
  await expect(page.getByRole("radio", { name: "Visioconférence" })).toBeFocused();
  await k.press("ArrowDown");
  await expect(page.getByRole("radio", { name: "Téléphone" })).toBeChecked();
  // By phone, who calls: the seeker may choose to call the agency (the local stack has its number).
  await k.press("Tab");
  const callAgency = page.getByRole("checkbox", { name: /Je préfère appeler l'agence moi-même/ });
  await expect(callAgency).toBeFocused();
  await k.press("Space");
  await expect(callAgency).toBeChecked();
  await k.press("Tab");
  await expect(page.getByRole("button", { name: "Confirmer le rendez-vous" })).toBeFocused();
  await k.press("Enter");
  await expect(page.getByRole("heading", { name: "Votre rendez-vous est confirmé" })).toBeVisible();
  await expect(page.getByText(/Vous appelez l'agence au 01 23 45 67 89, à l'heure du rendez-vous\./)).toBeVisible();
});

test("the menu on a phone, with the keyboard alone: opened, kept, closed by Escape, focus given back", async ({ page }) => {
  const advisor = await createAdvisor();
  const seeker = await seekerOf(advisor, "Maël", "Menu");
  await signIn(page, seeker.sub);
  await expect(page.getByRole("heading", { name: "Bonjour Maël" })).toBeVisible();
  const menuButton = page.getByRole("button", { name: "Menu" });
  const nav = page.getByRole("navigation", { name: "Menu principal" });
  await expect(nav).toBeHidden();
  await expect(menuButton).toHaveAttribute("aria-expanded", "false");
  await menuButton.focus();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: "Menu" });
  await expect(dialog).toBeVisible();
  await expect(menuButton).toHaveAttribute("aria-expanded", "true");
  await expect(dialog.getByRole("button", { name: "Fermer" })).toBeFocused();
  await check(page, "02-menu");
  // Tab stays inside the open menu: from its last link back to its first control.
  const last = nav.getByRole("link", { name: "Mes données" });
  await last.focus();
  await page.keyboard.press("Tab");
  await expect(dialog.getByRole("button", { name: "Fermer" })).toBeFocused();
  await page.keyboard.press("Shift+Tab");
  await expect(last).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(menuButton).toBeFocused();
  // A link followed from the menu closes it behind the page it opens.
  await page.keyboard.press("Enter");
  await nav.getByRole("link", { name: "Mes rendez-vous" }).press("Enter");
  await expect(page.getByRole("heading", { level: 1, name: "Mes rendez-vous" })).toBeVisible();
  await expect(nav).toBeHidden();
});

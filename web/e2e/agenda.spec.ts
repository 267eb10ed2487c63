// Journey 4: the advisor's week, in Paris time across a daylight-saving change; publishing
// slots with a weekly repeat and their channels; deleting an open slot.
import { call, check, createAdvisor, createSlot, DESK, expect, seekerOf, signInStaff, test, tick } from "./support";
import { mondayOf, parisDayKey, parisInstant } from "../src/lib/time";

test.use(DESK);

/** The next last Sunday of March (the spring change), at least 3 days ahead. */
function springChange(): string {
  for (let year = new Date().getUTCFullYear(); ; year++) {
    const lastOfMarch = new Date(Date.UTC(year, 2, 31));
    const sunday = new Date(Date.UTC(year, 2, 31 - lastOfMarch.getUTCDay()));
    if (sunday.getTime() > Date.now() + 3 * 86_400_000) return sunday.toISOString().slice(0, 10);
  }
}
const NINE_THIRTY = `${2.5 * 48}px`;
const plusDays = (day: string, n: number) => new Date(Date.parse(`${day}T12:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

test("a week across the spring change keeps 09:30 at 09:30, and a weekly repeat publishes each week", async ({ page }) => {
  const advisor = await createAdvisor("Lise", "Agenda");
  const sunday = springChange();
  const saturday = plusDays(sunday, -1);
  const thursday = plusDays(sunday, -3);
  // Before the change (UTC+1) and after it (UTC+2): both at 09:30 in Paris.
  await createSlot(advisor, parisInstant(saturday, 9, 30).replace(".000Z", "Z"), ["video"]);
  await createSlot(advisor, parisInstant(sunday, 9, 30).replace(".000Z", "Z"), ["video"]);
  expect(parisInstant(saturday, 9, 30)).toMatch(/T08:30/);
  expect(parisInstant(sunday, 9, 30)).toMatch(/T07:30/);

  await signInStaff(page, advisor.sub, "advisors", `/conseiller/agenda?semaine=${mondayOf(sunday)}`);
  await expect(page.getByRole("heading", { level: 1, name: "Agenda" })).toBeVisible();
  const satList = page.getByRole("list", { name: /^samedi .* : 1 entretiens et créneaux libres$/ });
  const sunList = page.getByRole("list", { name: /^dimanche .* : 1 entretiens et créneaux libres$/ });
  const satSlot = satList.getByRole("listitem");
  const sunSlot = sunList.getByRole("listitem");
  await expect(satSlot).toContainText("09 h 30 créneau libre");
  await expect(sunSlot).toContainText("09 h 30 créneau libre");
  const topOf = (l: typeof satSlot) => l.evaluate((el) => (el as HTMLElement).style.top);
  // 09:30 is 2.5 hours below the grid's 07:00 top, 48 px an hour, on both sides of the change.
  expect(await topOf(satSlot)).toBe(NINE_THIRTY);
  expect(await topOf(sunSlot)).toBe(NINE_THIRTY);
  await check(page, "agenda");

  // Thursday before the change, repeated 2 weeks, by chat only: the second lands after the change, still 09:30.
  const form = page.getByRole("form", { name: "Publier des créneaux" });
  await form.getByLabel("Jour", { exact: true }).fill(thursday);
  await form.getByLabel(/^Heure de début/).fill("09:30");
  await form.getByLabel(/^Nombre de semaines/).fill("2");
  await page.getByRole("checkbox", { name: "Visioconférence" }).uncheck({ force: true });
  await page.getByRole("checkbox", { name: "Téléphone" }).uncheck({ force: true });
  await form.getByRole("button", { name: "Publier" }).click();
  await expect(form.getByRole("alert")).toHaveText("Choisissez au moins un moyen d'entretien.");
  await check(page, "agenda-creneaux-erreur");
  await tick(page, "Messagerie écrite");
  await form.getByRole("button", { name: "Publier" }).click();
  await expect(page.getByText(/2 créneaux publiés, le premier le jeudi .* à 09 h 30, le dernier le jeudi .* à 09 h 30\./)).toBeVisible();
  const thuList = page.getByRole("list", { name: /^jeudi .* : 1 entretiens et créneaux libres$/ });
  await expect(thuList.getByRole("listitem")).toContainText("09 h 30 créneau libre");
  await check(page, "agenda-creneaux-publies");
  const slots = await call("GET", `/advisors/me/slots?from=${parisInstant(thursday, 0)}&to=${parisInstant(plusDays(thursday, 8), 0)}`, advisor.token);
  const thursdays = slots.body.items.filter((s: { channels: string[] }) => s.channels.join() === "chat").map((s: { start: string }) => s.start);
  expect(thursdays).toEqual([expect.stringMatching(/T09:30:00\+01:00$/), expect.stringMatching(/T09:30:00\+02:00$/)]);

  await page.getByRole("link", { name: "Semaine suivante" }).click();
  const nextThursday = page.getByRole("list", { name: /^jeudi .* : 1 entretiens et créneaux libres$/ });
  await expect(nextThursday.getByRole("listitem")).toContainText("09 h 30 créneau libre");
  expect(await topOf(nextThursday.getByRole("listitem"))).toBe(NINE_THIRTY);
});

test("an open slot is deleted; one booked meanwhile is refused and shows as the interview", async ({ page }) => {
  const advisor = await createAdvisor("Noé", "Creneaux");
  const seeker = await seekerOf(advisor, "Jade", "Reserve");
  const day3 = parisDayKey(new Date(Date.now() + 3 * 86_400_000).toISOString());
  await createSlot(advisor, parisInstant(day3, 9, 0).replace(".000Z", "Z"));
  const taken = await createSlot(advisor, parisInstant(day3, 14, 0).replace(".000Z", "Z"));
  await signInStaff(page, advisor.sub, "advisors", `/conseiller/agenda?semaine=${mondayOf(day3)}`);
  const day = page.getByRole("list", { name: /: 2 entretiens et créneaux libres$/ });
  await expect(day.getByRole("listitem")).toHaveCount(2);
  await day.getByRole("button", { name: /^09 h 00 créneau libre/ }).click();
  const detail = page.getByRole("region", { name: "Créneau choisi" });
  await expect(detail).toContainText("30 minutes ; moyens proposés : visioconférence, téléphone");
  await check(page, "agenda-creneau");
  await detail.getByRole("button", { name: "Supprimer ce créneau" }).click();
  await expect(detail).toBeHidden();
  await expect(page.getByRole("button", { name: /^09 h 00 créneau libre/ })).toHaveCount(0);

  // The seeker books the other one while the advisor looks at it.
  await page.getByRole("button", { name: /^14 h 00 créneau libre/ }).click();
  const booked = await call("POST", "/interviews", seeker.token, { slotId: taken, channel: "video" });
  expect(booked.status, JSON.stringify(booked.body)).toBe(201);
  await detail.getByRole("button", { name: "Supprimer ce créneau" }).click();
  await expect(detail.getByRole("alert")).toHaveText("Ce créneau est réservé : annulez d'abord le rendez-vous.");
  await check(page, "agenda-creneau-reserve");
  await expect(page.getByRole("link", { name: "14 h 00 – 14 h 30 Jade Reserve" })).toHaveAttribute("href", `/conseiller/entretiens/${booked.body.interviewId}`);
});

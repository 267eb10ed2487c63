// Journey 1: the advisor's portfolio, most overdue first, with what waits on each row.
import { advisorChat, call, check, createAdvisor, daysAhead, DESK, expect, makeOverdue, seekerOf, signInStaff, test, tick } from "./support";

test.use(DESK);

test("the portfolio puts the most overdue first and filters by level, lateness and name", async ({ page, browser }) => {
  const advisor = await createAdvisor("Hélène", "Portefeuille");
  const late = await seekerOf(advisor, "Chloé", "Retard");
  const later = await seekerOf(advisor, "Bruno", "Tresretard");
  const onTime = await seekerOf(advisor, "Amir", "Alheure");
  await makeOverdue(late.seekerId, 3);
  await makeOverdue(later.seekerId, 20);
  const moved = await call("PUT", `/seekers/${onTime.seekerId}/level`, advisor.token, { level: "follow_up", reason: "Autonome" });
  expect(moved.status, JSON.stringify(moved.body)).toBe(200);
  // Chloé writes twice and asks to meet at the agency.
  const chat = await advisorChat(browser, { ...advisor, token: late.token });
  await chat.say(undefined, "Bonjour");
  await chat.say(undefined, "Pouvons-nous nous voir ?");
  await chat.close();
  const request = await call("POST", "/seekers/me/in-person-requests", late.token, { reason: "Signer mon contrat" });
  expect(request.status, JSON.stringify(request.body)).toBe(201);
  // Amir is convoked and has not confirmed yet; Bruno's convocation is confirmed.
  const pending = await call("POST", `/seekers/${onTime.seekerId}/convocations`, advisor.token, { start: daysAhead(9, 10), durationMinutes: 30, channel: "phone" });
  expect(pending.status, JSON.stringify(pending.body)).toBe(201);
  const confirmed = await call("POST", `/seekers/${later.seekerId}/convocations`, advisor.token, { start: daysAhead(9, 14), durationMinutes: 30, channel: "phone" });
  expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(201);
  const acknowledged = await call("POST", `/interviews/${confirmed.body.interviewId}/acknowledge`, later.token, {});
  expect(acknowledged.status, JSON.stringify(acknowledged.body)).toBe(200);

  await signInStaff(page, advisor.sub, "advisors");
  const table = page.getByRole("table");
  const rows = table.getByRole("row");
  await expect(rows).toHaveCount(4);
  await expect(rows.nth(1)).toContainText("Bruno Tresretard");
  await expect(rows.nth(2)).toContainText("Chloé Retard");
  await expect(rows.nth(3)).toContainText("Amir Alheure");
  await expect(rows.nth(1)).toContainText("En retard");
  await expect(rows.nth(3)).not.toContainText("En retard");
  await expect(page.getByText("dont 2 en retard de contact")).toBeVisible();
  const chloe = rows.nth(2);
  await expect(chloe.getByRole("link", { name: "2 non lus de Chloé Retard" })).toHaveAttribute("href", `/conseiller/messages/${late.seekerId}`);
  await expect(chloe.getByRole("link", { name: /Ouverte depuis le .* \(Chloé Retard\)/ })).toHaveAttribute("href", "/conseiller/demandes");
  await expect(rows.nth(3)).toContainText("Appui et suivi à la recherche d'emploi");
  // The unanswered convocation is never hidden: on its row and in the summary.
  await expect(rows.nth(3)).toContainText("À confirmer (le");
  await expect(rows.nth(1)).toContainText("Rien à confirmer");
  await expect(page.getByText("1 convocation pas encore confirmée")).toBeVisible();
  await check(page, "portefeuille");

  await page.getByLabel("Niveau d'accompagnement").selectOption("follow_up");
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(1)).toContainText("Amir Alheure");
  await expect(page.getByRole("status").filter({ hasText: "1 sur 3 personnes affichées" })).toBeVisible();
  await check(page, "portefeuille-filtre-niveau");

  await page.getByLabel("Niveau d'accompagnement").selectOption("");
  await tick(page, "En retard de contact seulement");
  await expect(rows).toHaveCount(3);
  await expect(table).not.toContainText("Amir");

  // Accents and case do not matter.
  await page.getByLabel("Rechercher par nom").fill("chloe");
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(1)).toContainText("Chloé Retard");
  await check(page, "portefeuille-recherche");

  await page.getByLabel("Rechercher par nom").fill("personne");
  await expect(rows).toHaveCount(1);
  await expect(page.getByRole("status").filter({ hasText: "0 sur 3 personnes affichées" })).toBeVisible();

  await page.getByLabel("Rechercher par nom").fill("");
  await expect(rows).toHaveCount(3);
  await expect(chloe.getByRole("link", { name: "Chloé Retard", exact: true })).toHaveAttribute("href", `/conseiller/demandeurs/${late.seekerId}`);
});

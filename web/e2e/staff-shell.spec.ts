// The staff desk's shell: who may open which pages, where each role lands, the navigation.
import { check, createAdvisor, DESK, expect, seekerOf, signIn, signInStaff, test, unique } from "./support";

test.use(DESK);

test("an advisor lands on the portfolio, with the desk's navigation, and is refused the admin pages", async ({ page }) => {
  const advisor = await createAdvisor("Inès", "Garnier");
  await signInStaff(page, advisor.sub, "advisors");
  await expect(page).toHaveURL(/\/conseiller$/);
  await expect(page.getByRole("heading", { level: 1, name: "Mon portefeuille" })).toBeVisible();
  const nav = page.getByRole("navigation", { name: "Menu principal" });
  for (const name of ["Portefeuille", "Agenda", "Messages", "Demandes d'entretien sur place"]) {
    await expect(nav.getByRole("link", { name, exact: true })).toBeVisible();
  }
  await expect(nav.getByRole("link", { name: "Portefeuille" })).toHaveAttribute("aria-current", "page");
  await expect(nav.getByRole("link", { name: "Conseillers" })).toHaveCount(0);
  await check(page, "conseiller-accueil");

  // The admins' pages say plainly that they are not for an advisor.
  await page.goto(`/connexion?as=${advisor.sub}&groupe=advisors&vers=/gestion/conseillers`);
  await expect(page.getByRole("heading", { name: "Accès réservé" })).toBeVisible();
  await expect(page.getByText("réservée à l'administration du service")).toBeVisible();
  await check(page, "conseiller-page-admin-refusee");
  await page.getByRole("link", { name: "Aller à mon espace" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Mon portefeuille" })).toBeVisible();
});

test("an admin lands on the advisors page; a seeker opening a staff page is told it is not theirs", async ({ page, browser }) => {
  await signInStaff(page, unique("web-admin"), "admins");
  await expect(page).toHaveURL(/\/gestion\/conseillers$/);
  await expect(page.getByRole("heading", { level: 1, name: "Conseillers et conseillères" })).toBeVisible();
  const nav = page.getByRole("navigation", { name: "Menu principal" });
  await expect(nav.getByRole("link", { name: "Liste d'attente" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Portefeuille" })).toHaveCount(0);
  await check(page, "admin-accueil");

  const advisor = await createAdvisor();
  const seeker = await seekerOf(advisor);
  const context = await browser.newContext({ ...DESK, locale: "fr-FR", timezoneId: "Europe/Paris" });
  const seekerPage = await context.newPage();
  await signIn(seekerPage, seeker.sub, seeker.email);
  await expect(seekerPage.getByRole("heading", { level: 1 })).toBeVisible();
  await seekerPage.goto("/connexion");
  await seekerPage.goto(`/connexion?as=${seeker.sub}&vers=/conseiller`);
  await expect(seekerPage.getByRole("heading", { name: "Accès réservé" })).toBeVisible();
  await expect(seekerPage.getByText("réservée aux conseillers et conseillères")).toBeVisible();
  await check(seekerPage, "demandeur-page-conseiller-refusee");
  // Its working twin: their own home opens.
  await seekerPage.getByRole("link", { name: "Aller à mon espace" }).click();
  await expect(seekerPage).toHaveURL(/\/$/);
  await context.close();
});

test("on a narrow screen the desk's navigation sits behind the menu button", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 800 });
  const advisor = await createAdvisor();
  await signInStaff(page, advisor.sub, "advisors");
  await expect(page.getByRole("heading", { level: 1, name: "Mon portefeuille" })).toBeVisible();
  await page.getByRole("button", { name: "Menu" }).click();
  await page.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Portefeuille" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Mon portefeuille" })).toBeVisible();
  await check(page, "conseiller-etroit");
});

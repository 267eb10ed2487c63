// Journeys 8 and 9 (admins): the advisors of a region with their modality, capacity and load,
// creating an advisor; the waiting list and reassigning, with capacity refusals explained.
import { admin, call, check, DESK, expect, REGION, seekerOf, signInStaff, test, token, tick, unique, type Advisor } from "./support";

test.use(DESK);

async function advisorOf(lastName: string, modality: "web" | "guided" | "reinforced", capacity: number): Promise<Advisor> {
  const sub = unique("web-advisor");
  const r = await call("POST", "/advisors", await admin(), {
    sub,
    firstName: "Gaëlle",
    lastName,
    email: `${sub}@example.fr`,
    region: REGION,
    modality,
    capacity,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return { sub, advisorId: r.body.advisorId, token: await token(sub, ["advisors"]), firstName: "Gaëlle", lastName };
}

const tag = () => Math.random().toString(36).slice(2, 7);

test("the advisors of a region with their load; creating one, an identity already taken is refused", async ({ page }) => {
  const name = `Charge-${tag()}`;
  const loaded = await advisorOf(name, "web", 4);
  await seekerOf(loaded, "Paul", "Suivi");
  await signInStaff(page, unique("web-admin"), "admins");
  await page.getByLabel(/^Région/).first().selectOption({ label: "Bretagne" });
  await expect(page).toHaveURL(/region=53$/);
  const row = page.getByRole("row", { name: new RegExp(`Gaëlle ${name}`) });
  await expect(row).toContainText("Suivi à distance (web)");
  await expect(row).toContainText("1 / 4 (25 %)");
  await check(page, "admin-conseillers");

  const form = page.getByRole("region", { name: "Créer un conseiller ou une conseillère" });
  const created = `Nouvelle-${tag()}`;
  await form.getByLabel("Identifiant de connexion (sub Cognito)").fill(loaded.sub);
  await form.getByLabel("Prénom").fill("Maëlle");
  await form.getByLabel("Nom", { exact: true }).fill(created);
  await form.getByLabel("Adresse électronique").fill(`${created.toLowerCase()}@example.fr`);
  await form.getByLabel("Modalité").selectOption("reinforced");
  await form.getByRole("button", { name: "Créer" }).click();
  await expect(form.getByText("Cet identifiant appartient déjà à une personne du service.")).toBeVisible();
  await check(page, "admin-conseiller-identite-prise");
  await form.getByLabel("Identifiant de connexion (sub Cognito)").fill(unique("web-advisor"));
  await form.getByRole("button", { name: "Créer" }).click();
  await expect(form.getByText(`Maëlle ${created} est créé ou créée en Bretagne, avec une capacité de 70 personnes.`)).toBeVisible();
  const newRow = page.getByRole("row", { name: new RegExp(`Maëlle ${created}`) });
  await expect(newRow).toContainText("Accompagnement renforcé");
  await expect(newRow).toContainText("0 / 70 (0 %)");
  await check(page, "admin-conseiller-cree");
});

test("a waiting seeker is given to an advisor with room; a full one and one of another level are refused, explained", async ({ page }) => {
  const t = tag();
  const full = await advisorOf(`Pleine-${t}`, "web", 1);
  await seekerOf(full, "Déjà", "Suivie");
  await advisorOf(`Renforce-${t}`, "reinforced", 70);
  await advisorOf(`Place-${t}`, "web", 10);
  const sub = unique("web-seeker");
  const lastName = `Attente-${t}`;
  const waiting = await call("POST", "/seekers", await token(sub, [], `${sub}@example.fr`), {
    firstName: "Anaïs",
    lastName,
    email: `${sub}@example.fr`,
    region: "03",
    preferredChannels: ["video"],
    consent: true,
  });
  expect(waiting.body.assignment, JSON.stringify(waiting.body)).toBe("waiting");

  await signInStaff(page, unique("web-admin"), "admins", "/gestion/attente");
  const row = page.getByRole("row", { name: new RegExp(`Anaïs ${lastName}`) });
  await expect(row).toContainText("Guyane");
  await expect(row).toContainText("Accompagnement guidé");
  await expect(row).toContainText("depuis aujourd'hui");
  await check(page, "admin-attente");
  await row.getByRole("button", { name: /^Attribuer/ }).click();
  const dialog = page.getByRole("region", { name: `Attribuer Anaïs ${lastName}` });
  await dialog.getByLabel("Région des conseillers").selectOption({ label: "Bretagne" });
  await tick(page, new RegExp(`Gaëlle Pleine-${t}.*\\(complet\\)`), "radio");
  await dialog.getByRole("button", { name: "Attribuer", exact: true }).click();
  await expect(dialog.getByRole("alert")).toHaveText(`Le portefeuille de Gaëlle Pleine-${t} est complet (1 sur 1 personnes suivies) : choisissez quelqu'un qui a de la place.`);
  await check(page, "admin-attente-complet");
  await tick(page, new RegExp(`Gaëlle Renforce-${t}.*\\(ne suit pas ce niveau\\)`), "radio");
  await dialog.getByRole("button", { name: "Attribuer", exact: true }).click();
  await expect(dialog.getByRole("alert")).toContainText("qui ne correspond pas au niveau « Accompagnement guidé »");
  await tick(page, new RegExp(`Gaëlle Place-${t}`), "radio");
  await dialog.getByRole("button", { name: "Attribuer", exact: true }).click();
  await expect(page.getByText(`Anaïs ${lastName} est confié ou confiée à Gaëlle Place-${t}.`)).toBeVisible();
  await expect(row).toHaveCount(0);
  await check(page, "admin-attente-attribue");
  const me = await call("GET", "/seekers/me", await token(sub, [], `${sub}@example.fr`));
  expect(me.body.assignment).toBe("assigned");
});

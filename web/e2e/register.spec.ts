// Journey 1: register. Errors next to their fields, the assigned advisor, the waiting list,
// and the whole form with the keyboard alone.
import { expect, test } from "./support";
import { call, check, createAdvisor, tick, NO_ADVISOR_REGION_NAME, REGION_NAME, signIn, token, unique } from "./support";

test("a new person registers, after being told what to fix, and meets their advisor", async ({ page }) => {
  await createAdvisor();
  const sub = unique("web-register");
  await signIn(page, sub, `${sub}@example.fr`);
  await expect(page.getByRole("heading", { name: "Inscription", level: 1 })).toBeVisible();
  await check(page, "01-inscription");

  await page.getByRole("button", { name: "M'inscrire" }).click();
  await expect(page.getByText("champs sont à corriger")).toBeVisible();
  await expect(page.getByText("Indiquez votre prénom.")).toBeVisible();
  await expect(page.getByText("Choisissez au moins un moyen de contact.")).toBeVisible();
  await expect(page.getByText("vous devez accepter le traitement de vos données")).toBeVisible();
  await check(page, "01-inscription-erreurs");

  await page.getByLabel("Prénom").fill("Maëlle");
  await page.getByLabel("Nom", { exact: true }).fill("Kerguelen");
  // The account's verified address, shown and not typed: the service writes to no other.
  await expect(page.getByLabel("Adresse électronique")).toHaveValue(`${sub}@example.fr`);
  await expect(page.getByLabel("Adresse électronique")).not.toBeEditable();
  // The server's own rule for a phone number, said next to the field.
  await page.getByLabel("Téléphone (facultatif)").fill("12");
  await page.getByLabel("Région où vous habitez").selectOption({ label: REGION_NAME });
  await tick(page, "Visioconférence");
  await tick(page, "Messagerie écrite");
  await tick(page, /J'accepte que mes données soient utilisées/);
  await page.getByRole("button", { name: "M'inscrire" }).click();
  await expect(page.getByText("Indiquez un numéro de téléphone valide")).toBeVisible();
  await page.getByLabel("Téléphone (facultatif)").fill("06 12 34 56 78");
  await page.getByRole("button", { name: "M'inscrire" }).click();

  await expect(page.getByRole("heading", { name: "Inscription enregistrée" })).toBeVisible();
  const me = await call("GET", "/seekers/me", await token(sub));
  expect(me.status).toBe(200);
  await expect(page.getByText(`Votre conseiller ou conseillère : ${me.body.advisor.firstName} ${me.body.advisor.lastName}`)).toBeVisible();
  await check(page, "01-inscription-reussie");

  await page.getByRole("link", { name: "Aller à mon accueil" }).click();
  await expect(page.getByRole("heading", { name: "Bonjour Maëlle" })).toBeVisible();
});

test("where no advisor has room, registration explains the waiting list", async ({ page }) => {
  const sub = unique("web-waiting");
  await signIn(page, sub, `${sub}@example.fr`);
  await page.getByLabel("Prénom").fill("Jean");
  await page.getByLabel("Nom", { exact: true }).fill("Attente");
  await page.getByLabel("Région où vous habitez").selectOption({ label: NO_ADVISOR_REGION_NAME });
  await page.getByLabel("Téléphone (facultatif)").fill("0694 12 34 56");
  await tick(page, "Messagerie écrite");
  await tick(page, /J'accepte que mes données soient utilisées/);
  await page.getByRole("button", { name: "M'inscrire" }).click();
  await expect(page.getByRole("heading", { name: "Vous êtes sur liste d'attente" })).toBeVisible();
  await expect(page.getByText(`Aucun conseiller ou conseillère de la région ${NO_ADVISOR_REGION_NAME} n'a de place`)).toBeVisible();
  await check(page, "01-inscription-attente");
  await page.getByRole("link", { name: "Aller à mon accueil" }).click();
  await expect(page.getByText("Vous êtes sur liste d'attente : aucun conseiller")).toBeVisible();
  await check(page, "02-accueil-attente");
});

test("registration with the keyboard alone", async ({ page }) => {
  await createAdvisor();
  const sub = unique("web-keyboard");
  await page.goto("/connexion");
  const k = page.keyboard;
  // Tab to the identity field: the first text field of the page.
  await page.getByLabel("Identifiant").focus();
  await k.press("Control+A");
  await k.type(sub);
  await k.press("Tab");
  await k.type(`${sub}@example.fr`);
  await k.press("Enter");
  await expect(page.getByRole("heading", { name: "Inscription", level: 1 })).toBeVisible();

  // From the top of the form, Tab by Tab, as a keyboard user goes.
  await page.getByLabel("Prénom").focus();
  await k.type("Yann");
  await k.press("Tab");
  await k.type("Clavier");
  await k.press("Tab");
  await expect(page.getByLabel("Adresse électronique")).toBeFocused();
  await k.press("Tab");
  await k.type("06 98 76 54 32");
  await k.press("Tab");
  await expect(page.getByLabel("Région où vous habitez")).toBeFocused();
  // A native select: typing a name picks it.
  await k.type("Bretagne");
  await k.press("Tab");
  await expect(page.getByLabel("Visioconférence")).toBeFocused();
  await k.press("Space");
  await k.press("Tab");
  await k.press("Tab");
  await k.press("Tab");
  await k.press("Tab");
  await expect(page.getByLabel(/J'accepte que mes données soient utilisées/)).toBeFocused();
  await k.press("Space");
  await k.press("Tab");
  await expect(page.getByRole("link", { name: "En savoir plus sur vos données personnelles" })).toBeFocused();
  await k.press("Tab");
  await expect(page.getByRole("button", { name: "M'inscrire" })).toBeFocused();
  await k.press("Enter");
  await expect(page.getByRole("heading", { name: "Inscription enregistrée" })).toBeVisible();
  const me = await call("GET", "/seekers/me", await token(sub));
  expect(me.body.region).toBe("53");
  expect(me.body.preferredChannels).toEqual(["video"]);
});

test("a sign-in redirect that cannot be completed says so, and the same link works once the gateway answers", async ({ page }) => {
  const sub = unique("web-signin");
  await page.route("**/_local/token", (route) => route.fulfill({ status: 503, body: "" }));
  await page.goto(`/connexion?as=${sub}`);
  await expect(page.getByRole("alert")).toHaveText("La connexion locale n'a pas abouti : la passerelle locale répond-elle ?");
  await check(page, "00-connexion-echec");
  await page.unroute("**/_local/token");
  await page.goto(`/connexion?as=${sub}`);
  // Not registered yet: the registration page, signed in.
  await expect(page.getByRole("heading", { level: 1, name: "Inscription" })).toBeVisible();
});

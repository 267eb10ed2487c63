// Journey 6: the conversation with my advisor, live over the WebSocket, the advisor being a
// second browser context: a message each way, the typing indicator, older messages on scroll (or by a button),
// and after a lost connection the advisor's messages replayed once, the seeker's sent once.
import { expect, test } from "./support";
import { advisorChat, call, check, createAdvisor, goTo, seekerOf, signIn } from "./support";

test("messages: live both ways, typing, older ones, and nothing lost or doubled across a lost connection", async ({ page, context, browser }) => {
  const advisor = await createAdvisor("Anne", "Le Goff");
  const seeker = await seekerOf(advisor, "Ronan", "Messager");
  const chat = await advisorChat(browser, advisor);
  for (let n = 1; n <= 22; n++) await chat.say(seeker.seekerId, `Ancien message ${n}`);

  await signIn(page, seeker.sub);
  await expect(page.getByText("1 nouveau message.").or(page.getByText("22 nouveaux messages."))).toBeVisible();
  await goTo(page, "Messages");
  await expect(page.getByRole("heading", { name: "Messages avec Anne Le Goff" })).toBeVisible();
  await expect(page.getByText("Connecté : les messages arrivent en direct.")).toBeVisible();
  const thread = page.getByRole("list", { name: "Conversation" });
  await expect(thread.getByText("Ancien message 22")).toBeVisible();
  await expect(thread.getByText("Ancien message 2", { exact: true })).toHaveCount(0);
  // Older messages come when the top of the thread is scrolled to (the button does the same from
  // the keyboard), and what was read stays in place.
  await expect(page.getByRole("button", { name: "Afficher les messages plus anciens" })).toBeVisible();
  await thread.evaluate((el) => el.scrollTo({ top: 0 }));
  await expect(thread.getByText("Ancien message 1", { exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: "Afficher les messages plus anciens" })).toHaveCount(0);
  expect(await thread.evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
  // Opening the conversation marked it read.
  await expect(async () => {
    const convs = await call("GET", "/conversations", seeker.token);
    expect(convs.body.items[0].unread).toBe(0);
  }).toPass();
  await check(page, "06-messages");

  // Seeker -> advisor, live.
  await page.getByLabel("Votre message").fill("Bonjour, j'ai une question sur mon CV.");
  await page.getByRole("button", { name: "Envoyer" }).click();
  await expect(thread.getByText("Bonjour, j'ai une question sur mon CV.")).toBeVisible();
  await expect(thread.getByText("Envoi en cours…")).toHaveCount(0);
  await expect.poll(() => chat.received()).toContain("Bonjour, j'ai une question sur mon CV.");

  // Advisor -> seeker: typing, then the message, announced to screen readers.
  await chat.typing(seeker.seekerId);
  await expect(page.getByText("Anne Le Goff écrit…")).toBeVisible();
  await chat.say(seeker.seekerId, "Bien sûr, envoyez-le moi.");
  await expect(thread.getByText("Bien sûr, envoyez-le moi.")).toBeVisible();
  await expect(page.getByText("Nouveau message de votre conseiller ou conseillère : Bien sûr, envoyez-le moi.")).toBeAttached();
  await check(page, "06-messages-direct");

  // The connection goes: the advisor writes twice, the seeker writes once.
  await context.setOffline(true);
  await expect(page.getByText("Hors ligne : vos messages partiront dès le retour de la connexion.")).toBeVisible();
  await chat.say(seeker.seekerId, "Pendant votre absence, 1");
  await chat.say(seeker.seekerId, "Pendant votre absence, 2");
  await page.getByLabel("Votre message").fill("Écrit hors ligne");
  await page.getByRole("button", { name: "Envoyer" }).click();
  await expect(thread.getByText("Envoi en cours…")).toBeVisible();
  await check(page, "06-messages-hors-ligne");
  await context.setOffline(false);
  await expect(page.getByText("Connecté : les messages arrivent en direct.")).toBeVisible();
  await expect(thread.getByText("Pendant votre absence, 1")).toHaveCount(1);
  await expect(thread.getByText("Pendant votre absence, 2")).toHaveCount(1);
  await expect(thread.getByText("Écrit hors ligne")).toHaveCount(1);
  await expect(thread.getByText("Envoi en cours…")).toHaveCount(0);
  await expect.poll(() => chat.received()).toContain("Écrit hors ligne");
  // Stored once each, whatever was replayed or resent.
  const history = await call("GET", `/conversations/${seeker.seekerId}/messages?limit=200`, seeker.token);
  const texts = history.body.items.map((m: { text: string }) => m.text);
  for (const t of ["Pendant votre absence, 1", "Pendant votre absence, 2", "Écrit hors ligne", "Bien sûr, envoyez-le moi."]) {
    expect(texts.filter((x: string) => x === t), t).toHaveLength(1);
  }
  // And shown once each after all that.
  await expect(thread.getByRole("listitem")).toHaveCount(22 + 5);
  await chat.close();
});

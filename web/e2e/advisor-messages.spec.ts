// Issue 15, journey 5: the advisor's messages, with the seeker in a second browser context.
// The list of conversations counts the unread live; the conversation goes both ways live
// (the seeker's chat rules: acks, typing, read markers); the advisor's connection is lost
// meanwhile, and what both sides wrote then appears once on each side.
import { expect, test } from "./support";
import { call, check, createAdvisor, goTo, seekerOf, signIn } from "./support";
import { advisorPage } from "./advisor-support";

test("advisor messages: the list live with unread counts, a conversation both ways, and a lost connection on the advisor's side", async ({ page, browser }) => {
  const advisor = await createAdvisor("Nolwenn", "Guillou");
  const seeker = await seekerOf(advisor, "Corentin", "Messager");
  const quiet = await seekerOf(advisor, "Awen", "Silence");

  // The seeker's side first: an opening message, so the advisor's list has a row.
  await signIn(page, seeker.sub);
  await goTo(page, "Messages");
  const seekerThread = page.getByRole("list", { name: "Conversation" });
  await page.getByLabel("Votre message").fill("Bonjour, je voudrais parler de mon projet.");
  await page.getByRole("button", { name: "Envoyer" }).click();
  await expect(seekerThread.getByText("Envoi en cours…")).toHaveCount(0);

  // The advisor's list: one conversation (the quiet seeker has none), 1 unread.
  const desk = await advisorPage(browser, advisor, "/conseiller/messages");
  const room = desk.page;
  await expect(room.getByRole("heading", { name: "Messages" })).toBeVisible();
  await expect(room.getByText("Connecté : les nouveaux messages arrivent en direct.")).toBeVisible();
  const inbox = room.getByRole("list", { name: "Conversations, la plus récente d'abord" });
  const row = inbox.getByRole("listitem").filter({ hasText: "Corentin Messager" });
  await expect(row).toContainText("1 non lu");
  await expect(row).toContainText("Bonjour, je voudrais parler de mon projet.");
  await expect(inbox.getByText(`${quiet.firstName} ${quiet.lastName}`)).toHaveCount(0);
  await check(room, "15-messages-liste");

  // A new message while the list is open: counted live.
  await page.getByLabel("Votre message").fill("Je suis disponible cette semaine.");
  await page.getByRole("button", { name: "Envoyer" }).click();
  await expect(row).toContainText("2 non lus");
  await expect(row).toContainText("Je suis disponible cette semaine.");
  await expect(room.getByText("1 conversation, 2 messages non lus.")).toBeVisible();

  // The conversation: opening it marks it read.
  await row.getByRole("link", { name: "Corentin Messager" }).click();
  await expect(room.getByRole("heading", { name: "Messages avec Corentin Messager" })).toBeVisible();
  const thread = room.getByRole("list", { name: "Conversation avec Corentin Messager" });
  await expect(thread.getByText("Je suis disponible cette semaine.")).toBeVisible();
  await expect(async () => {
    const convs = await call("GET", "/conversations", advisor.token);
    const mine = convs.body.items.find((c: { seekerId: string }) => c.seekerId === seeker.seekerId);
    expect(mine.unread).toBe(0);
  }).toPass();
  // The seeker sees their messages read.
  await expect(seekerThread.getByText(/— lu/).first()).toBeVisible();

  // Both ways, live: a reply, typing on the seeker's side, an answer.
  await room.getByLabel("Votre réponse à Corentin Messager").fill("Bonjour Corentin, jeudi 10 h vous irait ?");
  await room.getByRole("button", { name: "Envoyer" }).click();
  await expect(thread.getByText("Envoi en cours…")).toHaveCount(0);
  await expect(seekerThread.getByText("Bonjour Corentin, jeudi 10 h vous irait ?")).toBeVisible();
  // The seeker's page signals typing at most every 3 seconds: keep typing until it does.
  const field = page.getByLabel("Votre message");
  await expect(async () => {
    await field.pressSequentially("O");
    await expect(room.getByText("Corentin Messager écrit…")).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await field.fill("Oui");
  await page.getByRole("button", { name: "Envoyer" }).click();
  await expect(thread.getByText("Oui", { exact: true })).toBeVisible();
  await expect(room.getByText("Nouveau message de Corentin Messager : Oui")).toBeAttached();
  await check(room, "15-messages-conversation");

  // The advisor's connection goes: the seeker writes twice, the advisor once.
  await desk.context.setOffline(true);
  await expect(room.getByText("Hors ligne : vos messages partiront dès le retour de la connexion.")).toBeVisible();
  for (const text of ["Pendant la coupure, 1", "Pendant la coupure, 2"]) {
    await page.getByLabel("Votre message").fill(text);
    await page.getByRole("button", { name: "Envoyer" }).click();
    await expect(seekerThread.getByText(text)).toBeVisible();
  }
  await expect(seekerThread.getByText("Envoi en cours…")).toHaveCount(0);
  await room.getByLabel("Votre réponse à Corentin Messager").fill("Écrit hors ligne par la conseillère");
  await room.getByRole("button", { name: "Envoyer" }).click();
  await expect(thread.getByText("Envoi en cours…")).toBeVisible();
  await check(room, "15-messages-hors-ligne");
  await desk.context.setOffline(false);
  await expect(room.getByText("Connecté : les messages arrivent en direct.")).toBeVisible();
  await expect(thread.getByText("Pendant la coupure, 1")).toHaveCount(1);
  await expect(thread.getByText("Pendant la coupure, 2")).toHaveCount(1);
  await expect(thread.getByText("Écrit hors ligne par la conseillère")).toHaveCount(1);
  await expect(thread.getByText("Envoi en cours…")).toHaveCount(0);
  await expect(seekerThread.getByText("Écrit hors ligne par la conseillère")).toHaveCount(1);
  // Stored once each, shown once each: 2 + 1 + 1 + 2 + 1 messages.
  const history = await call("GET", `/conversations/${seeker.seekerId}/messages?limit=200`, advisor.token);
  const texts: string[] = history.body.items.map((m: { text: string }) => m.text);
  for (const t of ["Pendant la coupure, 1", "Pendant la coupure, 2", "Écrit hors ligne par la conseillère"]) {
    expect(texts.filter((x) => x === t), t).toHaveLength(1);
  }
  await expect(thread.getByRole("listitem")).toHaveCount(7);
  await expect(seekerThread.getByRole("listitem")).toHaveCount(7);

  // Back to the list: nothing unread.
  await room.getByRole("link", { name: "Toutes les conversations" }).click();
  await expect(room.getByText("1 conversation, aucun message non lu.")).toBeVisible();
  await desk.context.close();
});

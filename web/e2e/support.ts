// Test set-up through the same local stack: identities from the gateway's /_local/token, an
// advisor and slots through the public API (as an admin and that advisor would make them), and
// axe and screenshots for every page and state a test reaches.
import AxeBuilder from "@axe-core/playwright";
import { expect, test as base, type Browser, type Page } from "@playwright/test";

/**
 * Playwright's test, with one more check on every test's browser context: nothing refused by
 * the Content-Security-Policy the local server takes from template.yaml (Chromium reports each
 * refusal on the console).
 */
export const test = base.extend({
  context: async ({ context }, use) => {
    const refused: string[] = [];
    context.on("console", (m) => {
      if (m.type() === "error" && /Content Security Policy|Refused to (connect|load|execute|apply|frame)/.test(m.text())) refused.push(m.text());
    });
    await use(context);
    expect(refused, "refused by the Content-Security-Policy").toEqual([]);
  },
});
export { expect };
import { mkdirSync } from "node:fs";

const httpPort = process.env.HTTP_PORT ?? "3100";
export const GATEWAY = process.env.GATEWAY_URL ?? `http://127.0.0.1:${httpPort}`;
export const WS = process.env.WS_URL ?? `ws://127.0.0.1:${process.env.WS_PORT ?? "3101"}`;
const DYNAMODB = `http://127.0.0.1:${process.env.DYNAMODB_PORT ?? "8100"}`;
const TABLE = process.env.TABLE_NAME ?? "suivi-local";
/** Bretagne: only these browser tests create advisors there (the Rust tests use other regions). */
export const REGION = "53";
export const REGION_NAME = "Bretagne";
/** Guyane: no advisor at all (tests/support keeps it so), so registration waits. */
export const NO_ADVISOR_REGION_NAME = "Guyane";

let counter = 0;
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 6)}`;
}

export async function token(sub: string, groups: string[] = [], email?: string): Promise<string> {
  const r = await fetch(`${GATEWAY}/_local/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ sub, groups, email }),
  });
  expect(r.status, "local token").toBe(200);
  return ((await r.json()) as { token: string }).token;
}

export async function call(method: string, path: string, tok: string, body?: unknown): Promise<{ status: number; body: any }> {
  const r = await fetch(`${GATEWAY}${path}`, {
    method,
    headers: { authorization: `Bearer ${tok}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

export type Advisor = { sub: string; advisorId: string; token: string; firstName: string; lastName: string };

export async function admin(): Promise<string> {
  return token("web-e2e-admin", ["admins"]);
}

/** `phone`: the advisor's work phone (E.164), which click-to-call rings first. */
export async function createAdvisor(firstName = "Anne", lastName = "Le Goff", phone?: string): Promise<Advisor> {
  const sub = unique("web-advisor");
  const r = await call("POST", "/advisors", await admin(), {
    sub,
    firstName,
    lastName,
    email: `${sub}@example.fr`,
    region: REGION,
    modality: "web",
    capacity: 250,
    ...(phone ? { phone } : {}),
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return { sub, advisorId: r.body.advisorId, token: await token(sub, ["advisors"]), firstName, lastName };
}

export type Seeker = { sub: string; token: string; seekerId: string; firstName: string; lastName: string; email: string };

/** A seeker registered through the API, then moved into `advisor`'s portfolio. */
export async function seekerOf(advisor: Advisor, firstName = "Camille", lastName = "Test"): Promise<Seeker> {
  const sub = unique("web-seeker");
  const email = `${sub}@example.fr`;
  const tok = await token(sub, [], email);
  const r = await call("POST", "/seekers", tok, {
    firstName,
    lastName,
    email,
    phone: "06 12 34 56 78",
    region: REGION,
    preferredChannels: ["video", "chat"],
    consent: true,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  if (r.body.advisor?.advisorId !== advisor.advisorId) {
    const moved = await call("POST", `/seekers/${r.body.seekerId}/reassign`, await admin(), { advisorId: advisor.advisorId });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
  }
  return { sub, token: tok, seekerId: r.body.seekerId, firstName, lastName, email };
}

/** `days` days ahead at hh:mm UTC (a 5-minute boundary, past the 24-hour booking notice). */
export function daysAhead(days: number, hour: number, minute = 0): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + days);
  d.setUTCHours(hour, minute, 0, 0);
  return d.toISOString().replace(".000Z", "Z");
}

export async function createSlot(advisor: Advisor, start: string, channels: string[] = ["video", "phone"]): Promise<string> {
  const r = await call("POST", "/advisors/me/slots", advisor.token, { start, durationMinutes: 30, channels });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.items[0].slotId;
}

/** Signs in on the local sign-in page with this identity, as a person would. */
export async function signIn(page: Page, sub: string, email?: string) {
  await page.goto("/connexion");
  await page.getByLabel("Identifiant").fill(sub);
  if (email) await page.getByLabel("Adresse électronique (facultatif)").fill(email);
  await page.getByRole("button", { name: "Se connecter avec cette identité" }).click();
}

/** axe (WCAG 2.1 A and AA): zero violations, and a mobile screenshot in .local/screenshots. */
export async function check(page: Page, name: string) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const summary = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
  expect(summary, `axe violations on ${name}`).toEqual([]);
  mkdirSync("../.local/screenshots", { recursive: true });
  await page.screenshot({ path: `../.local/screenshots/${name}.png`, fullPage: true, scale: "css" });
}

/**
 * Test set-up only (as tests/support's move_interview_to_past): moves an interview's start,
 * straight in DynamoDB Local, so that "15 minutes before the start" is now.
 */
export async function moveInterviewStart(interviewId: string, start: Date, minutes = 30) {
  const iso = (d: Date) => d.toISOString();
  const r = await fetch(DYNAMODB, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": "DynamoDB_20120810.UpdateItem",
      authorization: "AWS4-HMAC-SHA256 Credential=local/20260101/eu-west-3/dynamodb/aws4_request, SignedHeaders=host, Signature=0",
    },
    body: JSON.stringify({
      TableName: TABLE,
      Key: { pk: { S: `INTERVIEW#${interviewId}` }, sk: { S: "INTERVIEW" } },
      UpdateExpression: "SET #s = :s, #e = :e",
      ExpressionAttributeNames: { "#s": "start", "#e": "end" },
      ExpressionAttributeValues: { ":s": { S: iso(start) }, ":e": { S: iso(new Date(start.getTime() + minutes * 60_000)) } },
    }),
  });
  expect(r.status, await r.text()).toBe(200);
}

/**
 * Ticks a DSFR checkbox or radio by its accessible name. The DSFR draws the box on the label,
 * over the (transparent) input, so the click lands on the label, as a finger's would.
 */
export async function tick(page: Page, name: string | RegExp, role: "checkbox" | "radio" = "checkbox") {
  const box = page.getByRole(role, { name });
  await box.check({ force: true });
  await expect(box).toBeChecked();
}

/**
 * The advisor's side of the chat, in a browser context of its own: a WebSocket to the local
 * WebSocket API with the advisor's token, opened from a page of the front end's origin.
 */
export async function advisorChat(browser: Browser, advisor: Advisor) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto("/mentions-legales");
  await page.evaluate(
    ({ url, tok }) =>
      new Promise<void>((resolve, reject) => {
        const ws = new WebSocket(`${url}/?token=${encodeURIComponent(tok)}`);
        const w = window as unknown as { advisorWs: WebSocket; frames: unknown[] };
        w.frames = [];
        ws.onmessage = (e) => w.frames.push(JSON.parse(String(e.data)));
        ws.onopen = () => resolve();
        ws.onerror = () => reject(new Error("advisor socket"));
        w.advisorWs = ws;
      }),
    { url: WS, tok: advisor.token },
  );
  return {
    /** Sends a message to the seeker (none when the connection is the seeker's own) and waits for its ack. */
    say: (seekerId: string | undefined, text: string) =>
      page.evaluate(
        ({ seekerId, text }) =>
          new Promise<{ id: string }>((resolve, reject) => {
            const w = window as unknown as { advisorWs: WebSocket; frames: Array<Record<string, any>> };
            const clientMessageId = `adv-${crypto.randomUUID()}`;
            const started = w.frames.length;
            const poll = window.setInterval(() => {
              const ack = w.frames.slice(started).find((f) => f.clientMessageId === clientMessageId);
              if (!ack) return;
              window.clearInterval(poll);
              if (ack.type === "ack") resolve(ack.message);
              else reject(new Error(ack.code));
            }, 20);
            w.advisorWs.send(JSON.stringify({ action: "sendMessage", clientMessageId, seekerId, text }));
          }),
        { seekerId, text },
      ),
    typing: (seekerId: string) =>
      page.evaluate((seekerId) => (window as unknown as { advisorWs: WebSocket }).advisorWs.send(JSON.stringify({ action: "typing", seekerId })), seekerId),
    /** The texts of the `message` frames this connection received. */
    received: () =>
      page.evaluate(() =>
        (window as unknown as { frames: Array<Record<string, any>> }).frames.filter((f) => f.type === "message").map((f) => f.message.text as string),
      ),
    close: () => context.close(),
  };
}

/** Through the header's menu, as on a phone (the navigation sits behind the "Menu" button). */
export async function goTo(page: Page, name: string) {
  await page.getByRole("button", { name: "Menu" }).click();
  const nav = page.getByRole("navigation", { name: "Menu principal" });
  await nav.getByRole("link", { name, exact: true }).click();
  await expect(nav).toBeHidden();
}

/** The staff pages are a desk: a laptop's screen, not a phone's. */
export const DESK = { viewport: { width: 1366, height: 900 }, isMobile: false, hasTouch: false, deviceScaleFactor: 1 } as const;

/**
 * Signs in as an advisor or an admin (the local sign-in page's `?as=&groupe=`), landing on that
 * role's home page, or on `to`.
 */
export async function signInStaff(page: Page, sub: string, group: "advisors" | "admins", to?: string) {
  await page.goto(`/connexion?as=${encodeURIComponent(sub)}&groupe=${group}${to ? `&vers=${encodeURIComponent(to)}` : ""}`);
}

/**
 * Test set-up only (as moveInterviewStart): makes a seeker's next contact due `days` days ago,
 * straight in DynamoDB Local, with the portfolio's sort key that goes with it.
 */
export async function makeOverdue(seekerId: string, days: number) {
  const due = new Date(Date.now() - days * 86_400_000).toISOString();
  const r = await fetch(DYNAMODB, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": "DynamoDB_20120810.UpdateItem",
      authorization: "AWS4-HMAC-SHA256 Credential=local/20260101/eu-west-3/dynamodb/aws4_request, SignedHeaders=host, Signature=0",
    },
    body: JSON.stringify({
      TableName: TABLE,
      Key: { pk: { S: `SEEKER#${seekerId}` }, sk: { S: "PROFILE" } },
      UpdateExpression: "SET nextContactDue = :d, gsi1sk = :sk",
      ExpressionAttributeValues: { ":d": { S: due }, ":sk": { S: `${due}#${seekerId}` } },
    }),
  });
  expect(r.status, await r.text()).toBe(200);
}

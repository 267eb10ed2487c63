#!/usr/bin/env node
// The advisor's portfolio of 250 seekers, measured in Chromium (make bench-web, never make test):
//   - open: from the start of a signed-in page load (the local sign-in URL, as a bookmark) to the
//     frame after the table holds every row: JavaScript, token, two API pages of 200 and 50
//     rows, then the render;
//   - filter: from the keydown of one search letter, or the change of the level filter, to the
//     frame after the table changed (no network: filtering is in the page).
// Desktop viewport, no CPU slowdown (an advisor's desk). Median of RUNS runs each.
// Usage: node bench/portfolio.mjs WEB_URL ADVISOR_SUB ROWS   (writes .local/bench/web-portfolio.json)
// The functions passed to page.evaluate and addInitScript run in the page: its globals.
/* global window, document, performance, requestAnimationFrame, setTimeout, MutationObserver */
import { chromium } from "playwright-core";
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

const [webUrl, sub, rowsArg] = process.argv.slice(2);
if (!webUrl || !sub || !rowsArg) {
  console.error("usage: portfolio.mjs WEB_URL ADVISOR_SUB ROWS");
  process.exit(2);
}
const expectedRows = Number(rowsArg);
const RUNS = Number(process.env.RUNS ?? 7);
const root = fileURLToPath(new URL("../..", import.meta.url));
const out = join(root, ".local/bench");
mkdirSync(out, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// In the page: the time from `arm`'s event to the frame after `done()` holds on the table.
const armWatch = (page, eventType, done) =>
  page.evaluate(
    ({ eventType, done }) => {
      const w = window;
      w.__bench = new Promise((resolve) => {
        let t0 = 0;
        const test = new Function("return (" + done + ")()");
        document.addEventListener(eventType, () => (t0 = performance.now()), { capture: true, once: true });
        const observer = new MutationObserver(() => {
          if (!t0 || !test()) return;
          observer.disconnect();
          requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0), 0));
        });
        observer.observe(document.body, { childList: true, subtree: true, characterData: true });
      });
    },
    { eventType, done: done.toString() },
  );

const results = { open: [], search: [], level: [] };
try {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: "fr-FR", timezoneId: "Europe/Paris" });
  // From the navigation's start: the time at the frame after the table holds every row.
  await context.addInitScript((n) => {
    window.__open = new Promise((resolve) => {
      const observer = new MutationObserver(() => {
        if (document.querySelectorAll("main tbody tr").length !== n) return;
        observer.disconnect();
        requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0));
      });
      document.addEventListener("DOMContentLoaded", () => observer.observe(document.body, { childList: true, subtree: true }));
    });
  }, expectedRows);
  const page = await context.newPage();
  const openUrl = `${webUrl}/connexion?as=${encodeURIComponent(sub)}&groupe=advisors&vers=%2Fconseiller`;
  for (let i = 0; i <= RUNS; i++) {
    await page.goto(openUrl);
    const ms = await page.evaluate(() => window.__open);
    if (i > 0) results.open.push(ms); // the first run warms the server's compression cache
  }
  const search = page.getByLabel("Rechercher par nom");
  for (let i = 0; i < RUNS; i++) {
    await search.fill("");
    await page.waitForFunction((n) => document.querySelectorAll("main tbody tr").length === n, expectedRows);
    await armWatch(page, "keydown", `() => document.querySelectorAll("main tbody tr").length !== ${expectedRows}`);
    await search.press("e");
    results.search.push(await page.evaluate(() => window.__bench));
  }
  await search.fill("");
  const level = page.getByLabel("Niveau d'accompagnement");
  for (let i = 0; i < RUNS; i++) {
    await level.selectOption("");
    await page.waitForFunction((n) => document.querySelectorAll("main tbody tr").length === n, expectedRows);
    await armWatch(page, "change", `() => document.querySelectorAll("main tbody tr").length !== ${expectedRows}`);
    await level.selectOption("follow_up");
    results.level.push(await page.evaluate(() => window.__bench));
  }
} finally {
  await browser.close();
}
const summary = {
  rows: expectedRows,
  runs: RUNS,
  openMs: Math.round(median(results.open)),
  searchKeystrokeMs: Math.round(median(results.search)),
  levelFilterMs: Math.round(median(results.level)),
  raw: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.map(Math.round)])),
};
writeFileSync(join(out, "web-portfolio.json"), JSON.stringify(summary, null, 2));
console.log(JSON.stringify(summary));

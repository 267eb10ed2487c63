// The advisor's side of the browser tests: a desk-sized browser context signed in as an
// advisor through the local sign-in page (its `groupe` parameter, local only), opening a page.
import type { Browser, BrowserContext, Page } from "@playwright/test";
import { expect } from "./support";
import type { Advisor } from "./support";

export const DESK = { viewport: { width: 1280, height: 900 }, isMobile: false, hasTouch: false } as const;

/** A new desk-sized context, signed in as `advisor`, on `path`. */
export async function advisorPage(browser: Browser, advisor: Advisor, path: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext(DESK);
  const page = await context.newPage();
  await openAs(page, advisor.sub, path, "advisors");
  return { context, page };
}

/** Signs `sub` in (in `group`, if any) and opens `path`, in place of the sign-in form. */
export async function openAs(page: Page, sub: string, path: string, group?: "advisors") {
  const query = new URLSearchParams({ as: sub, vers: path, ...(group ? { groupe: group } : {}) });
  await page.goto(`/connexion?${query}`);
  await expect(page).toHaveURL(new RegExp(`${path.replace(/[/?]/g, "\\$&")}$`));
}

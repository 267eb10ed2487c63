// What starts with the app, beside its first render. A sign-in comes back to the site as a
// redirect (Cognito's hosted UI to /auth/callback; locally, /connexion?as=…): completing it
// here, from the start, rather than from the effect of a page that has rendered, and then
// asking for the profile and the page's first reads at once (its chunk fetched meanwhile),
// saves a request after each render; the first render paints the site while that goes on.
import { config } from "../lib/config";
import { navigate } from "../lib/router";
import { role, setToken, type Session } from "../lib/auth/session";
import { localToken } from "../lib/auth/local";
import { queryClient } from "./queryClient";
import { meQuery } from "./useMe";
import { homeOf } from "./staff";
import { FIRST_READS } from "./App";

/** A sign-in redirect being completed, or one that could not be: its page (still at that URL) says so. */
export type SignInState = "none" | "pending" | "failed";
let state: SignInState = "none";
const listeners = new Set<() => void>();
export const signInState = {
  subscribe(listener: () => void) {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  },
  current: () => state,
};
function setState(next: SignInState) {
  state = next;
  listeners.forEach((l) => l());
}

export async function completeSignIn(): Promise<void> {
  const { pathname, search } = window.location;
  const redirect = (pathname === "/auth/callback" && config().auth === "cognito") || (pathname === "/connexion" && config().auth === "local" && new URLSearchParams(search).has("as"));
  if (!redirect) return;
  setState("pending");
  try {
    let session: Session | null = null;
    let to: string | undefined;
    if (pathname === "/auth/callback" && config().auth === "cognito") {
      const { completeCognito } = await import("../lib/auth/cognito");
      const { idToken, returnTo } = await completeCognito();
      session = setToken(idToken);
      to = returnTo;
    } else if (pathname === "/connexion" && config().auth === "local") {
      // Local only: /connexion?as=<sub>&vers=<page>[&groupe=advisors|admins] signs in at once
      // (the browser tests and the benchmark's Lighthouse runs open a signed-in page this way).
      const params = new URLSearchParams(search);
      const as = params.get("as");
      if (!as) return;
      const group = params.get("groupe");
      session = setToken(await localToken(as, undefined, group === "advisors" || group === "admins" ? [group] : []));
      const vers = params.get("vers");
      to = vers && vers.startsWith("/") ? vers : undefined;
    }
    if (!session) return;
    const page = to ?? homeOf(session);
    if (role(session) === "seeker") askFirstReads(new URL(page, window.location.origin).pathname);
    setState("none");
    navigate(page, { replace: true });
  } catch {
    setState("failed");
  }
}

/** The profile and the page's first reads at once. Someone not registered yet is sent to the
 * registration page: what the page's reads got (refusals) is dropped, so no page shows it later. */
function askFirstReads(pathname: string) {
  const me = queryClient.fetchQuery(meQuery);
  me.catch(() => undefined);
  const page = FIRST_READS[pathname];
  if (!page) return;
  void page.chunk?.();
  for (const query of page.queries) {
    void queryClient.prefetchQuery(query as Parameters<typeof queryClient.prefetchQuery>[0]).then(() => me.catch(() => queryClient.removeQueries({ queryKey: query.queryKey, exact: true })));
  }
}

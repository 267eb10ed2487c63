// What runs before the first render. A sign-in comes back to the site as a redirect (Cognito's
// hosted UI to /auth/callback; locally, /connexion?as=…): completing it here, rather than in a
// page that renders, then navigates, then renders the page it returns to, lets that page render
// once, with its data asked for at the same moment as the profile (and its chunk fetched
// meanwhile), instead of a request after each render.
import { config } from "../lib/config";
import { navigate } from "../lib/router";
import { role, setToken, type Session } from "../lib/auth/session";
import { localToken } from "../lib/auth/local";
import { queryClient } from "./queryClient";
import { meQuery } from "./useMe";
import { homeOf } from "./staff";
import { FIRST_READS } from "./App";

/** Set when a sign-in redirect could not be completed: its page (still at that URL) says so. */
export let signInFailed = false;

export async function completeSignIn(): Promise<void> {
  const { pathname, search } = window.location;
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
    navigate(page, { replace: true });
    if (role(session) === "seeker") askFirstReads(new URL(page, window.location.origin).pathname);
  } catch {
    signInFailed = true;
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

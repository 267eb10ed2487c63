// AWS sign-in: the Cognito hosted UI, authorization code flow with PKCE (oidc-client-ts).
// Tokens live in an in-memory store; only the PKCE verifier and state of a redirect in
// progress sit in sessionStorage (they are not credentials and are deleted on return).
// This path cannot run locally (there is no Cognito here); it is type-checked and built.
import { InMemoryWebStorage, UserManager, WebStorageStateStore } from "oidc-client-ts";
import { config } from "../config";

let manager: UserManager | undefined;

function userManager(): UserManager {
  if (manager) return manager;
  const cognito = config().cognito;
  if (!cognito) throw new Error("config.json has no cognito section");
  manager = new UserManager({
    authority: cognito.authority,
    client_id: cognito.clientId,
    redirect_uri: `${window.location.origin}/auth/callback`,
    post_logout_redirect_uri: `${window.location.origin}/`,
    response_type: "code",
    scope: "openid email profile",
    userStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
    stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
    automaticSilentRenew: true,
    metadataSeed: {
      // Cognito's logout endpoint is not in its discovery document.
      end_session_endpoint: `https://${cognito.domain}/logout?client_id=${encodeURIComponent(cognito.clientId)}&logout_uri=${encodeURIComponent(`${window.location.origin}/`)}`,
    },
  });
  return manager;
}

/** Leaves for the hosted UI; `returnTo` is where the callback comes back to. */
export async function signInCognito(returnTo: string): Promise<void> {
  await userManager().signinRedirect({ state: { returnTo } });
}

/** On /auth/callback: exchanges the code (with the PKCE verifier) for tokens. */
export async function completeCognito(): Promise<{ idToken: string; returnTo: string }> {
  const user = await userManager().signinCallback();
  if (!user?.id_token) throw new Error("no id token");
  const returnTo = (user.state as { returnTo?: string } | undefined)?.returnTo ?? "/";
  return { idToken: user.id_token, returnTo };
}

/** Renewal with the refresh token (kept in memory with the rest). */
export async function renewCognito(): Promise<string | undefined> {
  const user = await userManager().signinSilent();
  return user?.id_token;
}

/** Signing in again in a popup keeps the page, and what was typed in it. */
export async function signInAgainCognito(): Promise<string | undefined> {
  const user = await userManager().signinPopup();
  return user.id_token;
}

export async function signOutCognito(): Promise<void> {
  await userManager().signoutRedirect();
}

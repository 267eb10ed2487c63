// The signed-in person, kept in memory only (never localStorage or sessionStorage: a token
// there is readable by any script that gets onto the page). A reload signs in again, which
// the Cognito hosted UI's own session makes a single redirect.
import { config } from "../config";

export type Session = {
  token: string;
  /** Seconds since the epoch. */
  expiresAt: number;
  sub: string;
  email?: string;
  groups: string[];
};

type State = { session: Session | null; expired: boolean };

let state: State = { session: null, expired: false };
const listeners = new Set<() => void>();

export function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function snapshot(): State {
  return state;
}

function set(next: State) {
  state = next;
  listeners.forEach((l) => l());
}

export function decodeToken(token: string): Omit<Session, "token"> {
  const payload = token.split(".")[1] ?? "";
  const json = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as Record<string, unknown>;
  const groups = Array.isArray(json["cognito:groups"]) ? (json["cognito:groups"] as string[]) : [];
  return {
    sub: String(json.sub ?? ""),
    email: typeof json.email === "string" ? json.email : undefined,
    expiresAt: Number(json.exp ?? 0),
    groups,
  };
}

export function setToken(token: string): Session {
  const session = { token, ...decodeToken(token) };
  signOutReason = null;
  set({ session, expired: false });
  return session;
}

let signOutReason: "erased" | null = null;

export function signOutLocally(reason: "erased" | null = null): void {
  signOutReason = reason;
  set({ session: null, expired: false });
}

/** Why the last sign-out happened, until the next sign-in (read by the sign-in page). */
export function lastSignOutReason(): "erased" | null {
  return signOutReason;
}

/** The token for the next request, renewed first when it expires within a minute. */
export async function currentToken(): Promise<string | undefined> {
  const session = state.session;
  if (!session) return undefined;
  if (session.expiresAt - Date.now() / 1000 > 60) return session.token;
  try {
    const renewed = await renew(session);
    if (renewed) return setToken(renewed).token;
  } catch {
    // fall through: the page asks the person to sign in again, keeping what they typed.
  }
  set({ session, expired: true });
  return session.token;
}

async function renew(session: Session): Promise<string | undefined> {
  if (config().auth === "local") {
    const { localToken } = await import("./local");
    return localToken(session.sub, session.email, session.groups);
  }
  const { renewCognito } = await import("./cognito");
  return renewCognito();
}

/** A 401 from the API: the session is over; the page shows a sign-in dialog over itself. */
export function onUnauthorized(): void {
  if (state.session) set({ session: state.session, expired: true });
}

export function role(session: Session | null): "seeker" | "advisor" | "admin" | null {
  if (!session) return null;
  if (session.groups.includes("admins")) return "admin";
  if (session.groups.includes("advisors")) return "advisor";
  return "seeker";
}

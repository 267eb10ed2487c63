import { afterEach, describe, expect, it, vi } from "vitest";
import { setConfig } from "../config";
import { currentToken, decodeToken, setToken, signOutLocally, snapshot } from "./session";

function jwt(claims: Record<string, unknown>): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${b64({ alg: "RS256" })}.${b64(claims)}.sig`;
}

setConfig({ auth: "local", apiBase: "/api", wsUrl: "ws://127.0.0.1:1/" });
const now = () => Math.floor(Date.now() / 1000);

afterEach(() => {
  vi.unstubAllGlobals();
  signOutLocally();
});

describe("session", () => {
  it("reads the role and expiry from the token", () => {
    const claims = decodeToken(jwt({ sub: "a", exp: 42, "cognito:groups": ["advisors"], email: "a@b.fr" }));
    expect(claims).toEqual({ sub: "a", expiresAt: 42, groups: ["advisors"], email: "a@b.fr" });
  });

  it("renews a token that expires within a minute, before the request", async () => {
    setToken(jwt({ sub: "me", exp: now() + 30 }));
    const fresh = jwt({ sub: "me", exp: now() + 3600 });
    const fetch = vi.fn(async () => new Response(JSON.stringify({ token: fresh }), { status: 200 }));
    vi.stubGlobal("fetch", fetch);
    expect(await currentToken()).toBe(fresh);
    expect(fetch).toHaveBeenCalledOnce();
    expect(snapshot().expired).toBe(false);
  });

  it("keeps a valid token without asking", async () => {
    const token = jwt({ sub: "me", exp: now() + 3600 });
    setToken(token);
    const fetch = vi.fn();
    vi.stubGlobal("fetch", fetch);
    expect(await currentToken()).toBe(token);
    expect(fetch).not.toHaveBeenCalled();
  });

  it("says the session expired when renewal fails (the page then asks to sign in again)", async () => {
    setToken(jwt({ sub: "me", exp: now() - 10 }));
    vi.stubGlobal("fetch", vi.fn(async () => new Response("no", { status: 503 })));
    await currentToken();
    expect(snapshot().expired).toBe(true);
    expect(snapshot().session?.sub).toBe("me");
  });
});

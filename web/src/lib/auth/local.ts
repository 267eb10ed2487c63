// Local sign-in only: the local gateway's POST /_local/token stands in for Cognito. The local
// web server proxies /_local/* to the gateway; CloudFront has no such behaviour, so none of
// this can answer in AWS (and the sign-in page shows the hosted UI there instead).
export type DemoPerson = { role: "seeker" | "advisor" | "admin"; sub: string; name: string; email: string };

export async function localToken(sub: string, email?: string, groups: string[] = []): Promise<string> {
  const response = await fetch("/_local/token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ sub, email, groups }),
  });
  if (!response.ok) throw new Error(`local token: ${response.status}`);
  const body = (await response.json()) as { token: string };
  return body.token;
}

/** The people infra/local/seed-demo.sh created (none on a stack started by `make test`). */
export async function demoPeople(): Promise<DemoPerson[]> {
  const response = await fetch("/_local/demo-people.json", { cache: "no-store" });
  if (!response.ok) return [];
  return ((await response.json()) as { people?: DemoPerson[] }).people ?? [];
}

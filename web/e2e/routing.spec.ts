// Same origin: the local web server routes as the CloudFront distribution of template.yaml
// does (its behaviours, its two viewer-request functions, its response headers policy), and
// the page calls the API on its own origin, with no CORS preflight.
import { expect, test } from "./support";
import { fileURLToPath } from "node:url";
// @ts-expect-error: plain JavaScript module shared with the local server
import { behaviourFor, distribution, loadTemplate, policyHeaders } from "../server/cloudfront.mjs";
import { createAdvisor, seekerOf, signIn, token, unique } from "./support";

const template = loadTemplate(fileURLToPath(new URL("../../template.yaml", import.meta.url)));
const dist = distribution(template);
const expected = policyHeaders(behaviourFor(dist, "/").headersPolicy, {
  ChatOrigin: `ws://127.0.0.1:${process.env.WS_PORT ?? "3101"}`,
  CognitoOrigins: "",
});
expected["content-security-policy"] = expected["content-security-policy"].replace(/ {2,}/g, " ");

test("the template's distribution: /api/* to the HTTP API under its stage, everything else to the bucket", () => {
  const shape = dist.behaviours.map((b: { pathPattern: string; originId: string; viewerRequestName: string }) => [b.pathPattern, b.originId, b.viewerRequestName]);
  expect(shape).toEqual([
    ["/api/*", "http-api", "WebApiPrefixFunction"],
    ["*", "web-bucket", "WebSpaFunction"],
  ]);
  const api = dist.origins.find((o: { Id: string }) => o.Id === "http-api");
  expect(api.OriginPath).toEqual({ "Fn::Sub": "/${Stage}" });
  const bucket = dist.origins.find((o: { Id: string }) => o.Id === "web-bucket");
  expect(bucket.OriginAccessControlId).toEqual({ "Fn::GetAtt": ["WebOriginAccessControl", "Id"] });
  // The functions themselves, as CloudFront runs them.
  const run = (path: string, uri: string) => behaviourFor(dist, path).viewerRequest({ request: { uri } }).uri;
  expect(run("/api/seekers/me", "/api/seekers/me")).toBe("/seekers/me");
  expect(run("/api/conversations/X/messages", "/api/conversations/X/messages")).toBe("/conversations/X/messages");
  expect(run("/rendez-vous/01ABC/video", "/rendez-vous/01ABC/video")).toBe("/index.html");
  expect(run("/assets/index-abc.js", "/assets/index-abc.js")).toBe("/assets/index-abc.js");
  expect(behaviourFor(dist, "/apix").pathPattern).toBe("*");
  expect(expected["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(expected["strict-transport-security"]).toMatch(/^max-age=\d+; includeSubDomains; preload$/);
});

test("the local server answers as the distribution would", async ({ request }) => {
  const headersMatch = (h: Record<string, string>) => {
    for (const [name, value] of Object.entries(expected)) expect(h[name], name).toBe(value);
  };
  // The API behaviour: the prefix goes, the API's own answers (401, and a 404 with its code) pass.
  const anonymous = await request.get("/api/seekers/me");
  expect(anonymous.status()).toBe(401);
  expect(await anonymous.json()).toEqual({ message: "Unauthorized" });
  headersMatch(anonymous.headers());
  const stranger = await request.get("/api/seekers/me", { headers: { authorization: `Bearer ${await token(unique("web-stranger"))}` } });
  expect(stranger.status()).toBe(404);
  expect((await stranger.json()).error.code).toBe("not_registered");
  // The default behaviour: pages are index.html, assets are files, a missing file is S3's 403.
  for (const path of ["/", "/rendez-vous/01JF3QB2C4D6E8F0G2H4J6K8M0/video", "/apix"]) {
    const page = await request.get(path);
    expect(page.status(), path).toBe(200);
    expect(page.headers()["content-type"]).toContain("text/html");
    headersMatch(page.headers());
  }
  const html = await (await request.get("/")).text();
  const script = html.match(/src="(\/assets\/[^"]+\.js)"/)?.[1];
  expect(script).toBeTruthy();
  const asset = await request.get(script!);
  expect(asset.status()).toBe(200);
  expect(asset.headers()["cache-control"]).toContain("immutable");
  expect((await request.get("/assets/missing-file.js")).status()).toBe(403);
  // GET and HEAD only on the bucket's behaviour.
  expect((await request.post("/rendez-vous", { data: {} })).status()).toBe(403);
});

test("the page talks to the API on its own origin, without a single preflight", async ({ page, baseURL }) => {
  const advisor = await createAdvisor();
  const seeker = await seekerOf(advisor, "Tristan", "Origine");
  const requests: { method: string; url: string }[] = [];
  page.on("request", (r) => requests.push({ method: r.method(), url: r.url() }));
  await signIn(page, seeker.sub);
  await expect(page.getByRole("heading", { name: "Bonjour Tristan" })).toBeVisible();
  const api = requests.filter((r) => r.url.includes("/api/"));
  expect(api.length).toBeGreaterThan(0);
  for (const r of api) expect(new URL(r.url).origin).toBe(new URL(baseURL!).origin);
  expect(requests.filter((r) => r.method === "OPTIONS")).toEqual([]);
});

#!/usr/bin/env node
// The local stand-in for CloudFront: serves web/dist and the HTTP API on one origin, routing
// as the distribution's behaviours in template.yaml do (see cloudfront.mjs), with the same
// response headers. Local-only additions, absent from the template: /config.json (in AWS, a
// file the deployment writes into the bucket), /_local/* (the gateway's local sign-in routes)
// and /_local/demo-people.json (the people infra/local/seed-demo.sh created).
//   node server/serve.mjs   env: WEB_PORT (3003), HTTP_PORT (3000), WS_PORT (3001), TEMPLATE_PATH
import { createServer, request as httpRequest } from "node:http";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { extname, join, normalize, resolve } from "node:path";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";
import { fileURLToPath } from "node:url";
import { behaviourFor, distribution, loadTemplate, policyHeaders } from "./cloudfront.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = resolve(here, "../..");
const webPort = Number(process.env.WEB_PORT ?? 3003);
const httpPort = Number(process.env.HTTP_PORT ?? 3000);
const wsPort = Number(process.env.WS_PORT ?? 3001);
const templatePath = process.env.TEMPLATE_PATH ?? join(root, "template.yaml");
const distDir = resolve(process.env.WEB_DIST ?? join(root, "web/dist"));
const demoPeople = join(root, ".local/demo-people.json");

const dist = distribution(loadTemplate(templatePath));
// The template's !Sub variables, locally: the WebSocket is the gateway's; there is no Cognito.
const vars = { ChatOrigin: `ws://127.0.0.1:${wsPort}`, CognitoOrigins: "" };
// Computed once, so a template the local server cannot read fails at start, not on a request.
const policyOf = new Map(dist.behaviours.map((b) => [b, localHeaders(b)]));
function localHeaders(b) {
  const h = policyHeaders(b.headersPolicy, vars);
  // An empty local value leaves a double space in the policy.
  if (h["content-security-policy"]) h["content-security-policy"] = h["content-security-policy"].replace(/ {2,}/g, " ");
  return h;
}
const headersOf = (b) => policyOf.get(b);
// Locally the gateway serves the API at its root (API Gateway: under the stage, which the
// origin's OriginPath adds).
const originUrl = { "http-api": `http://127.0.0.1:${httpPort}` };

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".webmanifest": "application/manifest+json",
};
const COMPRESSIBLE = new Set([".html", ".js", ".css", ".json", ".svg", ".webmanifest"]);

// Files in memory, with their gzip and brotli forms (CloudFront's Compress: true).
const files = new Map();
function load(dir, prefix = "") {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) load(path, `${prefix}/${name}`);
    else {
      const body = readFileSync(path);
      const ext = extname(name);
      const entry = { body, type: TYPES[ext] ?? "application/octet-stream" };
      entry.compressible = COMPRESSIBLE.has(ext) && body.length > 1024;
      files.set(`${prefix}/${name}`, entry);
    }
  }
}
if (!existsSync(join(distDir, "index.html"))) {
  console.error(`serve: ${distDir}/index.html missing: build the front end first (npm run build in web/)`);
  process.exit(1);
}
load(distDir);

const config = JSON.stringify({ auth: "local", apiBase: "/api", wsUrl: `ws://127.0.0.1:${wsPort}/` });

function send(res, status, headers, body, req) {
  res.writeHead(status, headers);
  res.end(req.method === "HEAD" ? undefined : body);
}

function serveFile(req, res, uri, extra) {
  const key = normalize(uri);
  const file = files.get(key);
  if (!file) {
    // A private bucket without s3:ListBucket answers 403 for a missing key, and CloudFront
    // passes it on.
    return send(res, 403, { "content-type": "application/xml", ...extra }, "<Error><Code>AccessDenied</Code></Error>", req);
  }
  const accept = String(req.headers["accept-encoding"] ?? "");
  const headers = {
    "content-type": file.type,
    // What the deployment sets on the objects: hashed assets forever, the rest revalidated.
    "cache-control": key.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache",
    vary: "accept-encoding",
    ...extra,
  };
  let body = file.body;
  // Compressed on first request, then kept (CloudFront compresses at the edge and caches).
  if (file.compressible && !file.br) {
    file.gzip = gzipSync(file.body, { level: 9 });
    file.br = brotliCompressSync(file.body, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } });
  }
  if (file.br && /\bbr\b/.test(accept)) {
    body = file.br;
    headers["content-encoding"] = "br";
  } else if (file.gzip && /\bgzip\b/.test(accept)) {
    body = file.gzip;
    headers["content-encoding"] = "gzip";
  }
  headers["content-length"] = body.length;
  send(res, 200, headers, body, req);
}

function proxy(req, res, target, extra) {
  const url = new URL(target);
  const headers = { ...req.headers, host: url.host };
  const upstream = httpRequest(
    { hostname: url.hostname, port: url.port, path: url.pathname + url.search, method: req.method, headers },
    (up) => {
      const out = { ...up.headers, ...extra };
      res.writeHead(up.statusCode ?? 502, out);
      up.pipe(res);
    },
  );
  upstream.on("error", () => send(res, 502, { "content-type": "text/plain", ...extra }, "bad gateway", req));
  req.pipe(upstream);
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://local");
  // Local-only routes first (never in the template, see above).
  if (url.pathname === "/config.json") {
    return send(res, 200, { "content-type": "application/json", "cache-control": "no-cache", ...headersOf(behaviourFor(dist, "/")) }, config, req);
  }
  if (url.pathname === "/_local/demo-people.json") {
    const body = existsSync(demoPeople) ? readFileSync(demoPeople) : '{"people":[]}';
    return send(res, 200, { "content-type": "application/json", "cache-control": "no-store" }, body, req);
  }
  if (url.pathname.startsWith("/_local/")) return proxy(req, res, `${originUrl["http-api"]}${url.pathname}${url.search}`, {});

  const behaviour = behaviourFor(dist, url.pathname);
  const extra = headersOf(behaviour);
  if (!behaviour.allowedMethods.includes(req.method)) {
    return send(res, 403, { "content-type": "text/plain", ...extra }, "method not allowed by this behaviour", req);
  }
  let uri = url.pathname;
  if (behaviour.viewerRequest) {
    const result = behaviour.viewerRequest({ request: { uri, method: req.method, querystring: {}, headers: {} } });
    if (result && "statusCode" in result) return send(res, result.statusCode, extra, "", req);
    uri = result.uri;
  }
  if (behaviour.originId === "web-bucket") {
    return serveFile(req, res, uri === "/" ? `/${dist.defaultRootObject}` : uri, extra);
  }
  const origin = originUrl[behaviour.originId];
  if (!origin) return send(res, 502, extra, `no local origin for ${behaviour.originId}`, req);
  proxy(req, res, `${origin}${uri}${url.search}`, extra);
});

server.listen(webPort, "127.0.0.1", () => {
  console.log(`web: http://127.0.0.1:${webPort}/ (dist ${distDir}; API /api/* -> ${originUrl["http-api"]}; behaviours from ${templatePath})`);
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.close(() => process.exit(0)));

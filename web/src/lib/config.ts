// Runtime configuration, read once from /config.json before the first render. The same build
// then runs locally (served by server/serve.mjs, which writes this file from the local ports)
// and in AWS (the deployment writes it into the bucket from the stack's outputs).

export type AppConfig = {
  /** "local": the local sign-in page and the local gateway's token route; "cognito": hosted UI. */
  auth: "local" | "cognito";
  /** Base of the HTTP API, on the front end's own origin (CloudFront's `/api/*` behaviour). */
  apiBase: string;
  /** The chat WebSocket API (its own origin, named in the Content-Security-Policy). */
  wsUrl: string;
  cognito?: { authority: string; clientId: string; domain: string };
  /** Who publishes the site (the legal notice), written by the deployment; absent locally. */
  publisher?: { name: string; address: string; siren: string; director: string; contact: string };
};

let current: AppConfig | undefined;

export async function loadConfig(): Promise<AppConfig> {
  // index.html preloads this file; the default cache mode lets this fetch take that response
  // (the file is served `no-cache`, so each visit still revalidates it).
  const response = await fetch("/config.json");
  if (!response.ok) throw new Error(`config.json: ${response.status}`);
  current = (await response.json()) as AppConfig;
  return current;
}

export function config(): AppConfig {
  if (!current) throw new Error("config not loaded");
  return current;
}

/** For unit tests and the test harness. */
export function setConfig(value: AppConfig): void {
  current = value;
}

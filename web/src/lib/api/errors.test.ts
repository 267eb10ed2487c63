// Every error code that docs/openapi.yaml documents for a route the seeker's pages call has
// its French sentence: a new code in the contract fails this test until it is written.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import yaml from "js-yaml";
import { MESSAGES } from "./errors";

type Doc = { paths: Record<string, Record<string, { responses?: Record<string, { description?: string; $ref?: string }> }>>; components: { responses: Record<string, { description: string }> } };
const doc = yaml.load(readFileSync(new URL("../../../../docs/openapi.yaml", import.meta.url), "utf8")) as Doc;

/** The routes the seeker's pages call (method and path as in the contract). */
const USED: Array<[string, string]> = [
  ["post", "/seekers"],
  ["get", "/seekers/me"],
  ["patch", "/seekers/me"],
  ["delete", "/seekers/me"],
  ["get", "/seekers/me/export"],
  ["get", "/seekers/me/slots"],
  ["post", "/interviews"],
  ["get", "/interviews/{interviewId}"],
  ["get", "/seekers/me/interviews"],
  ["post", "/interviews/{interviewId}/cancel"],
  ["post", "/interviews/{interviewId}/reschedule"],
  ["post", "/interviews/{interviewId}/acknowledge"],
  ["post", "/seekers/me/in-person-requests"],
  ["get", "/seekers/me/in-person-requests"],
  ["get", "/seekers/{seekerId}/journal"],
  ["post", "/interviews/{interviewId}/meeting"],
  ["get", "/conversations"],
  ["get", "/conversations/{seekerId}/messages"],
];

function codes(text: string): string[] {
  return [...text.matchAll(/`([a-z][a-z_]+)`/g)].map((m) => m[1]!).filter((c) => c.includes("_") || ["forbidden", "unavailable", "internal"].includes(c));
}

describe("French error sentences", () => {
  it("cover every documented error code of the routes the seeker's pages call", () => {
    const missing = new Set<string>();
    for (const [method, path] of USED) {
      const op = doc.paths[path]?.[method];
      expect(op, `${method} ${path} in the contract`).toBeDefined();
      for (const [status, response] of Object.entries(op!.responses ?? {})) {
        if (!/^[45]/.test(status)) continue;
        const text = response.$ref ? doc.components.responses[response.$ref.split("/").pop()!]!.description : (response.description ?? "");
        for (const code of codes(text)) if (!(code in MESSAGES)) missing.add(code);
      }
    }
    expect([...missing].sort()).toEqual([]);
  });
});

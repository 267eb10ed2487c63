// Every error code docs/openapi.yaml documents for a route the advisor's room and messages
// call has a sentence (the advisor's own, or the shared one): a new code fails this test.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import yaml from "js-yaml";
import { MESSAGES, frenchMessage } from "../../lib/api/errors";
import { ApiError } from "../../lib/api/client";
import { ADVISOR_MESSAGES, CALL_MESSAGES } from "./errors";

type Doc = { paths: Record<string, Record<string, { responses?: Record<string, { description?: string; $ref?: string }> }>>; components: { responses: Record<string, { description: string }> } };
const doc = yaml.load(readFileSync(new URL("../../../../docs/openapi.yaml", import.meta.url), "utf8")) as Doc;

/** Each route with the sentences its page reads its errors in (the call panel's are CALL_MESSAGES). */
const USED: Array<[string, string, Record<string, string>]> = [
  ["get", "/interviews/{interviewId}", ADVISOR_MESSAGES],
  ["get", "/seekers/{seekerId}", ADVISOR_MESSAGES],
  ["post", "/interviews/{interviewId}/meeting", ADVISOR_MESSAGES],
  ["delete", "/interviews/{interviewId}/meeting", ADVISOR_MESSAGES],
  ["post", "/interviews/{interviewId}/channel", ADVISOR_MESSAGES],
  ["post", "/interviews/{interviewId}/outcome", ADVISOR_MESSAGES],
  ["post", "/interviews/{interviewId}/call", CALL_MESSAGES],
  ["post", "/interviews/{interviewId}/meeting/dial-in", CALL_MESSAGES],
  ["delete", "/calls/{callId}", CALL_MESSAGES],
  ["get", "/conversations", ADVISOR_MESSAGES],
  ["get", "/conversations/{seekerId}/messages", ADVISOR_MESSAGES],
];

/** Values the descriptions quote that are not error codes (a channel, outcomes). */
const NOT_CODES = new Set(["in_person", "no_show", "justified_absence"]);

function codes(text: string): string[] {
  return [...text.matchAll(/`([a-z][a-z_]+)`/g)]
    .map((m) => m[1]!)
    .filter((c) => !NOT_CODES.has(c) && (c.includes("_") || ["forbidden", "unavailable", "internal"].includes(c)));
}

describe("the advisor's error sentences", () => {
  it("cover every documented error code of the routes the room and the messages call", () => {
    const missing = new Set<string>();
    for (const [method, path, sentences] of USED) {
      const op = doc.paths[path]?.[method];
      expect(op, `${method} ${path} in the contract`).toBeDefined();
      for (const [status, response] of Object.entries(op!.responses ?? {})) {
        if (!/^[45]/.test(status)) continue;
        const text = response.$ref ? doc.components.responses[response.$ref.split("/").pop()!]!.description : (response.description ?? "");
        for (const code of codes(text)) if (!(code in sentences) && !(code in MESSAGES)) missing.add(`${path}: ${code}`);
      }
    }
    expect([...missing].sort()).toEqual([]);
  });
  it("speak to the advisor where the seeker's sentence would not", () => {
    const forbidden = new ApiError(403, "forbidden");
    expect(frenchMessage(forbidden)).toContain("demandeurs et demandeuses d'emploi");
    expect(frenchMessage(forbidden, ADVISOR_MESSAGES)).toContain("conseiller ou à la conseillère");
  });
});

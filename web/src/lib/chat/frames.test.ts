import { describe, expect, it } from "vitest";
import { backoffMs, mergeMessages, newClientMessageId, parseFrame, type ChatMessage } from "./frames";

const msg = (id: string, text = id): ChatMessage => ({
  id,
  seekerId: "01JE7R3S5T7V9W1X3Y5Z7A9B1C",
  from: "x",
  fromRole: "advisor",
  text,
  sentAt: "2026-12-03T09:30:00+01:00",
});

describe("mergeMessages", () => {
  it("keeps each id once and sorts by id", () => {
    const merged = mergeMessages([msg("01B"), msg("01A")], [msg("01C"), msg("01B", "again")]);
    expect(merged.map((m) => m.id)).toEqual(["01A", "01B", "01C"]);
    expect(merged[1]?.text).toBe("again");
  });
});

describe("frames", () => {
  it("parses server frames and refuses anything else", () => {
    expect(parseFrame('{"type":"typing","seekerId":"s","from":"a","fromRole":"advisor"}')?.type).toBe("typing");
    expect(parseFrame("not json")).toBeNull();
    expect(parseFrame('{"no":"type"}')).toBeNull();
  });
  it("makes client message ids the server accepts", () => {
    expect(newClientMessageId()).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
  });
  it("backs off exponentially up to 15 s", () => {
    expect(backoffMs(0, () => 1)).toBe(500);
    expect(backoffMs(3, () => 1)).toBe(4000);
    expect(backoffMs(20, () => 1)).toBe(15000);
    expect(backoffMs(20, () => 0)).toBe(7500);
  });
});

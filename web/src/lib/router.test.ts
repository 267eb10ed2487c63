import { describe, expect, it, vi } from "vitest";

vi.stubGlobal("window", { location: { pathname: "/", search: "" }, history: { state: null }, addEventListener: () => undefined });
const { match } = await import("./router");

describe("match", () => {
  it("takes params and refuses other shapes", () => {
    expect(match("/rendez-vous/:interviewId/video", "/rendez-vous/01ABC/video")).toEqual({ interviewId: "01ABC" });
    expect(match("/rendez-vous/prendre", "/rendez-vous/prendre")).toEqual({});
    expect(match("/rendez-vous/:interviewId", "/rendez-vous")).toBeNull();
    expect(match("/", "/")).toEqual({});
    expect(match("*", "/anything/at/all")).toEqual({});
  });
});

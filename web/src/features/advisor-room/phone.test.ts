import { describe, expect, it } from "vitest";
import { displayPhone } from "./phone";

describe("displayPhone", () => {
  it("reads a French number in pairs, with its leading 0", () => {
    expect(displayPhone("+33612345678")).toBe("06 12 34 56 78");
  });
  it("leaves any other number as the API gave it", () => {
    expect(displayPhone("+590690123456")).toBe("+590690123456");
    expect(displayPhone("+3361234")).toBe("+3361234");
  });
});

import { describe, expect, it } from "vitest";
import { frenchPhone, whoCallsForAdvisor, whoCallsForSeeker } from "./phone";

describe("phone numbers for people", () => {
  it("are written in the French national form, pairs of digits", () => {
    expect(frenchPhone("+33611223344")).toBe("06 11 22 33 44");
    expect(frenchPhone("+33123456789")).toBe("01 23 45 67 89");
    expect(frenchPhone("+262692123456")).toBe("06 92 12 34 56");
  });

  it("leave a foreign or unexpected number as stored", () => {
    expect(frenchPhone("+447700900123")).toBe("+447700900123");
    expect(frenchPhone("+3361122")).toBe("+3361122");
  });
});

describe("who calls whom", () => {
  it("says the advisor calls the seeker's number by default, and the agency's when the seeker calls", () => {
    expect(whoCallsForSeeker({ number: "+33611223344", caller: "advisor" })).toBe(
      "Votre conseiller ou conseillère vous appelle au 06 11 22 33 44",
    );
    expect(whoCallsForSeeker({ number: "+33123456789", caller: "seeker" })).toBe(
      "Vous appelez l'agence au 01 23 45 67 89, à l'heure du rendez-vous",
    );
    expect(whoCallsForAdvisor({ number: "+33123456789", caller: "seeker" })).toContain("La personne appelle l'agence");
    expect(whoCallsForSeeker(null)).toBe("Votre conseiller ou conseillère vous appelle");
  });
});

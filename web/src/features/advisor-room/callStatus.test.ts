// The sentences the room's live region reads for each call frame (docs/websocket.md's `call`):
// the browser test reaches ringing, connected and a hang-up; the other endings are said here.
import { describe, expect, it } from "vitest";
import { callStatus } from "./CallPanel";

describe("the call's state as the advisor reads it", () => {
  it("says why a call ended", () => {
    expect(callStatus({ state: "ended", outcome: "hung_up" }, "Loïc Combiné")).toBe("Appel terminé.");
    expect(callStatus({ state: "ended", outcome: "unanswered" }, "Loïc Combiné")).toBe("Appel terminé : personne n'a décroché.");
    expect(callStatus({ state: "ended", outcome: "busy" }, "Loïc Combiné")).toBe("Appel terminé : la ligne était occupée.");
    expect(callStatus({ state: "ended", outcome: "failed" }, "Loïc Combiné")).toBe("Appel terminé : l'appel n'a pas pu aboutir.");
  });
  it("names the seeker while it rings and once both talk, and says the call left before any frame", () => {
    expect(callStatus(null, "Loïc Combiné")).toBe("Appel lancé : votre téléphone de poste va sonner.");
    expect(callStatus({ state: "ringing" }, "Loïc Combiné")).toContain("puis celui de Loïc Combiné sonnera");
    expect(callStatus({ state: "connected" }, "Loïc Combiné")).toBe("Appel en cours avec Loïc Combiné.");
  });
});

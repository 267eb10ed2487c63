// The sentences the room's live region reads for each call frame (docs/websocket.md's `call`):
// the browser tests reach ringing, connected and a hang-up; the other endings are said here.
import { describe, expect, it } from "vitest";
import { callStatus, dialInStatus } from "./CallPanel";

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
  it("for the seeker dialled into the meeting, says their phone rings, then that they joined the interview, not the advisor's phone", () => {
    expect(dialInStatus(null, "Loïc Combiné")).toBe("Appel lancé : le téléphone de Loïc Combiné va sonner.");
    expect(dialInStatus({ state: "ringing" }, "Loïc Combiné")).toBe("Ça sonne chez Loïc Combiné : en décrochant, la personne rejoint cet entretien.");
    expect(dialInStatus({ state: "connected" }, "Loïc Combiné")).toBe(
      "Loïc Combiné a rejoint l'entretien par téléphone : sa voix passe dans la visioconférence.",
    );
    expect(dialInStatus({ state: "ended", outcome: "unanswered" }, "Loïc Combiné")).toBe("Appel terminé : personne n'a décroché.");
    for (const state of ["ringing", "connected"] as const) expect(dialInStatus({ state }, "Loïc Combiné")).not.toContain("poste");
  });
});

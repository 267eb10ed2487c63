import { setLink } from "@codegouvfr/react-dsfr/link";
import { startTransition, StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { Link } from "./lib/router";
import "./app/dsfr.css";
import "./app/app.css";
import { loadConfig } from "./lib/config";
import { App } from "./app/App";
import { completeSignIn } from "./app/boot";

declare module "@codegouvfr/react-dsfr/link" {
  interface RegisterLink {
    Link: typeof Link;
  }
}

// Asked for first: the first render waits for it (index.html has already started its fetch).
const configLoaded = loadConfig();

// react-dsfr's links through the site's router. Not startReactDsfr: it would load the DSFR's
// script, which these pages do not need (src/app/SiteHeader.tsx says why); the light colour
// scheme is fixed in index.html.
// (setLink's type wants a Link for external addresses too; react-dsfr renders those as plain <a>
// itself and gives this one only the site's own paths, as startReactDsfr did.)
setLink({ Link: Link as unknown as Parameters<typeof setLink>[0]["Link"] });

configLoaded.then(
  () => {
    void completeSignIn();
    const root = createRoot(document.getElementById("root")!);
    // As a transition, the first render yields to the browser every few milliseconds instead of
    // holding a phone's main thread for its whole length.
    startTransition(() =>
      root.render(
        <StrictMode>
          <App />
        </StrictMode>,
      ),
    );
  },
  () => {
    document.getElementById("root")!.textContent =
      "Le service est momentanément indisponible. Rechargez la page dans un instant.";
  },
);

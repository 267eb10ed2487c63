import { startReactDsfr } from "@codegouvfr/react-dsfr/spa";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { Link } from "./lib/router";
import "./app/dsfr.css";
import "./app/app.css";
import { loadConfig } from "./lib/config";
import { App } from "./app/App";

declare module "@codegouvfr/react-dsfr/spa" {
  interface RegisterLink {
    Link: typeof Link;
  }
}

// Asked for first: the first render waits for it (index.html has already started its fetch).
const configLoaded = loadConfig();

startReactDsfr({ defaultColorScheme: "light", Link });

configLoaded.then(
  () => {
    createRoot(document.getElementById("root")!).render(
      <StrictMode>
        <App />
      </StrictMode>,
    );
  },
  () => {
    document.getElementById("root")!.textContent =
      "Le service est momentanément indisponible. Rechargez la page dans un instant.";
  },
);

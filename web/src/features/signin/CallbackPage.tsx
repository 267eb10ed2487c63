import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { useSyncExternalStore } from "react";
import { signInState } from "../../app/boot";
import { Loading } from "../../app/Loading";

/** Back from the Cognito hosted UI: src/app/boot.ts completes the sign-in from the app's start
 * and opens the page it returns to; this page shows while it does, and if that failed. */
export function CallbackPage() {
  const state = useSyncExternalStore(signInState.subscribe, signInState.current);
  if (state === "failed")
    return <Alert className="fr-my-4w" severity="error" title="La connexion n'a pas abouti" description="Revenez à la page de connexion et réessayez." />;
  return <Loading label="Connexion en cours…" />;
}

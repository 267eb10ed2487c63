import { Alert } from "@codegouvfr/react-dsfr/Alert";

/** Back from the Cognito hosted UI: src/app/boot.ts completes the sign-in before the first render
 * and opens the page it returns to, so this page only shows when that failed. */
export function CallbackPage() {
  return <Alert className="fr-my-4w" severity="error" title="La connexion n'a pas abouti" description="Revenez à la page de connexion et réessayez." />;
}

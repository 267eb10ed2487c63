// The advisor's pages of this folder and of advisor-messages/: signed in, in the advisors
// group. (The staff shell's own guard and navigation will wrap these pages; this check keeps
// them safe on their own until then.)
import Alert from "@codegouvfr/react-dsfr/Alert";
import { Navigate, Outlet, useLocation } from "../../lib/router";
import { role } from "../../lib/auth/session";
import { useSession } from "../../app/useSession";

export function RequireAdvisor() {
  const { session } = useSession();
  const location = useLocation();
  if (!session) return <Navigate to="/connexion" replace state={{ returnTo: location.pathname }} />;
  if (role(session) !== "advisor") {
    return (
      <Alert
        className="fr-my-4w"
        severity="info"
        title="Page réservée aux conseillers et conseillères"
        description="Cette page fait partie de l'espace des conseillers et conseillères. Connectez-vous avec un compte de conseiller pour l'ouvrir."
      />
    );
  }
  return <Outlet />;
}

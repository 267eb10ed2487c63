import Alert from "@codegouvfr/react-dsfr/Alert";
import { Link, Navigate, Outlet, useLocation } from "../lib/router";
import { role } from "../lib/auth/session";
import { useSession } from "./useSession";
import { homeOf, type StaffRole } from "./staff";

const REFUSAL: Record<"seeker" | StaffRole, Record<StaffRole, string>> = {
  seeker: {
    advisor: "Cette page est réservée aux conseillers et conseillères. Vous êtes connecté ou connectée comme demandeur ou demandeuse d'emploi.",
    admin: "Cette page est réservée à l'administration du service. Vous êtes connecté ou connectée comme demandeur ou demandeuse d'emploi.",
  },
  advisor: {
    advisor: "",
    admin: "Cette page est réservée à l'administration du service (gestion des conseillers et de la liste d'attente). Votre compte est un compte de conseiller ou conseillère.",
  },
  admin: {
    advisor: "Cette page est celle d'un conseiller ou d'une conseillère et de son portefeuille. Votre compte est un compte d'administration.",
    admin: "",
  },
};

/** Signed in with the role these pages are for; anyone else is told plainly, with a way back. */
export function RequireStaff({ need }: { need: StaffRole }) {
  const { session } = useSession();
  const location = useLocation();
  if (!session) return <Navigate to="/connexion" replace state={{ returnTo: location.pathname + location.search }} />;
  const mine = role(session) ?? "seeker";
  if (mine !== need) {
    return (
      <>
        <h1 className="fr-mt-4w">Accès réservé</h1>
        <Alert severity="warning" title="Vous n'avez pas accès à cette page" description={REFUSAL[mine][need]} />
        <p className="fr-mt-3w">
          <Link className="fr-link" to={homeOf(session)}>
            Aller à mon espace
          </Link>
        </p>
      </>
    );
  }
  return <Outlet />;
}

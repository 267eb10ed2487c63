import { Navigate, Outlet, useLocation } from "../lib/router";
import Alert from "@codegouvfr/react-dsfr/Alert";
import { ApiError } from "../lib/api/client";
import { frenchMessage } from "../lib/api/errors";
import { role } from "../lib/auth/session";
import { useSession } from "./useSession";
import { useMe } from "./useMe";
import { Loading } from "./Loading";
import { homeOf } from "./staff";

/** Signed in as a registered job seeker, or sent where that can be done. */
export function RequireSeeker() {
  const { session } = useSession();
  const location = useLocation();
  const me = useMe(session !== null && role(session) === "seeker");
  if (!session) return <Navigate to="/connexion" replace state={{ returnTo: location.pathname }} />;
  // Staff on a seeker's page (the home link, an old bookmark): their own desk.
  if (role(session) !== "seeker") return <Navigate to={homeOf(session)} replace />;
  if (me.isPending) return <Loading />;
  if (me.error instanceof ApiError && me.error.code === "not_registered") return <Navigate to="/inscription" replace />;
  if (me.error) return <Alert className="fr-my-4w" severity="error" title="Impossible d'afficher la page" description={frenchMessage(me.error)} />;
  return <Outlet />;
}

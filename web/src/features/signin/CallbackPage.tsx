import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { useEffect, useState } from "react";
import { useNavigate } from "../../lib/router";
import { setToken } from "../../lib/auth/session";
import { Loading } from "../../app/Loading";

/** Back from the Cognito hosted UI with an authorization code. */
export function CallbackPage() {
  const navigate = useNavigate();
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let cancelled = false;
    import("../../lib/auth/cognito")
      .then(({ completeCognito }) => completeCognito())
      .then(({ idToken, returnTo }) => {
        if (cancelled) return;
        setToken(idToken);
        navigate(returnTo, { replace: true });
      })
      .catch(() => !cancelled && setFailed(true));
    return () => {
      cancelled = true;
    };
  }, [navigate]);
  if (failed) return <Alert className="fr-my-4w" severity="error" title="La connexion n'a pas abouti" description="Revenez à la page de connexion et réessayez." />;
  return <Loading label="Connexion en cours…" />;
}

import Button from "@codegouvfr/react-dsfr/Button";
import { useEffect, useRef, useState } from "react";
import { config } from "../lib/config";
import { setToken } from "../lib/auth/session";
import { useSession } from "./useSession";
import { queryClient } from "./queryClient";

/**
 * Shown over the page when the session ended (a 401, or a renewal that failed): signing in
 * again happens without leaving the page, so nothing typed is lost.
 */
export function SessionExpiredDialog() {
  const { session, expired } = useSession();
  const dialog = useRef<HTMLDialogElement>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (expired && !d.open) d.showModal();
    if (!expired && d.open) d.close();
  }, [expired]);

  const again = async () => {
    setFailed(false);
    try {
      let token: string | undefined;
      if (config().auth === "local") {
        const { localToken } = await import("../lib/auth/local");
        token = await localToken(session!.sub, session!.email, session!.groups);
      } else {
        const { signInAgainCognito } = await import("../lib/auth/cognito");
        token = await signInAgainCognito();
      }
      if (!token) throw new Error("no token");
      setToken(token);
      await queryClient.invalidateQueries();
    } catch {
      setFailed(true);
    }
  };

  return (
    <dialog ref={dialog} aria-labelledby="session-title" className="app-dialog">
      <h2 id="session-title" className="fr-h4">
        Votre session a expiré
      </h2>
      <p>Reconnectez-vous pour continuer. Ce que vous avez saisi sur la page est conservé.</p>
      {failed && (
        <p className="fr-error-text" role="alert">
          La reconnexion n'a pas abouti. Réessayez.
        </p>
      )}
      <Button onClick={again}>Me reconnecter</Button>
    </dialog>
  );
}

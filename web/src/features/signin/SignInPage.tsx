import Button from "@codegouvfr/react-dsfr/Button";
import { Input } from "@codegouvfr/react-dsfr/Input";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState, useSyncExternalStore, type FormEvent } from "react";
import { useLocation, useNavigate, useSearchParams } from "../../lib/router";
import { config } from "../../lib/config";
import { lastSignOutReason, setToken } from "../../lib/auth/session";
import { queryClient } from "../../app/queryClient";
// Local only, and 0.3 kB: imported at once rather than as a chunk fetched after the page opens.
import { demoPeople, localToken } from "../../lib/auth/local";
import { useTitle } from "../../app/useTitle";
import { homeOf } from "../../app/staff";
import { signInState } from "../../app/boot";

const LOCAL_GATEWAY_DOWN = "La connexion locale n'a pas abouti : la passerelle locale répond-elle ?";
const ROLE_LABEL = { seeker: "demandeur ou demandeuse d'emploi", advisor: "conseiller ou conseillère", admin: "administration" };

export function SignInPage() {
  useTitle("Connexion");
  const erased = lastSignOutReason() === "erased";
  return (
    <>
      {erased && (
        <Alert
          className="fr-mt-4w"
          severity="success"
          title="Vos données ont été effacées"
          description="Votre compte de suivi n'existe plus. Vous pouvez vous réinscrire à tout moment."
        />
      )}
      {config().auth === "local" ? <LocalSignIn /> : <CognitoSignIn />}
    </>
  );
}

/** The page that asked for a sign-in, if any (otherwise each role lands on its own home). */
function useReturnTo(): string | undefined {
  const location = useLocation();
  return (location.state as { returnTo?: string } | null)?.returnTo;
}

function CognitoSignIn() {
  const returnTo = useReturnTo();
  const [failed, setFailed] = useState(false);
  const go = async () => {
    try {
      const { signInCognito } = await import("../../lib/auth/cognito");
      await signInCognito(returnTo ?? "/");
    } catch {
      setFailed(true);
    }
  };
  return (
    <>
      <h1 className="fr-mt-4w">Connexion</h1>
      <p>Connectez-vous pour suivre vos rendez-vous et écrire à votre conseiller ou conseillère.</p>
      {failed && <Alert severity="error" small description="La page de connexion n'a pas pu s'ouvrir. Réessayez." />}
      <Button onClick={go}>Se connecter ou créer un compte</Button>
    </>
  );
}

/** Local only (never deployed): the gateway's /_local/token stands in for Cognito. */
function LocalSignIn() {
  const navigate = useNavigate();
  const returnTo = useReturnTo();
  // /connexion?as=…: src/app/boot.ts signs in with it and opens the page asked for.
  const [params] = useSearchParams();
  const signInRedirect = params.get("as") !== null;
  const redirectState = useSyncExternalStore(signInState.subscribe, signInState.current);
  const people = useQuery({
    queryKey: ["demo-people"],
    queryFn: demoPeople,
    enabled: !signInRedirect,
  });
  const [sub, setSub] = useState("");
  const [email, setEmail] = useState("");
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    // A fresh identity each time the page opens, so "register" works at once.
    setSub(`nouveau-${Math.random().toString(36).slice(2, 8)}`);
  }, []);


  const signIn = async (who: string, mail: string | undefined, groups: string[], to = returnTo) => {
    setError(null);
    try {
      const session = setToken(await localToken(who, mail, groups));
      queryClient.clear();
      navigate(to ?? homeOf(session), { replace: true });
    } catch {
      setError(LOCAL_GATEWAY_DOWN);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!sub.trim()) {
      setError("Indiquez un identifiant.");
      return;
    }
    void signIn(sub.trim(), email.trim() || undefined, []);
  };

  if (signInRedirect) {
    return redirectState === "failed" ? (
      <p className="fr-error-text fr-mt-4w" role="alert">
        {LOCAL_GATEWAY_DOWN}
      </p>
    ) : (
      <p role="status" className="fr-my-4w">
        Connexion en cours…
      </p>
    );
  }
  return (
    <>
      <h1 className="fr-mt-4w">Connexion locale</h1>
      <Alert
        severity="info"
        small
        className="fr-mb-4w"
        description="Cette page n'existe que sur un poste de développement : en production, la connexion passe par Amazon Cognito."
      />
      <h2 className="fr-h4">Personnes de démonstration</h2>
      {people.isPending ? (
        <p role="status">Chargement…</p>
      ) : people.data && people.data.length > 0 ? (
        <ul className="fr-btns-group fr-btns-group--inline-md">
          {people.data.map((p) => (
            <li key={p.sub}>
              <Button
                priority="secondary"
                onClick={() => void signIn(p.sub, p.email, p.role === "admin" ? ["admins"] : p.role === "advisor" ? ["advisors"] : [])}
              >
                {`${p.name} (${ROLE_LABEL[p.role]})`}
              </Button>
            </li>
          ))}
        </ul>
      ) : (
        <p>Aucune personne de démonstration : `make run` les crée au démarrage.</p>
      )}
      <h2 className="fr-h4 fr-mt-4w">Nouvelle personne</h2>
      <p>Une identité qui n'existe pas encore : vous pourrez ensuite vous inscrire comme demandeur ou demandeuse d'emploi.</p>
      <form onSubmit={submit} noValidate>
        <Input
          label="Identifiant"
          hintText="Tient lieu de l'identifiant Cognito (sub)."
          nativeInputProps={{ value: sub, onChange: (e) => setSub(e.target.value), autoComplete: "off" }}
        />
        <Input
          label="Adresse électronique (facultatif)"
          nativeInputProps={{ type: "email", value: email, onChange: (e) => setEmail(e.target.value), autoComplete: "email" }}
        />
        {error && (
          <p className="fr-error-text fr-mb-2w" role="alert">
            {error}
          </p>
        )}
        <Button type="submit">Se connecter avec cette identité</Button>
      </form>
    </>
  );
}

import { Header } from "@codegouvfr/react-dsfr/Header";
import { Footer } from "@codegouvfr/react-dsfr/Footer";
import { SkipLinks } from "@codegouvfr/react-dsfr/SkipLinks";
import { useEffect, useRef, type ReactNode } from "react";
import { useLocation, useNavigate } from "../lib/router";
import { config } from "../lib/config";
import { role, signOutLocally } from "../lib/auth/session";
import { useSession } from "./useSession";
import { SessionExpiredDialog } from "./SessionExpiredDialog";
import { queryClient } from "./queryClient";

const NAV: ReadonlyArray<{ to: string; text: string }> = [
  { to: "/", text: "Accueil" },
  { to: "/rendez-vous", text: "Mes rendez-vous" },
  { to: "/messages", text: "Messages" },
  { to: "/suivi", text: "Mon suivi" },
  { to: "/mes-donnees", text: "Mes données" },
];

export function Layout({ children }: { children: ReactNode }) {
  const { session } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);

  // A new page: move focus to its content, so a screen reader starts reading there.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [location.pathname]);

  const signOut = async () => {
    queryClient.clear();
    signOutLocally();
    if (config().auth === "cognito") {
      const { signOutCognito } = await import("../lib/auth/cognito");
      await signOutCognito();
      return;
    }
    navigate("/connexion");
  };

  const isSeeker = role(session) === "seeker";
  return (
    <>
      <SkipLinks
        links={[
          { anchor: "#contenu", label: "Contenu" },
          { anchor: "#pied-de-page", label: "Pied de page" },
        ]}
      />
      <Header
        brandTop={
          <>
            République
            <br />
            Française
          </>
        }
        serviceTitle="Suivi emploi à distance"
        serviceTagline="Votre accompagnement vers l'emploi, avec votre conseiller ou votre conseillère"
        homeLinkProps={{ to: "/", title: "Accueil - Suivi emploi à distance" }}
        quickAccessItems={
          session
            ? [{ iconId: "fr-icon-logout-box-r-line", text: "Se déconnecter", buttonProps: { onClick: signOut } }]
            : []
        }
        navigation={
          isSeeker
            ? NAV.map((item) => ({
                text: item.text,
                linkProps: { to: item.to },
                isActive: item.to === "/" ? location.pathname === "/" : location.pathname.startsWith(item.to),
              }))
            : undefined
        }
      />
      <main id="contenu" ref={main} tabIndex={-1} className="fr-container fr-pb-6w app-main">
        {children}
      </main>
      <Footer
        id="pied-de-page"
        accessibility="non compliant"
        accessibilityLinkProps={{ to: "/accessibilite" }}
        termsLinkProps={{ to: "/mentions-legales" }}
        contentDescription="Service de suivi à distance des demandeurs et demandeuses d'emploi."
        bottomItems={[{ text: "Données personnelles", linkProps: { to: "/donnees-personnelles" } }]}
      />
      <SessionExpiredDialog />
    </>
  );
}

import { Footer } from "@codegouvfr/react-dsfr/Footer";
import { SkipLinks } from "@codegouvfr/react-dsfr/SkipLinks";
import { useEffect, useRef, type ReactNode } from "react";
import { useLocation, useNavigate } from "../lib/router";
import { config } from "../lib/config";
import { role, signOutLocally } from "../lib/auth/session";
import { useSession } from "./useSession";
import { SessionExpiredDialog } from "./SessionExpiredDialog";
import { queryClient } from "./queryClient";
import { ADMIN_NAV, ADVISOR_NAV, homeOf, isActive } from "./staff";
import { SiteHeader } from "./SiteHeader";

const NAV: ReadonlyArray<{ to: string; text: string }> = [
  { to: "/", text: "Accueil" },
  { to: "/rendez-vous", text: "Mes rendez-vous" },
  { to: "/messages", text: "Messages" },
  { to: "/suivi", text: "Mon suivi" },
  { to: "/mes-donnees", text: "Mes données" },
];

const BRAND_TOP = (
  <>
    République
    <br />
    Française
  </>
);
const HOME_TITLE = "Accueil - Suivi emploi à distance";

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

  const who = role(session);
  const home = homeOf(session);
  const staffNav = who === "advisor" ? ADVISOR_NAV : who === "admin" ? ADMIN_NAV : null;
  // Staff pages are a desk, used all day on a wide screen: a wider content column.
  const desk = location.pathname.startsWith("/conseiller") || location.pathname.startsWith("/gestion");
  return (
    <>
      <SkipLinks
        links={[
          { anchor: "#contenu", label: "Contenu" },
          { anchor: "#pied-de-page", label: "Pied de page" },
        ]}
      />
      <SiteHeader
        brandTop={BRAND_TOP}
        serviceTitle="Suivi emploi à distance"
        serviceTagline="Votre accompagnement vers l'emploi, avec votre conseiller ou votre conseillère"
        home={{ to: home, title: HOME_TITLE }}
        actions={session ? [{ iconId: "fr-icon-logout-box-r-line", text: "Se déconnecter", onClick: () => void signOut() }] : []}
        navigation={
          who === "seeker"
            ? NAV.map((item) => ({
                text: item.text,
                to: item.to,
                isActive: item.to === "/" ? location.pathname === "/" : location.pathname.startsWith(item.to),
              }))
            : staffNav
              ? staffNav.map((item) => ({ text: item.text, to: item.to, isActive: isActive(item, location.pathname) }))
              : undefined
        }
      />
      <main id="contenu" ref={main} tabIndex={-1} className={`fr-container fr-pb-6w app-main${desk ? " app-desk" : ""}`}>
        {children}
      </main>
      <Footer
        id="pied-de-page"
        brandTop={BRAND_TOP}
        homeLinkProps={{ to: home, title: HOME_TITLE }}
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

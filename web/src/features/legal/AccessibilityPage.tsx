import { useTitle } from "../../app/useTitle";

export default function AccessibilityPage() {
  useTitle("Déclaration d'accessibilité");
  return (
    <>
      <h1 className="fr-mt-4w">Déclaration d'accessibilité</h1>
      <p>
        Le service « Suivi emploi à distance » s'engage à rendre son site accessible, conformément à l'article 47 de la loi n° 2005-102 du
        11 février 2005. Cette déclaration s'applique au site web des demandeurs et demandeuses d'emploi.
      </p>
      <h2 className="fr-h4">État de conformité</h2>
      <p>
        Le site est <strong>non conforme</strong> au référentiel général d'amélioration de l'accessibilité (RGAA 4.1) :{" "}
        <strong>il n'a pas encore été audité</strong>. Aucun taux de conformité ne peut donc être annoncé.
      </p>
      <h2 className="fr-h4">Ce qui a été vérifié</h2>
      <ul>
        <li>
          Chaque page et chaque état atteint par les tests automatiques (formulaires en erreur, confirmations, messagerie, visioconférence)
          est contrôlé avec l'outil axe-core (règles WCAG 2.1 niveaux A et AA) : aucune erreur détectée. Un outil automatique ne trouve
          qu'une partie des défauts.
        </li>
        <li>L'inscription et la prise de rendez-vous sont testées au clavier seul, sans souris.</li>
        <li>Les éléments sont trouvés par les tests comme un lecteur d'écran les annonce : par leur rôle et leur nom.</li>
        <li>Les nouveaux messages sont annoncés aux lecteurs d'écran ; les heures sont données en heure de Paris.</li>
      </ul>
      <h2 className="fr-h4">Ce qui n'a pas été vérifié</h2>
      <ul>
        <li>Un audit complet des 106 critères du RGAA par une personne experte.</li>
        <li>Des tests avec des lecteurs d'écran (NVDA, JAWS, VoiceOver, TalkBack) et avec des personnes en situation de handicap.</li>
        <li>La visioconférence elle-même (le flux vidéo n'a pas de sous-titres).</li>
      </ul>
      <h2 className="fr-h4">Retour d'information et contact</h2>
      <p>
        Si vous n'arrivez pas à accéder à un contenu ou à un service, écrivez à votre conseiller ou conseillère par la messagerie, ou à
        l'adresse accessibilite@suivi-emploi.example.fr : nous vous répondrons et vous proposerons une autre façon d'y accéder.
      </p>
      <h2 className="fr-h4">Voie de recours</h2>
      <p>
        Si vous n'avez pas obtenu de réponse satisfaisante, vous pouvez écrire au Défenseur des droits (formulaire en ligne sur
        defenseurdesdroits.fr), contacter son délégué ou sa déléguée dans votre région, ou écrire par courrier gratuit : Défenseur des droits,
        Libre réponse 71120, 75342 Paris CEDEX 07.
      </p>
    </>
  );
}

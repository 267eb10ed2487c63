import { useTitle } from "../../app/useTitle";

export default function PrivacyPage() {
  useTitle("Données personnelles");
  return (
    <>
      <h1 className="fr-mt-4w">Données personnelles</h1>
      <h2 className="fr-h4">Pourquoi nous traitons vos données</h2>
      <p>
        Pour vous accompagner dans votre recherche d'emploi à distance : vous attribuer un conseiller ou une conseillère, organiser vos
        rendez-vous, vous permettre d'échanger par écrit et garder la trace de votre suivi. Vos données ne sont ni vendues ni utilisées à
        d'autres fins.
      </p>
      <h2 className="fr-h4">Ce que nous gardons, et combien de temps</h2>
      <ul>
        <li>Votre profil (nom, prénom, adresse électronique, téléphone, région, moyens de contact préférés) : tant que vous êtes suivi ou suivie.</li>
        <li>Vos messages avec votre conseiller ou conseillère : 24 mois après leur envoi, puis ils sont supprimés automatiquement.</li>
        <li>Le journal de votre suivi (rendez-vous, changements, réponses) : pendant la durée de conservation fixée par l'organisme, puis supprimé automatiquement.</li>
        <li>
          Les convocations à un rendez-vous obligatoire et leur accusé de réception : conservés comme preuve, car une absence a des
          conséquences sur vos droits.
        </li>
        <li>Les courriels envoyés : le temps de les envoyer et d'en garder la trace dans votre suivi.</li>
      </ul>
      <p>Les journaux techniques du service ne contiennent ni votre nom, ni votre adresse, ni votre numéro, ni le texte de vos messages.</p>
      <h2 className="fr-h4">Qui y a accès</h2>
      <p>Vous, et votre conseiller ou conseillère. Les responsables du service voient seulement ce qu'il faut pour répartir les personnes suivies.</p>
      <h2 className="fr-h4">Vos droits, et comment les exercer</h2>
      <ul>
        <li>
          <strong>Accès et portabilité</strong> : dans « Mes données », le bouton « Télécharger mes données » vous donne tout ce que nous
          gardons sur vous, dans un fichier.
        </li>
        <li>
          <strong>Rectification</strong> : vous modifiez vous-même votre téléphone et vos moyens de contact dans « Mes données » ; pour le
          reste, écrivez à votre conseiller ou conseillère.
        </li>
        <li>
          <strong>Effacement</strong> : dans « Mes données », « Effacer mes données ». Ce qui doit être gardé l'est sans rien qui permette de
          vous reconnaître.
        </li>
        <li>
          <strong>Réclamation</strong> : vous pouvez saisir la Commission nationale de l'informatique et des libertés (CNIL), sur cnil.fr.
        </li>
      </ul>
    </>
  );
}

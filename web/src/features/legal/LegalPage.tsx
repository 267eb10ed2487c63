import { useTitle } from "../../app/useTitle";
import { config } from "../../lib/config";

export default function LegalPage() {
  useTitle("Mentions légales");
  // The deployment names the publisher in config.json (docs/web.md); a stack without it says so.
  const publisher = config().publisher;
  return (
    <>
      <h1 className="fr-mt-4w">Mentions légales</h1>
      <h2 className="fr-h4">Éditeur</h2>
      {publisher ? (
        <p>
          {publisher.name}, {publisher.address}. SIREN : {publisher.siren}. Contact : {publisher.contact}.
        </p>
      ) : (
        <p>
          Ce site est édité par l'organisme public chargé de l'accompagnement des demandeurs et demandeuses d'emploi qui le déploie. Cette
          installation ne le nomme pas encore : c'est un poste de développement ou un déploiement sans éditeur déclaré.
        </p>
      )}
      <h2 className="fr-h4">Directeur ou directrice de la publication</h2>
      <p>{publisher ? publisher.director : "Non déclaré sur cette installation."}</p>
      <h2 className="fr-h4">Hébergement</h2>
      <p>
        Amazon Web Services EMEA SARL, 38 avenue John F. Kennedy, L-1855 Luxembourg. Les données sont hébergées dans la région AWS de Paris
        (eu-west-3).
      </p>
      <h2 className="fr-h4">Système de design</h2>
      <p>
        Ce site utilise le Système de design de l'État (DSFR), dont l'usage est réservé aux sites des services publics. La marque de l'État,
        le logo « République française » et la police Marianne ne peuvent être utilisés que par les administrations et les opérateurs
        autorisés.
      </p>
      <h2 className="fr-h4">Accessibilité</h2>
      <p>Voir la page « Déclaration d'accessibilité » (lien en bas de chaque page).</p>
    </>
  );
}

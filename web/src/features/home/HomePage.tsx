import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { Badge } from "@codegouvfr/react-dsfr/Badge";
import { queryOptions, useQuery } from "@tanstack/react-query";
import { Link } from "../../lib/router";
import { api, unwrap, type Schemas } from "../../lib/api/client";
import { CHANNEL_LABEL } from "../../lib/labels";
import { parisDate, parisDateTime } from "../../lib/time";
import { useMe } from "../../app/useMe";
import { useTitle } from "../../app/useTitle";
import { useInterviews } from "../interviews/queries";

const LEVEL_TEXT: Record<Schemas["Level"], string> = {
  reinforced: "Votre conseiller ou conseillère vous suit de près, avec des contacts fréquents.",
  guided: "Vous avancez avec l'appui régulier de votre conseiller ou conseillère.",
  follow_up: "Vous cherchez de façon autonome ; votre conseiller ou conseillère fait le point avec vous de temps en temps.",
};

/** My conversation with my advisor (its unread count). */
export const conversationsQuery = queryOptions({
  queryKey: ["conversations"],
  queryFn: async () => unwrap(await api().GET("/conversations")).items,
});

export function HomePage() {
  useTitle("Accueil");
  const me = useMe().data!;
  const upcoming = useInterviews("upcoming");
  const conversations = useQuery(conversationsQuery);
  const unread = conversations.data?.[0]?.unread ?? 0;
  const toAcknowledge = (upcoming.data ?? []).filter((i) => i.mandatory && i.status === "booked" && !i.acknowledgedAt);
  const booked = (upcoming.data ?? []).filter((i) => i.status === "booked");

  return (
    <>
      <h1 className="fr-mt-4w">Bonjour {me.firstName}</h1>
      {toAcknowledge.map((i) => (
        <Alert
          key={i.interviewId}
          className="fr-mb-3w"
          severity="warning"
          title={`Convocation à un rendez-vous obligatoire le ${parisDateTime(i.start)}`}
          description={
            <>
              Merci d'en accuser réception.{" "}
              <Link to={`/rendez-vous/${i.interviewId}`}>Voir la convocation et en accuser réception</Link>
            </>
          }
        />
      ))}
      <div className="fr-grid-row fr-grid-row--gutters">
        <section className="fr-col-12 fr-col-md-6" aria-labelledby="advisor-title">
          <h2 id="advisor-title" className="fr-h4">
            Mon accompagnement
          </h2>
          {me.advisor ? (
            <p>
              Votre conseiller ou conseillère : <strong>{`${me.advisor.firstName} ${me.advisor.lastName}`}</strong>
            </p>
          ) : (
            <Alert
              severity="info"
              small
              description="Vous êtes sur liste d'attente : aucun conseiller ou conseillère de votre région n'a encore de place. Vous recevrez un courriel dès que ce sera le cas."
            />
          )}
          <p>
            Votre accompagnement : <strong>{me.levelLabel}</strong>. {LEVEL_TEXT[me.level]}
          </p>
          <p>
            {me.overdue ? (
              <Badge severity="warning">Un contact est attendu depuis le {parisDate(me.nextContactDue)}</Badge>
            ) : (
              <>Prochain contact prévu au plus tard le {parisDate(me.nextContactDue)}.</>
            )}
          </p>
        </section>
        <section className="fr-col-12 fr-col-md-6" aria-labelledby="messages-title">
          <h2 id="messages-title" className="fr-h4">
            Messages
          </h2>
          <p>
            {unread === 0 ? "Aucun nouveau message." : unread === 1 ? "1 nouveau message." : `${unread} nouveaux messages.`}{" "}
            <Link className="fr-link" to="/messages">
              Ouvrir la messagerie
            </Link>
          </p>
        </section>
      </div>
      <section aria-labelledby="upcoming-title" className="fr-mt-4w">
        <h2 id="upcoming-title" className="fr-h4">
          Mes prochains rendez-vous
        </h2>
        {upcoming.isPending ? (
          <p role="status">Chargement…</p>
        ) : booked.length === 0 ? (
          <p>Aucun rendez-vous prévu.</p>
        ) : (
          <ul>
            {booked.slice(0, 5).map((i) => (
              <li key={i.interviewId}>
                <Link to={`/rendez-vous/${i.interviewId}`}>
                  {`${parisDateTime(i.start)} — ${CHANNEL_LABEL[i.channel]}${i.mandatory ? " (obligatoire)" : ""}`}
                </Link>
              </li>
            ))}
          </ul>
        )}
        <ul className="fr-btns-group fr-btns-group--inline-md">
          {me.advisor && (
            <li>
              <Link className="fr-btn" to="/rendez-vous/prendre">
                Prendre rendez-vous
              </Link>
            </li>
          )}
          {me.advisor && (
            <li>
              <Link className="fr-btn fr-btn--secondary" to="/entretien-sur-place">
                Demander un entretien sur place
              </Link>
            </li>
          )}
        </ul>
      </section>
    </>
  );
}

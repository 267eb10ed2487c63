import { Badge } from "@codegouvfr/react-dsfr/Badge";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { Link } from "../../lib/router";
import type { Schemas } from "../../lib/api/client";
import { frenchMessage } from "../../lib/api/errors";
import { CHANNEL_LABEL, STATUS_LABEL, STATUS_SEVERITY } from "../../lib/labels";
import { parisDateTime } from "../../lib/time";
import { useTitle } from "../../app/useTitle";
import { Loading } from "../../app/Loading";
import { useInterviews } from "./queries";

export function InterviewsPage() {
  useTitle("Mes rendez-vous");
  const upcoming = useInterviews("upcoming");
  const past = useInterviews("past");
  return (
    <>
      <h1 className="fr-mt-4w">Mes rendez-vous</h1>
      <p>
        <Link className="fr-btn" to="/rendez-vous/prendre">
          Prendre rendez-vous
        </Link>
      </p>
      <h2 className="fr-h4">À venir</h2>
      <List query={upcoming} empty="Aucun rendez-vous à venir." />
      <h2 className="fr-h4 fr-mt-4w">Passés</h2>
      <List query={past} empty="Aucun rendez-vous passé." />
    </>
  );
}

function List({ query, empty }: { query: ReturnType<typeof useInterviews>; empty: string }) {
  if (query.isPending) return <Loading />;
  if (query.error) return <Alert severity="error" small description={frenchMessage(query.error)} />;
  if (query.data.length === 0) return <p>{empty}</p>;
  return (
    <ul className="fr-raw-list">
      {query.data.map((i) => (
        <Row key={i.interviewId} interview={i} />
      ))}
    </ul>
  );
}

function Row({ interview: i }: { interview: Schemas["Interview"] }) {
  return (
    <li className="fr-mb-2w">
      <Link to={`/rendez-vous/${i.interviewId}`}>{`${parisDateTime(i.start)} — ${CHANNEL_LABEL[i.channel]}`}</Link>{" "}
      <Badge small severity={STATUS_SEVERITY[i.status]}>
        {STATUS_LABEL[i.status]}
      </Badge>{" "}
      {i.mandatory && (
        <Badge small severity="warning">
          Obligatoire
        </Badge>
      )}
    </li>
  );
}

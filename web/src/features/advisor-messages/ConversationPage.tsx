// One conversation, from the advisor's side: the seeker's thread (features/messages/ChatThread),
// with the seeker named.
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "../../lib/router";
import { api, unwrap } from "../../lib/api/client";
import { useTitle } from "../../app/useTitle";
import { Loading } from "../../app/Loading";
import { advisorError } from "../advisor-room/queries";
import { ChatThread } from "../messages/ChatThread";
import { CONVERSATIONS_KEY } from "./queries";

export default function ConversationPage() {
  const { seekerId = "" } = useParams();
  useTitle("Conversation");
  const seeker = useQuery({
    queryKey: ["advisor", "seeker", seekerId],
    queryFn: async () => unwrap(await api().GET("/seekers/{seekerId}", { params: { path: { seekerId } } })),
  });
  if (seeker.isPending) return <Loading />;
  if (!seeker.data) {
    return (
      <>
        <h1 className="fr-mt-4w">Conversation</h1>
        <Alert small severity="error" description={advisorError(seeker.error)} />
        <p className="fr-mt-2w">
          <Link className="fr-link" to="/conseiller/messages">
            Toutes les conversations
          </Link>
        </p>
      </>
    );
  }
  const name = `${seeker.data.firstName} ${seeker.data.lastName}`;
  return (
    <>
      <h1 className="fr-mt-4w">Messages avec {name}</h1>
      <AdvisorThread seekerId={seekerId} seekerName={name} />
      <p className="fr-mt-4w">
        <Link className="fr-link" to="/conseiller/messages">
          Toutes les conversations
        </Link>
      </p>
    </>
  );
}

/** The conversation itself, without a page title: the seeker's file can hold it too. */
export function AdvisorThread({ seekerId, seekerName }: { seekerId: string; seekerName: string }) {
  return (
    <ChatThread
      seekerId={seekerId}
      me="advisor"
      otherName={seekerName}
      announce={(text) => `Nouveau message de ${seekerName} : ${text}`}
      threadLabel={`Conversation avec ${seekerName}`}
      composerLabel={`Votre réponse à ${seekerName}`}
      emptyText="Aucun message pour l'instant."
      staleOnLeave={CONVERSATIONS_KEY}
    />
  );
}

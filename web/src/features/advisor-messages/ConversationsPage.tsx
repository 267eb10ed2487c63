// The advisor's messages (issue 15, journey 5): every conversation of the portfolio, the
// latest first, with its unread count; new messages move a conversation up and count at once.
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { Badge } from "@codegouvfr/react-dsfr/Badge";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "../../lib/router";
import { api, unwrap, type Schemas } from "../../lib/api/client";
import { parisDateTime } from "../../lib/time";
import { queryClient } from "../../app/queryClient";
import { useTitle } from "../../app/useTitle";
import { Loading } from "../../app/Loading";
import { advisorError } from "../advisor-room/queries";
import { useInboxLive } from "./useInboxLive";
import { CONVERSATIONS_KEY } from "./queries";

/** A portfolio holds at most 250 seekers: two pages at most. */
const PAGE = 200;

async function allConversations(): Promise<Schemas["Conversation"][]> {
  const rows: Schemas["Conversation"][] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 5; page++) {
    const body = unwrap(await api().GET("/conversations", { params: { query: { limit: PAGE, cursor } } }));
    rows.push(...body.items);
    cursor = body.nextCursor;
    if (!cursor) break;
  }
  return rows;
}

function seekerName(c: Schemas["Conversation"]): string {
  const name = [c.seeker?.firstName, c.seeker?.lastName].filter(Boolean).join(" ");
  return name || "Demandeur d'emploi";
}

export default function ConversationsPage() {
  useTitle("Messages");
  const conversations = useQuery({ queryKey: CONVERSATIONS_KEY, queryFn: allConversations });
  const [announce, setAnnounce] = useState("");
  const connection = useInboxLive((message) => {
    void queryClient.invalidateQueries({ queryKey: CONVERSATIONS_KEY });
    if (message?.fromRole === "seeker") {
      const row = conversations.data?.find((c) => c.seekerId === message.seekerId);
      setAnnounce(`Nouveau message de ${row ? seekerName(row) : "un demandeur d'emploi"}.`);
    }
  });

  const rows = conversations.data ?? [];
  const unread = rows.reduce((n, c) => n + c.unread, 0);
  return (
    <>
      <h1 className="fr-mt-4w">Messages</h1>
      <p className="fr-text--sm" role="status">
        {connection === "open"
          ? "Connecté : les nouveaux messages arrivent en direct."
          : connection === "offline"
            ? "Hors ligne : la liste se mettra à jour au retour de la connexion."
            : "Connexion en cours…"}
      </p>
      <div aria-live="polite" className="fr-sr-only">
        {announce}
      </div>
      {conversations.isPending ? (
        <Loading />
      ) : conversations.error ? (
        <Alert small severity="error" description={advisorError(conversations.error)} />
      ) : rows.length === 0 ? (
        <p>Aucune conversation pour l'instant : les messages de votre portefeuille apparaîtront ici.</p>
      ) : (
        <>
          <p>
            {rows.length} conversation{rows.length > 1 ? "s" : ""},{" "}
            {unread === 0 ? "aucun message non lu." : `${unread} message${unread > 1 ? "s" : ""} non lu${unread > 1 ? "s" : ""}.`}
          </p>
          <ul className="app-inbox" aria-label="Conversations, la plus récente d'abord">
            {rows.map((c) => (
              <li key={c.seekerId} className={c.unread > 0 ? "app-unread" : undefined}>
                <Link to={`/conseiller/messages/${c.seekerId}`} className="fr-link">
                  {seekerName(c)}
                </Link>{" "}
                {c.unread > 0 && (
                  <Badge severity="new" small>
                    {`${c.unread} non lu${c.unread > 1 ? "s" : ""}`}
                  </Badge>
                )}
                {c.lastMessage && (
                  <span className="app-meta">
                    {c.lastMessage.fromRole === "advisor" ? "Vous" : seekerName(c)}
                    {c.lastMessage.sentAt && `, ${parisDateTime(c.lastMessage.sentAt)}`} : {c.lastMessage.excerpt}
                  </span>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}

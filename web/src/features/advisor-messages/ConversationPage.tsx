// One conversation, from the advisor's side: the seeker's chat rules exactly (the same hook:
// live frames, an outbox acked one message at a time and retried with its clientMessageId,
// replay after a lost connection, read markers), with the seeker named.
import Button from "@codegouvfr/react-dsfr/Button";
import { Input } from "@codegouvfr/react-dsfr/Input";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { Link, useParams } from "../../lib/router";
import { api, unwrap } from "../../lib/api/client";
import { parisDateTime } from "../../lib/time";
import { queryClient } from "../../app/queryClient";
import { useTitle } from "../../app/useTitle";
import { Loading } from "../../app/Loading";
import { advisorError } from "../advisor-room/queries";
import { useChat } from "../messages/useChat";
import { CONVERSATIONS_KEY } from "./queries";

const TEXT_MAX = 4000;

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
  const chat = useChat(seekerId, { me: "advisor", announce: (text) => `Nouveau message de ${seekerName} : ${text}` });
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const list = useRef<HTMLOListElement>(null);

  useEffect(() => {
    list.current?.lastElementChild?.scrollIntoView({ block: "end" });
  }, [chat.messages.length, chat.outbox.length]);

  // Leaving: the list's unread counts are stale.
  useEffect(() => () => void queryClient.invalidateQueries({ queryKey: CONVERSATIONS_KEY }), []);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const t = text.trim();
    if (!t) {
      setError("Écrivez votre message avant de l'envoyer.");
      return;
    }
    if (t.length > TEXT_MAX) {
      setError("Votre message dépasse 4 000 caractères : raccourcissez-le.");
      return;
    }
    setError(null);
    chat.send(t);
    setText("");
  };

  return (
    <>
      <p className="fr-text--sm" role="status">
        {chat.connection === "open"
          ? "Connecté : les messages arrivent en direct."
          : chat.connection === "offline"
            ? "Hors ligne : vos messages partiront dès le retour de la connexion."
            : "Connexion en cours…"}
      </p>
      {chat.hasOlder && (
        <Button priority="tertiary" size="small" onClick={() => void chat.loadOlder()}>
          Afficher les messages plus anciens
        </Button>
      )}
      <ol ref={list} className="app-thread" aria-label={`Conversation avec ${seekerName}`} tabIndex={0}>
        {chat.messages.map((m) => (
          <li key={m.id} className={m.fromRole === "advisor" ? "app-mine" : "app-theirs"}>
            <span className="app-meta">
              {m.fromRole === "advisor" ? "Vous" : seekerName}, {parisDateTime(m.sentAt)}
              {m.fromRole === "advisor" && chat.otherReadUpTo && m.id <= chat.otherReadUpTo ? " — lu" : ""}
            </span>
            <span style={{ whiteSpace: "pre-wrap" }}>{m.text}</span>
          </li>
        ))}
        {chat.outbox.map((o) => (
          <li key={o.clientMessageId} className="app-mine">
            <span className="app-meta">{o.status === "pending" ? "Envoi en cours…" : `Non envoyé. ${o.error ?? ""}`}</span>
            <span style={{ whiteSpace: "pre-wrap" }}>{o.text}</span>
            {o.status === "failed" && (
              <Button size="small" priority="secondary" onClick={() => chat.retry(o.clientMessageId)}>
                Réessayer l'envoi
              </Button>
            )}
          </li>
        ))}
      </ol>
      {chat.messages.length === 0 && chat.outbox.length === 0 && <p>Aucun message pour l'instant.</p>}
      <p aria-live="polite" className="fr-text--sm">
        {chat.typing ? `${seekerName} écrit…` : ""}
      </p>
      <div aria-live="polite" className="fr-sr-only">
        {chat.announce}
      </div>
      <form onSubmit={submit} noValidate>
        <Input
          label={`Votre réponse à ${seekerName}`}
          textArea
          state={error ? "error" : "default"}
          stateRelatedMessage={error ?? undefined}
          nativeTextAreaProps={{
            value: text,
            rows: 3,
            onChange: (e) => {
              setText(e.target.value);
              chat.signalTyping();
            },
          }}
        />
        <Button type="submit" iconId="fr-icon-send-plane-fill">
          Envoyer
        </Button>
      </form>
    </>
  );
}

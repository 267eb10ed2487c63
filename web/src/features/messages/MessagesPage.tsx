import Button from "@codegouvfr/react-dsfr/Button";
import { Input } from "@codegouvfr/react-dsfr/Input";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { parisDateTime } from "../../lib/time";
import { useMe } from "../../app/useMe";
import { useTitle } from "../../app/useTitle";
import { queryClient } from "../../app/queryClient";
import { useChat } from "./useChat";

export default function MessagesPage() {
  useTitle("Messages");
  const me = useMe().data!;
  if (!me.advisor) {
    return (
      <>
        <h1 className="fr-mt-4w">Messages</h1>
        <Alert small severity="info" description="Vous pourrez écrire dès qu'un conseiller ou une conseillère vous sera attribué." />
      </>
    );
  }
  return <Thread seekerId={me.seekerId} advisorName={`${me.advisor.firstName} ${me.advisor.lastName}`} />;
}

function Thread({ seekerId, advisorName }: { seekerId: string; advisorName: string }) {
  const chat = useChat(seekerId, {
    me: "seeker",
    announce: (text) => `Nouveau message de votre conseiller ou conseillère : ${text}`,
  });
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const list = useRef<HTMLOListElement>(null);

  useEffect(() => {
    list.current?.lastElementChild?.scrollIntoView({ block: "end" });
  }, [chat.messages.length, chat.outbox.length]);

  // Leaving the page: the home page's unread count is stale.
  useEffect(() => () => void queryClient.invalidateQueries({ queryKey: ["conversations"] }), []);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const t = text.trim();
    if (!t) {
      setError("Écrivez votre message avant de l'envoyer.");
      return;
    }
    if (t.length > 4000) {
      setError("Votre message dépasse 4 000 caractères : raccourcissez-le.");
      return;
    }
    setError(null);
    chat.send(t);
    setText("");
  };

  return (
    <>
      <h1 className="fr-mt-4w">Messages avec {advisorName}</h1>
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
      <ol ref={list} className="app-thread" aria-label="Conversation" tabIndex={0}>
        {chat.messages.map((m) => (
          <li key={m.id} className={m.fromRole === "seeker" ? "app-mine" : "app-theirs"}>
            <span className="app-meta">
              {m.fromRole === "seeker" ? "Vous" : advisorName}, {parisDateTime(m.sentAt)}
              {m.fromRole === "seeker" && chat.otherReadUpTo && m.id <= chat.otherReadUpTo ? " — lu" : ""}
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
      {chat.messages.length === 0 && chat.outbox.length === 0 && <p>Aucun message pour l'instant. Écrivez le premier !</p>}
      <p aria-live="polite" className="fr-text--sm">
        {chat.typing ? `${advisorName} écrit…` : ""}
      </p>
      <div aria-live="polite" className="fr-sr-only">
        {chat.announce}
      </div>
      <form onSubmit={submit} noValidate>
        <Input
          label="Votre message"
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

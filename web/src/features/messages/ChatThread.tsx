// One conversation between a seeker and their advisor, from either side: the same hook (live
// frames, an outbox acked one message at a time and retried with its clientMessageId, replay
// after a lost connection, read markers), the same thread and composer; only the names differ.
import Button from "@codegouvfr/react-dsfr/Button";
import { Input } from "@codegouvfr/react-dsfr/Input";
import { useEffect, useLayoutEffect, useRef, useState, type FormEvent } from "react";
import { parisDateTime } from "../../lib/time";
import { queryClient } from "../../app/queryClient";
import { useChat } from "./useChat";

const TEXT_MAX = 4000;

export interface ChatThreadProps {
  seekerId: string;
  me: "seeker" | "advisor";
  /** How the other person is named on their messages and while they type. */
  otherName: string;
  /** Screen readers' announcement of a message just received. */
  announce: (text: string) => string;
  threadLabel: string;
  composerLabel: string;
  emptyText: string;
  /** Leaving the thread makes this list's unread counts stale. */
  staleOnLeave: readonly unknown[];
}

export function ChatThread(props: ChatThreadProps) {
  const { seekerId, me, otherName, staleOnLeave } = props;
  const chat = useChat(seekerId, { me, announce: props.announce });
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const list = useRef<HTMLOListElement>(null);

  // A message new at the end (received, sent, pending) is shown; older ones put above are not
  // a reason to move.
  const lastKey = chat.outbox.at(-1)?.clientMessageId ?? chat.messages.at(-1)?.id;
  useEffect(() => {
    list.current?.lastElementChild?.scrollIntoView({ block: "end" });
  }, [lastKey]);

  // Older messages: when the top of the thread is scrolled into view, or by the button (for the
  // keyboard and screen readers). The messages read stay where they were once older ones are above.
  const firstId = chat.messages[0]?.id;
  const loadingOlder = useRef(false);
  const heightBelowTop = useRef<number | null>(null);
  const loadOlder = async () => {
    if (loadingOlder.current) return;
    loadingOlder.current = true;
    const el = list.current;
    if (el) heightBelowTop.current = el.scrollHeight - el.scrollTop;
    try {
      await chat.loadOlder();
    } finally {
      loadingOlder.current = false;
    }
  };
  useLayoutEffect(() => {
    const el = list.current;
    if (el && heightBelowTop.current !== null) el.scrollTop = el.scrollHeight - heightBelowTop.current;
    heightBelowTop.current = null;
  }, [firstId]);
  const { hasOlder } = chat;
  useEffect(() => {
    const el = list.current;
    const first = el?.firstElementChild;
    if (!el || !first || !hasOlder) return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && void loadOlder(), { root: el });
    observer.observe(first);
    return () => observer.disconnect();
    // loadOlder reads the latest messages through the hook; a new first message re-observes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [firstId, hasOlder]);

  // Read when leaving, not when rendering: a literal array prop is new at every render.
  const stale = useRef(staleOnLeave);
  stale.current = staleOnLeave;
  useEffect(() => () => void queryClient.invalidateQueries({ queryKey: stale.current }), []);

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
        <Button priority="tertiary" size="small" onClick={() => void loadOlder()}>
          Afficher les messages plus anciens
        </Button>
      )}
      <ol ref={list} className="app-thread" aria-label={props.threadLabel} tabIndex={0}>
        {chat.messages.map((m) => (
          <li key={m.id} className={m.fromRole === me ? "app-mine" : "app-theirs"}>
            <span className="app-meta">
              {m.fromRole === me ? "Vous" : otherName}, {parisDateTime(m.sentAt)}
              {m.fromRole === me && chat.otherReadUpTo && m.id <= chat.otherReadUpTo ? " — lu" : ""}
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
      {chat.messages.length === 0 && chat.outbox.length === 0 && <p>{props.emptyText}</p>}
      <p aria-live="polite" className="fr-text--sm">
        {chat.typing ? `${otherName} écrit…` : ""}
      </p>
      <div aria-live="polite" className="fr-sr-only">
        {chat.announce}
      </div>
      <form onSubmit={submit} noValidate>
        <Input
          label={props.composerLabel}
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

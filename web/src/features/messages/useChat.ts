// The conversation over the chat WebSocket (docs/websocket.md): history from the HTTP API,
// live frames, an outbox that sends one message at a time (so they arrive in the order typed)
// and retries with the same clientMessageId, reconnection with backoff, and replay of what was
// missed (`after`) on every (re)connection, de-duplicated by message id. Role-neutral: the
// seeker's page and the advisor's use it alike. An advisor's connection carries every
// conversation of their portfolio, so frames of other conversations are left out, and every
// client frame names its conversation (`seekerId`: required of an advisor, allowed of a seeker).
import { useCallback, useEffect, useRef, useState } from "react";
import { api, unwrap } from "../../lib/api/client";
import { config } from "../../lib/config";
import { currentToken } from "../../lib/auth/session";
import { backoffMs, mergeMessages, newClientMessageId, parseFrame, type ChatMessage, type ClientFrame, type Connection } from "../../lib/chat/frames";
import { MESSAGES } from "../../lib/api/errors";

/**
 * A message not yet acknowledged. `unanswered`: it failed for want of an answer, so the API
 * may well have stored it; the next connection sends it again (same clientMessageId: the API
 * answers the stored message), so the replay and the outbox do not show it twice.
 */
export type Outgoing = { clientMessageId: string; text: string; status: "pending" | "failed"; error?: string; unanswered?: boolean };
export type { Connection };

const ACK_TIMEOUT_MS = 10_000;

export type ChatOptions = {
  /** Who I am in this conversation: my messages are those of this role. */
  me: "seeker" | "advisor";
  /** What a screen reader is told when the other side's message arrives. */
  announce: (text: string) => string;
};

export function useChat(seekerId: string, options: ChatOptions) {
  const { me } = options;
  const other = me === "seeker" ? "advisor" : "seeker";
  const announceText = useRef(options.announce);
  announceText.current = options.announce;
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [outbox, setOutbox] = useState<Outgoing[]>([]);
  const [connection, setConnection] = useState<Connection>("connecting");
  const [typing, setTyping] = useState(false);
  const [olderCursor, setOlderCursor] = useState<"start" | "none" | string>("start");
  const [announce, setAnnounce] = useState("");
  const [otherReadUpTo, setOtherReadUpTo] = useState<string | null>(null);

  const socket = useRef<WebSocket | null>(null);
  const lastId = useRef<string | null>(null);
  const inFlight = useRef<string | null>(null);
  const outboxRef = useRef<Outgoing[]>([]);
  const attempt = useRef(0);
  const closed = useRef(false);
  const timers = useRef<{ reconnect?: number; ack?: number; typing?: number }>({});

  const add = useCallback((incoming: ChatMessage[]) => {
    if (incoming.length === 0) return;
    // The newest id seen, kept at once (a state updater runs later, at the next render).
    for (const m of incoming) if (!lastId.current || m.id > lastId.current) lastId.current = m.id;
    setMessages((cur) => mergeMessages(cur, incoming));
  }, []);

  const setBox = useCallback((f: (cur: Outgoing[]) => Outgoing[]) => {
    outboxRef.current = f(outboxRef.current);
    setOutbox(outboxRef.current);
  }, []);

  const sendFrame = (frame: ClientFrame): boolean => {
    const ws = socket.current;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(frame));
    return true;
  };

  /** Sends the oldest pending message when none awaits its ack. */
  const pump = useCallback(() => {
    if (inFlight.current) return;
    const next = outboxRef.current.find((o) => o.status === "pending");
    if (!next) return;
    if (!sendFrame({ action: "sendMessage", seekerId, clientMessageId: next.clientMessageId, text: next.text })) return;
    inFlight.current = next.clientMessageId;
    window.clearTimeout(timers.current.ack);
    timers.current.ack = window.setTimeout(() => {
      if (inFlight.current !== next.clientMessageId) return;
      inFlight.current = null;
      setBox((cur) => cur.map((o) => (o.clientMessageId === next.clientMessageId ? { ...o, status: "failed", error: "Pas de réponse du service.", unanswered: true } : o)));
      pump();
    }, ACK_TIMEOUT_MS);
  }, [seekerId, setBox]);

  const markRead = useCallback((upTo: string) => {
    if (document.visibilityState === "visible") sendFrame({ action: "markRead", seekerId, upTo });
  }, [seekerId]);

  /** What was missed since the last message seen (or the latest page the first time). */
  const catchUp = useCallback(async () => {
    if (lastId.current) {
      let cursor: string | undefined;
      const found: ChatMessage[] = [];
      for (let page = 0; page < 20; page++) {
        const body = unwrap(
          await api().GET("/conversations/{seekerId}/messages", {
            params: { path: { seekerId }, query: { after: lastId.current, limit: 200, cursor } },
          }),
        );
        found.push(...body.items);
        cursor = body.nextCursor;
        if (!cursor) break;
      }
      add(found);
    } else {
      const body = unwrap(
        await api().GET("/conversations/{seekerId}/messages", { params: { path: { seekerId }, query: { limit: 20 } } }),
      );
      add(body.items);
      setOlderCursor(body.nextCursor ?? "none");
    }
    if (lastId.current) markRead(lastId.current);
  }, [add, markRead, seekerId]);

  const connect = useCallback(async () => {
    if (closed.current) return;
    window.clearTimeout(timers.current.reconnect);
    setConnection("connecting");
    const token = await currentToken();
    if (closed.current) return;
    const ws = new WebSocket(`${config().wsUrl}?token=${encodeURIComponent(token ?? "")}`);
    socket.current = ws;
    ws.onopen = () => {
      attempt.current = 0;
      setConnection("open");
      inFlight.current = null;
      setBox((cur) => cur.map((o) => (o.status === "failed" && o.unanswered ? { ...o, status: "pending", error: undefined, unanswered: false } : o)));
      void catchUp().catch(() => undefined);
      pump();
    };
    ws.onmessage = (event) => {
      const frame = parseFrame(event.data);
      if (!frame) return;
      switch (frame.type) {
        case "ack":
          window.clearTimeout(timers.current.ack);
          if (inFlight.current === frame.clientMessageId) inFlight.current = null;
          setBox((cur) => cur.filter((o) => o.clientMessageId !== frame.clientMessageId));
          add([frame.message]);
          pump();
          break;
        case "message":
          if (frame.message.seekerId !== seekerId) break;
          // The server pushes my own message to my connections too, and that push can come
          // before its ack: the one message in flight is then shown once, as sent, not also
          // as pending. Its ack, when it comes, finds nothing left to remove.
          if (frame.message.fromRole === me && inFlight.current) {
            const sent = outboxRef.current.find((o) => o.clientMessageId === inFlight.current);
            if (sent && sent.text === frame.message.text) {
              setBox((cur) => cur.filter((o) => o.clientMessageId !== sent.clientMessageId));
            }
          }
          add([frame.message]);
          if (frame.message.fromRole === other) {
            setTyping(false);
            setAnnounce(announceText.current(frame.message.text));
            markRead(frame.message.id);
          }
          break;
        case "read":
          if (frame.seekerId === seekerId && frame.role === other) setOtherReadUpTo(frame.upTo);
          break;
        case "typing":
          if (frame.seekerId === seekerId && frame.fromRole === other) {
            setTyping(true);
            window.clearTimeout(timers.current.typing);
            timers.current.typing = window.setTimeout(() => setTyping(false), 6000);
          }
          break;
        case "error":
          if (frame.clientMessageId) {
            window.clearTimeout(timers.current.ack);
            if (inFlight.current === frame.clientMessageId) inFlight.current = null;
            const text = MESSAGES[frame.code] ?? "Ce message n'a pas pu être envoyé.";
            setBox((cur) => cur.map((o) => (o.clientMessageId === frame.clientMessageId ? { ...o, status: "failed", error: text } : o)));
            pump();
          }
          break;
      }
    };
    ws.onclose = () => {
      if (socket.current !== ws) return;
      socket.current = null;
      inFlight.current = null;
      if (closed.current) return;
      setConnection(navigator.onLine ? "connecting" : "offline");
      if (!navigator.onLine) return; // the `online` event reconnects
      timers.current.reconnect = window.setTimeout(() => void connect(), backoffMs(attempt.current++));
    };
  }, [add, catchUp, markRead, me, other, pump, seekerId, setBox]);

  useEffect(() => {
    closed.current = false;
    void connect();
    const offline = () => {
      // A phone that loses the network: close now, so nothing is sent into the void.
      setConnection("offline");
      socket.current?.close();
    };
    const online = () => {
      attempt.current = 0;
      void connect();
    };
    window.addEventListener("offline", offline);
    window.addEventListener("online", online);
    const t = timers.current;
    return () => {
      closed.current = true;
      window.removeEventListener("offline", offline);
      window.removeEventListener("online", online);
      window.clearTimeout(t.reconnect);
      window.clearTimeout(t.ack);
      window.clearTimeout(t.typing);
      socket.current?.close();
      socket.current = null;
    };
  }, [connect]);

  const send = (text: string) => {
    setBox((cur) => [...cur, { clientMessageId: newClientMessageId(), text, status: "pending" }]);
    pump();
  };

  const retry = (clientMessageId: string) => {
    setBox((cur) => cur.map((o) => (o.clientMessageId === clientMessageId ? { ...o, status: "pending", error: undefined, unanswered: false } : o)));
    pump();
  };

  const lastTyping = useRef(0);
  const signalTyping = () => {
    if (Date.now() - lastTyping.current < 3000) return;
    lastTyping.current = Date.now();
    sendFrame({ action: "typing", seekerId });
  };

  const loadOlder = async () => {
    const first = messages[0];
    if (!first) return;
    const body = unwrap(
      await api().GET("/conversations/{seekerId}/messages", { params: { path: { seekerId }, query: { before: first.id, limit: 20 } } }),
    );
    setMessages((cur) => mergeMessages(cur, body.items));
    setOlderCursor(body.nextCursor ?? "none");
  };

  return { messages, outbox, connection, typing, send, retry, signalTyping, loadOlder, hasOlder: olderCursor !== "none" && olderCursor !== "start", announce, otherReadUpTo };
}

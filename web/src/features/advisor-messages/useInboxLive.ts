// The advisor's list of conversations, kept live: one chat WebSocket (it carries every
// conversation of the portfolio) whose `message` and `read` frames refresh the list, with the
// same reconnection backoff as a conversation; each (re)connection refreshes it too, since
// pushes are at most once (docs/websocket.md).
import { useEffect, useRef, useState } from "react";
import { config } from "../../lib/config";
import { currentToken } from "../../lib/auth/session";
import { backoffMs, parseFrame, type ChatMessage } from "../../lib/chat/frames";
import type { Connection } from "../messages/useChat";

export function useInboxLive(onChange: (message: ChatMessage | null) => void): Connection {
  const [connection, setConnection] = useState<Connection>("connecting");
  const changed = useRef(onChange);
  changed.current = onChange;

  useEffect(() => {
    let closed = false;
    let socket: WebSocket | null = null;
    let attempt = 0;
    let timer: number | undefined;
    const connect = async () => {
      if (closed) return;
      setConnection("connecting");
      const token = await currentToken();
      if (closed) return;
      const ws = new WebSocket(`${config().wsUrl}?token=${encodeURIComponent(token ?? "")}`);
      socket = ws;
      ws.onopen = () => {
        attempt = 0;
        setConnection("open");
        changed.current(null);
      };
      ws.onmessage = (event) => {
        const frame = parseFrame(event.data);
        if (frame?.type === "message") changed.current(frame.message);
        else if (frame?.type === "read") changed.current(null);
      };
      ws.onclose = () => {
        if (socket !== ws || closed) return;
        socket = null;
        setConnection(navigator.onLine ? "connecting" : "offline");
        if (navigator.onLine) timer = window.setTimeout(() => void connect(), backoffMs(attempt++));
      };
    };
    const offline = () => {
      setConnection("offline");
      socket?.close();
    };
    const online = () => {
      attempt = 0;
      window.clearTimeout(timer);
      void connect();
    };
    void connect();
    window.addEventListener("offline", offline);
    window.addEventListener("online", online);
    return () => {
      closed = true;
      window.clearTimeout(timer);
      window.removeEventListener("offline", offline);
      window.removeEventListener("online", online);
      socket?.close();
    };
  }, []);

  return connection;
}

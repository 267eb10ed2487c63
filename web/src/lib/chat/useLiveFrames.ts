// One live chat WebSocket for a page (it carries every frame of docs/websocket.md meant for the
// signed-in person), with the conversations' reconnection backoff. `onFrame(null)` on each
// (re)connection: pushes are at most once, so a page refreshes what it may have missed.
import { useEffect, useRef, useState } from "react";
import { config } from "../config";
import { currentToken } from "../auth/session";
import { backoffMs, parseFrame, type Connection, type ServerFrame } from "./frames";

export function useLiveFrames(onFrame: (frame: ServerFrame | null) => void): Connection {
  const [connection, setConnection] = useState<Connection>("connecting");
  const handler = useRef(onFrame);
  handler.current = onFrame;

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
        handler.current(null);
      };
      ws.onmessage = (event) => {
        const frame = parseFrame(event.data);
        if (frame) handler.current(frame);
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

import { config } from "../config";
import { currentToken } from "../auth/session";
import { newClientMessageId, parseFrame } from "./frames";

/** One message over a short-lived connection (the video page's "tell my advisor"), acked or thrown. */
export async function sendOnce(text: string, timeoutMs = 10_000): Promise<void> {
  const token = await currentToken();
  const clientMessageId = newClientMessageId();
  await new Promise<void>((resolve, reject) => {
    const ws = new WebSocket(`${config().wsUrl}?token=${encodeURIComponent(token ?? "")}`);
    const timer = window.setTimeout(() => {
      ws.close();
      reject(new Error("timeout"));
    }, timeoutMs);
    ws.onopen = () => ws.send(JSON.stringify({ action: "sendMessage", clientMessageId, text }));
    ws.onmessage = (event) => {
      const frame = parseFrame(event.data);
      if (frame?.type === "ack" && frame.clientMessageId === clientMessageId) {
        window.clearTimeout(timer);
        ws.close();
        resolve();
      } else if (frame?.type === "error" && frame.clientMessageId === clientMessageId) {
        window.clearTimeout(timer);
        ws.close();
        reject(new Error(frame.code));
      }
    };
    ws.onerror = () => {
      window.clearTimeout(timer);
      reject(new Error("network"));
    };
  });
}

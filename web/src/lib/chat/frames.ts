// The chat WebSocket's frames, as docs/websocket.md defines them. The message object itself is
// the OpenAPI contract's ChatMessage (the same object the history route answers).
import type { components } from "../api/schema";

export type ChatMessage = components["schemas"]["ChatMessage"];

export type ClientFrame =
  | { action: "sendMessage"; clientMessageId: string; text: string; seekerId?: string }
  | { action: "markRead"; upTo: string; seekerId?: string }
  | { action: "typing"; seekerId?: string };

export type ServerFrame =
  | { type: "ack"; clientMessageId: string; message: ChatMessage }
  | { type: "message"; message: ChatMessage }
  | { type: "read"; seekerId: string; by: string; role: "seeker" | "advisor"; upTo: string; unread: number }
  | { type: "typing"; seekerId: string; from: string; fromRole: "seeker" | "advisor" }
  | { type: "error"; code: string; message: string; clientMessageId?: string }
  | CallFrame;

/** An advisor's phone call changed state (pushed once per step to the calling advisor). */
export type CallFrame = {
  type: "call";
  callId: string;
  seekerId: string;
  interviewId?: string;
  state: "ringing" | "connected" | "ended";
  outcome?: "hung_up" | "unanswered" | "busy" | "failed";
};

/** The state of a live WebSocket, as a page shows it. */
export type Connection = "connecting" | "open" | "offline";

export function parseFrame(data: unknown): ServerFrame | null {
  if (typeof data !== "string") return null;
  try {
    const frame = JSON.parse(data) as { type?: unknown };
    return typeof frame.type === "string" ? (frame as ServerFrame) : null;
  } catch {
    return null;
  }
}

/** 1–128 of `A-Z a-z 0-9 - _ . :` (the server's rule). */
export function newClientMessageId(): string {
  return `web-${crypto.randomUUID()}`;
}

/** Merges messages by id (ids are ULIDs: they sort in time order), nothing shown twice. */
export function mergeMessages(current: ChatMessage[], incoming: ChatMessage[]): ChatMessage[] {
  if (incoming.length === 0) return current;
  const byId = new Map(current.map((m) => [m.id, m]));
  for (const m of incoming) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Reconnection delay after `attempt` failures: 0.5 s doubling to 15 s, with jitter. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(15_000, 500 * 2 ** attempt);
  return Math.round(base / 2 + (random() * base) / 2);
}

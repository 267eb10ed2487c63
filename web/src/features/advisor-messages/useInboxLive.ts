// The advisor's list of conversations, kept live: one chat WebSocket (it carries every
// conversation of the portfolio) whose `message` and `read` frames refresh the list; each
// (re)connection refreshes it too, since pushes are at most once (docs/websocket.md).
import { useLiveFrames } from "../../lib/chat/useLiveFrames";
import type { ChatMessage } from "../../lib/chat/frames";
import type { Connection } from "../messages/useChat";

export function useInboxLive(onChange: (message: ChatMessage | null) => void): Connection {
  return useLiveFrames((frame) => {
    if (frame === null || frame.type === "read") onChange(null);
    else if (frame.type === "message") onChange(frame.message);
  });
}

/** The advisor's list of conversations (GET /conversations, every page). */
export const CONVERSATIONS_KEY = ["advisor", "conversations"];

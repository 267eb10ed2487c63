import { useSyncExternalStore } from "react";
import { snapshot, subscribe } from "../lib/auth/session";

export function useSession() {
  return useSyncExternalStore(subscribe, snapshot);
}

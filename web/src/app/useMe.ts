import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../lib/api/client";

export function useMe(enabled = true) {
  return useQuery({
    queryKey: ["me"],
    enabled,
    queryFn: async () => unwrap(await api().GET("/seekers/me")),
  });
}

import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../lib/api/client";

/** The signed-in seeker's profile: every seeker page reads it first. */
export const meQuery = queryOptions({
  queryKey: ["me"],
  queryFn: async () => unwrap(await api().GET("/seekers/me")),
});

export function useMe(enabled = true) {
  return useQuery({ ...meQuery, enabled });
}

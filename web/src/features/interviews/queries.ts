import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../lib/api/client";

export const interviewsQuery = (scope: "upcoming" | "past") =>
  queryOptions({
    queryKey: ["interviews", scope],
    queryFn: async () => unwrap(await api().GET("/seekers/me/interviews", { params: { query: { scope, limit: 50 } } })).items,
  });

export function useInterviews(scope: "upcoming" | "past") {
  return useQuery(interviewsQuery(scope));
}

/** One interview; `pollMs` re-reads it while the page is open (the video page sees a switch to phone). */
export function useInterview(interviewId: string, pollMs?: number) {
  return useQuery({
    queryKey: ["interview", interviewId],
    refetchInterval: pollMs,
    queryFn: async () => unwrap(await api().GET("/interviews/{interviewId}", { params: { path: { interviewId } } })),
  });
}

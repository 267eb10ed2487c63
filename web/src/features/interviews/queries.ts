import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../lib/api/client";

export function useInterviews(scope: "upcoming" | "past") {
  return useQuery({
    queryKey: ["interviews", scope],
    queryFn: async () => unwrap(await api().GET("/seekers/me/interviews", { params: { query: { scope, limit: 50 } } })).items,
  });
}

export function useInterview(interviewId: string) {
  return useQuery({
    queryKey: ["interview", interviewId],
    queryFn: async () => unwrap(await api().GET("/interviews/{interviewId}", { params: { path: { interviewId } } })),
  });
}

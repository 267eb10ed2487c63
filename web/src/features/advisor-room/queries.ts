import { frenchMessage } from "../../lib/api/errors";
import type { Schemas } from "../../lib/api/client";
import { queryClient } from "../../app/queryClient";
import { ADVISOR_MESSAGES } from "./errors";

/** An API error as the advisor reads it. */
export const advisorError = (error: unknown) => frenchMessage(error, ADVISOR_MESSAGES);

export function interviewKey(interviewId: string) {
  return ["advisor", "interview", interviewId];
}

/** An interview the API answered after a change: shown at once, and the lists around it refreshed. */
export function setInterview(interview: Schemas["Interview"]) {
  queryClient.setQueryData(interviewKey(interview.interviewId), interview);
  void queryClient.invalidateQueries({ queryKey: ["advisor", "agenda"] });
}

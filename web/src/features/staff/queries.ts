import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../lib/api/client";

/** Every page of a list, 200 at a time (the API's largest page). */
export async function allPages<T>(fetch: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor?: string }>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetch(cursor);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

export const PAGE = 200;

/** The whole portfolio (up to a few hundred rows), most overdue first. */
export function usePortfolio() {
  return useQuery({
    queryKey: ["portfolio"],
    queryFn: () =>
      allPages<Schemas["PortfolioRow"]>(async (cursor) =>
        unwrap(await api().GET("/advisors/me/portfolio", { params: { query: { limit: PAGE, cursor } } })),
      ),
  });
}

export function useSeeker(seekerId: string) {
  return useQuery({
    queryKey: ["seeker", seekerId],
    queryFn: async () => unwrap(await api().GET("/seekers/{seekerId}", { params: { path: { seekerId } } })),
  });
}

/** First and last name, or a plain word when erasure removed them. */
export function fullName(p: { firstName?: string | null; lastName?: string | null }): string {
  const name = [p.firstName, p.lastName].filter(Boolean).join(" ");
  return name || "Personne sans nom (données effacées)";
}

/** How far ahead the portfolio looks for convocations still to acknowledge. */
const CONVOCATIONS_AHEAD_DAYS = 120;

/**
 * The advisor's convocations still to acknowledge (booked, mandatory, not acknowledged, not
 * over), by seeker: the earliest one's start. From the agenda, so the portfolio never hides an
 * unanswered convocation.
 */
export function useUnacknowledgedConvocations() {
  return useQuery({
    queryKey: ["agenda", "unacknowledged"],
    queryFn: async () => {
      const now = new Date();
      const from = now.toISOString();
      const to = new Date(now.getTime() + CONVOCATIONS_AHEAD_DAYS * 86_400_000).toISOString();
      const interviews = await allPages<Schemas["Interview"]>(async (cursor) =>
        unwrap(await api().GET("/advisors/me/agenda", { params: { query: { from, to, limit: PAGE, cursor } } })),
      );
      const earliest = new Map<string, string>();
      for (const i of interviews) {
        if (!i.mandatory || i.status !== "booked" || i.acknowledgedAt) continue;
        const known = earliest.get(i.seekerId);
        if (known === undefined || i.start < known) earliest.set(i.seekerId, i.start);
      }
      return earliest;
    },
  });
}

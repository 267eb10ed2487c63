import { queryOptions } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../lib/api/client";

/** Every open slot of my advisor in the booking window (a few pages at most; none while I wait for an advisor). */
export const slotsQuery = queryOptions({
  queryKey: ["slots"],
  queryFn: async () => {
    const items: Schemas["OpenSlot"][] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 5; page++) {
      const body = unwrap(await api().GET("/seekers/me/slots", { params: { query: { limit: 200, cursor } } }));
      items.push(...body.items);
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    return items;
  },
});

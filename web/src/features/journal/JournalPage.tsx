import Button from "@codegouvfr/react-dsfr/Button";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { useInfiniteQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../lib/api/client";
import { frenchMessage } from "../../lib/api/errors";
import { parisDateTime } from "../../lib/time";
import { useMe } from "../../app/useMe";
import { useTitle } from "../../app/useTitle";
import { Loading } from "../../app/Loading";
import { actorLabel, entryDetail, kindLabel } from "./labels";

const PAGE = 20;

export default function JournalPage() {
  useTitle("Mon suivi");
  const me = useMe().data!;
  const journal = useInfiniteQuery({
    queryKey: ["journal", me.seekerId],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api().GET("/seekers/{seekerId}/journal", {
          params: { path: { seekerId: me.seekerId }, query: { limit: PAGE, cursor: pageParam } },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor,
  });
  const entries = journal.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <>
      <h1 className="fr-mt-4w">Mon suivi</h1>
      <p>Tout ce qui s'est passé dans votre accompagnement, du plus récent au plus ancien.</p>
      {journal.isPending ? (
        <Loading />
      ) : journal.error ? (
        <Alert severity="error" small description={frenchMessage(journal.error)} />
      ) : (
        <>
          <ol className="fr-raw-list" aria-label="Journal de suivi">
            {entries.map((e) => {
              const detail = entryDetail(e);
              return (
                <li key={e.entryId} className="fr-mb-2w">
                  <strong>{kindLabel(e.kind)}</strong>
                  <span className="app-meta">
                    {parisDateTime(e.at)}, par {actorLabel(e)}
                  </span>
                  {detail && <span>{detail.charAt(0).toUpperCase() + detail.slice(1)}</span>}
                </li>
              );
            })}
          </ol>
          {journal.hasNextPage && (
            <Button priority="secondary" disabled={journal.isFetchingNextPage} onClick={() => void journal.fetchNextPage()}>
              {journal.isFetchingNextPage ? "Chargement…" : "Afficher les événements plus anciens"}
            </Button>
          )}
        </>
      )}
    </>
  );
}

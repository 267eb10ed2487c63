import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { Badge } from "@codegouvfr/react-dsfr/Badge";
import { Input } from "@codegouvfr/react-dsfr/Input";
import { Select } from "@codegouvfr/react-dsfr/Select";
import { Checkbox } from "@codegouvfr/react-dsfr/Checkbox";
import { useDeferredValue, useMemo, useState } from "react";
import { Link } from "../../lib/router";
import type { Schemas } from "../../lib/api/client";
import { frenchMessage } from "../../lib/api/errors";
import { LEVEL_LABEL, LEVELS } from "../../lib/labels";
import { parisDate } from "../../lib/time";
import { useTitle } from "../../app/useTitle";
import { Loading } from "../../app/Loading";
import { conversationPath, seekerFilePath } from "../../app/staff";
import { fullName, usePortfolio, useUnacknowledgedConvocations } from "../staff/queries";
import { STAFF_ERRORS } from "../staff/errors";
import { filterRows, searchable } from "./filter";
import "../staff/staff.css";

type Row = Schemas["PortfolioRow"];
type Level = Schemas["Level"];

export default function PortfolioPage() {
  useTitle("Mon portefeuille");
  const portfolio = usePortfolio();
  const convocations = useUnacknowledgedConvocations();
  const [level, setLevel] = useState<Level | "">("");
  const [overdueOnly, setOverdueOnly] = useState(false);
  const [search, setSearch] = useState("");
  // Typing stays fluid on 250 rows: the table follows the search a moment later.
  const deferredSearch = useDeferredValue(search);
  const rows = useMemo(
    () => (portfolio.data ?? []).map((r) => ({ ...r, key: searchable(`${r.firstName ?? ""} ${r.lastName ?? ""}`) })),
    [portfolio.data],
  );
  const shown = useMemo(() => filterRows(rows, { level, overdueOnly, search: deferredSearch }), [rows, level, overdueOnly, deferredSearch]);
  const overdueCount = rows.filter((r) => r.overdue).length;

  return (
    <>
      <h1 className="fr-mt-4w">Mon portefeuille</h1>
      {portfolio.isPending ? (
        <Loading />
      ) : portfolio.error ? (
        <Alert severity="error" small description={frenchMessage(portfolio.error, STAFF_ERRORS)} />
      ) : (
        <>
          <p>
            {rows.length} demandeurs et demandeuses d'emploi suivis, dont{" "}
            <strong>
              {overdueCount} en retard de contact
            </strong>
            {convocations.data && convocations.data.size > 0 && (
              <>
                {" "}
                et{" "}
                <strong>
                  {convocations.data.size === 1
                    ? "1 convocation pas encore confirmée"
                    : `${convocations.data.size} convocations pas encore confirmées`}
                </strong>
              </>
            )}
            . Les plus en retard sont en haut.
          </p>
          {convocations.error && (
            <Alert
              severity="warning"
              small
              description="Les convocations à confirmer n'ont pas pu être vérifiées : la colonne « Convocation » est vide. Rechargez la page dans un instant."
            />
          )}
          <form className="app-filters" role="search" aria-label="Filtrer le portefeuille" onSubmit={(e) => e.preventDefault()}>
            <Input
              label="Rechercher par nom"
              nativeInputProps={{ type: "search", value: search, onChange: (e) => setSearch(e.target.value), autoComplete: "off" }}
            />
            <Select
              label="Niveau d'accompagnement"
              nativeSelectProps={{ value: level, onChange: (e) => setLevel(e.target.value as Level | "") }}
            >
              <option value="">Tous les niveaux</option>
              {LEVELS.map((l) => (
                <option key={l} value={l}>
                  {LEVEL_LABEL[l]}
                </option>
              ))}
            </Select>
            <Checkbox
              options={[
                {
                  label: "En retard de contact seulement",
                  nativeInputProps: { checked: overdueOnly, onChange: (e) => setOverdueOnly(e.target.checked) },
                },
              ]}
            />
          </form>
          <p role="status" aria-live="polite" className="fr-text--sm">
            {shown.length === rows.length ? `${shown.length} personnes affichées` : `${shown.length} sur ${rows.length} personnes affichées`}
          </p>
          {rows.length === 0 ? (
            <p>Votre portefeuille est vide pour l'instant : les nouvelles inscriptions de votre région vous seront attribuées.</p>
          ) : (
            <PortfolioTable rows={shown} convocations={convocations.data} />
          )}
        </>
      )}
    </>
  );
}

function PortfolioTable({ rows, convocations }: { rows: ReadonlyArray<Row>; convocations?: ReadonlyMap<string, string> }) {
  return (
    <div className="app-table-scroll" tabIndex={0} role="region" aria-label="Portefeuille">
      <table className="app-table">
        <caption className="fr-sr-only">Mon portefeuille, du plus en retard au moins en retard</caption>
        <thead>
          <tr>
            <th scope="col">Nom</th>
            <th scope="col">Niveau</th>
            <th scope="col">Dernier contact</th>
            <th scope="col">Prochain contact dû</th>
            <th scope="col">Messages non lus</th>
            <th scope="col">Demande sur place</th>
            <th scope="col">Convocation</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.seekerId} className={r.overdue ? "app-overdue" : undefined}>
              <th scope="row">
                <Link to={seekerFilePath(r.seekerId)}>{fullName(r)}</Link>
              </th>
              <td>{LEVEL_LABEL[r.level]}</td>
              <td>{r.lastContactAt ? parisDate(r.lastContactAt) : "Aucun contact"}</td>
              <td>
                {parisDate(r.nextContactDue)}
                {r.overdue && (
                  <>
                    {" "}
                    <Badge severity="error" small noIcon>
                      En retard
                    </Badge>
                  </>
                )}
              </td>
              <td className="app-count">
                {r.unread > 0 ? (
                  <Link to={conversationPath(r.seekerId)}>
                    {r.unread} non lu{r.unread > 1 ? "s" : ""}
                    <span className="fr-sr-only"> de {fullName(r)}</span>
                  </Link>
                ) : (
                  "0"
                )}
              </td>
              <td>
                {r.openInPersonRequest ? (
                  <Link to="/conseiller/demandes">
                    Ouverte depuis le {parisDate(r.openInPersonRequest.createdAt)}
                    <span className="fr-sr-only"> ({fullName(r)})</span>
                  </Link>
                ) : (
                  "Aucune"
                )}
              </td>
              <td>
                {convocations === undefined ? (
                  ""
                ) : convocations.has(r.seekerId) ? (
                  <Badge severity="warning" small noIcon>
                    {`À confirmer (le ${parisDate(convocations.get(r.seekerId)!)})`}
                  </Badge>
                ) : (
                  "Rien à confirmer"
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

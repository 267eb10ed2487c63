import Button from "@codegouvfr/react-dsfr/Button";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { Select } from "@codegouvfr/react-dsfr/Select";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, ApiError, unwrap, type Schemas } from "../../lib/api/client";
import { frenchMessage } from "../../lib/api/errors";
import { LEVEL_LABEL, MODALITY_LABEL, REGIONS } from "../../lib/labels";
import { parisDate } from "../../lib/time";
import { useTitle } from "../../app/useTitle";
import { Loading } from "../../app/Loading";
import { queryClient } from "../../app/queryClient";
import { allPages, fullName, PAGE } from "../staff/queries";
import { STAFF_ERRORS } from "../staff/errors";
import { LoadBar, useRegionAdvisors } from "./AdvisorsPage";
import "../staff/staff.css";

type Row = Schemas["WaitingRow"];
type Level = Schemas["Level"];
type Region = Schemas["RegionCode"];

const regionName = (code: string) => REGIONS.find((r) => r.code === code)?.name ?? code;
const serves = (modality: Schemas["Modality"], level: Level) => (modality === "reinforced") === (level === "reinforced");

function waitedDays(since: string): string {
  const days = Math.floor((Date.now() - new Date(since).getTime()) / 86_400_000);
  return days < 1 ? "depuis aujourd'hui" : days === 1 ? "depuis 1 jour" : `depuis ${days} jours`;
}

export default function WaitingPage() {
  useTitle("Liste d'attente");
  const waiting = useQuery({
    queryKey: ["waiting"],
    queryFn: () => allPages<Row>(async (cursor) => unwrap(await api().GET("/admin/waiting", { params: { query: { limit: PAGE, cursor } } }))),
  });
  const [chosen, setChosen] = useState<Row | null>(null);
  const [placed, setPlaced] = useState<string | null>(null);
  return (
    <>
      <h1 className="fr-mt-4w">Liste d'attente</h1>
      <p>Les personnes inscrites qui attendent un conseiller ou une conseillère, de la plus ancienne à la plus récente.</p>
      {placed && <Alert severity="success" small className="fr-mb-2w" description={placed} />}
      {waiting.isPending ? (
        <Loading />
      ) : waiting.error ? (
        <Alert severity="error" small description={frenchMessage(waiting.error, STAFF_ERRORS)} />
      ) : waiting.data.length === 0 ? (
        <p>Personne n'attend.</p>
      ) : (
        <div className="app-table-scroll" tabIndex={0} role="region" aria-label="Liste d'attente">
          <table className="app-table">
            <caption>{waiting.data.length} personnes en attente</caption>
            <thead>
              <tr>
                <th scope="col">Nom</th>
                <th scope="col">Région</th>
                <th scope="col">Niveau</th>
                <th scope="col">En attente</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {waiting.data.map((r) => (
                <tr key={r.seekerId}>
                  <th scope="row">{fullName(r)}</th>
                  <td>{regionName(r.region)}</td>
                  <td>{LEVEL_LABEL[r.level]}</td>
                  <td>
                    {waitedDays(r.waitingSince)} (le {parisDate(r.waitingSince)})
                  </td>
                  <td>
                    <Button
                      size="small"
                      priority="secondary"
                      onClick={() => {
                        setChosen(r);
                        setPlaced(null);
                      }}
                    >
                      Attribuer<span className="fr-sr-only"> {fullName(r)} à un conseiller ou une conseillère</span>
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {chosen && (
        <Reassign
          key={chosen.seekerId}
          seeker={chosen}
          onCancel={() => setChosen(null)}
          onDone={(message) => {
            setChosen(null);
            setPlaced(message);
            void queryClient.invalidateQueries({ queryKey: ["waiting"] });
            void queryClient.invalidateQueries({ queryKey: ["advisors"] });
          }}
        />
      )}
    </>
  );
}

function Reassign({ seeker, onCancel, onDone }: { seeker: Row; onCancel: () => void; onDone: (message: string) => void }) {
  const [region, setRegion] = useState<Region>(seeker.region);
  const advisors = useRegionAdvisors(region);
  const [advisorId, setAdvisorId] = useState("");
  const [missing, setMissing] = useState(false);
  const reassign = useMutation({
    mutationFn: async () =>
      unwrap(await api().POST("/seekers/{seekerId}/reassign", { params: { path: { seekerId: seeker.seekerId } }, body: { advisorId } })),
    onSuccess: (s) => onDone(`${fullName(seeker)} est confié ou confiée à ${s.advisor ? fullName(s.advisor) : "ce conseiller ou cette conseillère"}.`),
    onError: (e) => {
      // A refusal about room: the loads on screen are stale, read them again.
      if (e instanceof ApiError && e.code === "advisor_full") void queryClient.invalidateQueries({ queryKey: ["advisors", region] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!advisorId) return setMissing(true);
    setMissing(false);
    reassign.mutate();
  };
  const picked = advisors.data?.find((a) => a.advisorId === advisorId);
  return (
    <section className="fr-mt-4w fr-p-3w app-dialog" style={{ maxWidth: "56rem" }} aria-labelledby="attribuer">
      <h2 id="attribuer" className="fr-h4">
        Attribuer {fullName(seeker)}
      </h2>
      <p>
        {LEVEL_LABEL[seeker.level]}, {regionName(seeker.region)}. Seul un conseiller ou une conseillère qui suit ce niveau et a de la place peut
        la recevoir.
      </p>
      <Select label="Région des conseillers" nativeSelectProps={{ value: region, onChange: (e) => setRegion(e.target.value as Region) }}>
        {REGIONS.map((r) => (
          <option key={r.code} value={r.code}>
            {r.name}
          </option>
        ))}
      </Select>
      <form onSubmit={submit} noValidate aria-label={`Attribuer ${fullName(seeker)}`}>
        {advisors.isPending ? (
          <Loading />
        ) : advisors.error ? (
          <Alert severity="error" small description={frenchMessage(advisors.error, STAFF_ERRORS)} />
        ) : advisors.data.length === 0 ? (
          <p>Aucun conseiller ni conseillère dans cette région.</p>
        ) : (
          <fieldset className="fr-fieldset">
            <legend className="fr-fieldset__legend">Conseiller ou conseillère</legend>
            {advisors.data.map((a) => {
              const id = `conseiller-${a.advisorId}`;
              const notes = [!serves(a.modality, seeker.level) && "ne suit pas ce niveau", a.portfolioCount >= a.capacity && "complet"].filter(Boolean);
              return (
                <div key={a.advisorId} className="fr-fieldset__element">
                  <div className="fr-radio-group">
                    <input type="radio" id={id} name="advisor" value={a.advisorId} checked={advisorId === a.advisorId} onChange={() => setAdvisorId(a.advisorId)} />
                    <label className="fr-label" htmlFor={id}>
                      {fullName(a)}, {MODALITY_LABEL[a.modality].toLowerCase()}
                      {notes.length > 0 && ` (${notes.join(", ")})`}
                      <span className="fr-hint-text">
                        <LoadBar advisor={a} />
                      </span>
                    </label>
                  </div>
                </div>
              );
            })}
          </fieldset>
        )}
        {(missing || reassign.error) && (
          <p className="fr-error-text fr-mb-2w" role="alert">
            {missing
              ? "Choisissez un conseiller ou une conseillère."
              : reassign.error instanceof ApiError && reassign.error.code === "advisor_full" && picked
                ? `Le portefeuille de ${fullName(picked)} est complet (${picked.capacity} sur ${picked.capacity} personnes suivies) : choisissez quelqu'un qui a de la place.`
                : reassign.error instanceof ApiError && reassign.error.code === "modality_mismatch" && picked
                  ? `${fullName(picked)} suit en ${MODALITY_LABEL[picked.modality].toLowerCase()}, qui ne correspond pas au niveau « ${LEVEL_LABEL[seeker.level]} » : choisissez quelqu'un qui suit ce niveau.`
                  : frenchMessage(reassign.error, STAFF_ERRORS)}
          </p>
        )}
        <ul className="fr-btns-group fr-btns-group--inline-md">
          <li>
            <Button type="submit" disabled={reassign.isPending}>
              Attribuer
            </Button>
          </li>
          <li>
            <Button priority="secondary" onClick={onCancel}>
              Annuler
            </Button>
          </li>
        </ul>
      </form>
    </section>
  );
}

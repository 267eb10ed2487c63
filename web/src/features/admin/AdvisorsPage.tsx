import Button from "@codegouvfr/react-dsfr/Button";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { Input } from "@codegouvfr/react-dsfr/Input";
import { Select } from "@codegouvfr/react-dsfr/Select";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useNavigate, useSearchParams } from "../../lib/router";
import { api, ApiError, unwrap, type Schemas } from "../../lib/api/client";
import { frenchMessage } from "../../lib/api/errors";
import { MODALITY_LABEL, REGIONS } from "../../lib/labels";
import { useTitle } from "../../app/useTitle";
import { Loading } from "../../app/Loading";
import { queryClient } from "../../app/queryClient";
import { allPages, fullName, PAGE } from "../staff/queries";
import { STAFF_ERRORS } from "../staff/errors";
import "../staff/staff.css";

type Region = Schemas["RegionCode"];
type Modality = Schemas["Modality"];

export function useRegionAdvisors(region: Region | "") {
  return useQuery({
    queryKey: ["advisors", region],
    enabled: region !== "",
    queryFn: () =>
      allPages<Schemas["Advisor"]>(async (cursor) =>
        unwrap(await api().GET("/admin/advisors", { params: { query: { region: region as Region, limit: PAGE, cursor } } })),
      ),
  });
}

export function LoadBar({ advisor: a }: { advisor: Schemas["Advisor"] }) {
  const percent = Math.round(a.load * 100);
  return (
    <>
      <span className={`app-bar${a.portfolioCount >= a.capacity ? " app-full" : ""}`} aria-hidden="true">
        <span style={{ width: `${Math.min(100, percent)}%` }} />
      </span>
      <span className="app-count">
        {a.portfolioCount} / {a.capacity} ({percent} %)
      </span>
      {a.portfolioCount >= a.capacity && <strong> complet</strong>}
    </>
  );
}

export default function AdvisorsPage() {
  useTitle("Conseillers");
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const region = (params.get("region") ?? "") as Region | "";
  const advisors = useRegionAdvisors(region);
  const regionName = REGIONS.find((r) => r.code === region)?.name;
  return (
    <>
      <h1 className="fr-mt-4w">Conseillers et conseillères</h1>
      <Select
        label="Région"
        hint="Les conseillers et conseillères d'une région, avec leur charge."
        nativeSelectProps={{ value: region, onChange: (e) => navigate(`/gestion/conseillers?region=${e.target.value}`, { replace: true }) }}
      >
        <option value="" disabled>
          Choisissez une région
        </option>
        {REGIONS.map((r) => (
          <option key={r.code} value={r.code}>
            {r.name}
          </option>
        ))}
      </Select>
      {region === "" ? (
        <p>Choisissez une région pour voir ses conseillers et conseillères.</p>
      ) : advisors.isPending ? (
        <Loading />
      ) : advisors.error ? (
        <Alert severity="error" small description={frenchMessage(advisors.error, STAFF_ERRORS)} />
      ) : advisors.data.length === 0 ? (
        <p>Aucun conseiller ni conseillère en {regionName} : les inscriptions de cette région attendent sur la liste d'attente.</p>
      ) : (
        <div className="app-table-scroll" tabIndex={0} role="region" aria-label={`Conseillers de la région ${regionName}`}>
          <table className="app-table">
            <caption>
              {advisors.data.length} conseillers et conseillères en {regionName}
            </caption>
            <thead>
              <tr>
                <th scope="col">Nom</th>
                <th scope="col">Modalité</th>
                <th scope="col">Capacité</th>
                <th scope="col">Charge (personnes suivies / capacité)</th>
              </tr>
            </thead>
            <tbody>
              {advisors.data.map((a) => (
                <tr key={a.advisorId}>
                  <th scope="row">{fullName(a)}</th>
                  <td>{MODALITY_LABEL[a.modality]}</td>
                  <td className="app-count">{a.capacity}</td>
                  <td>
                    <LoadBar advisor={a} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <CreateAdvisor defaultRegion={region} />
    </>
  );
}

const FIELD_OF: Record<string, string> = {
  invalid_sub: "sub",
  identity_taken: "sub",
  invalid_name: "name",
  invalid_email: "email",
  invalid_region: "region",
  invalid_capacity: "capacity",
};

function CreateAdvisor({ defaultRegion }: { defaultRegion: Region | "" }) {
  const navigate = useNavigate();
  const [form, setForm] = useState({ sub: "", firstName: "", lastName: "", email: "", region: "", modality: "web", capacity: "" });
  const [missing, setMissing] = useState<string | null>(null);
  const region = (form.region || defaultRegion) as Region | "";
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const create = useMutation({
    mutationFn: async () =>
      unwrap(
        await api().POST("/advisors", {
          body: {
            sub: form.sub.trim(),
            firstName: form.firstName.trim(),
            lastName: form.lastName.trim(),
            email: form.email.trim(),
            region: region as Region,
            modality: form.modality as Modality,
            capacity: form.capacity ? Number(form.capacity) : null,
          },
        }),
      ),
    onSuccess: (a) => {
      void queryClient.invalidateQueries({ queryKey: ["advisors", a.region] });
      setForm({ sub: "", firstName: "", lastName: "", email: "", region: "", modality: "web", capacity: "" });
      navigate(`/gestion/conseillers?region=${a.region}`, { replace: true });
    },
  });
  const code = create.error instanceof ApiError ? create.error.code : null;
  const field = code ? FIELD_OF[code] : undefined;
  const msg = (name: string) => (field === name && create.error ? frenchMessage(create.error, STAFF_ERRORS) : undefined);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!form.sub.trim() || !form.firstName.trim() || !form.lastName.trim() || !form.email.trim() || !region) {
      setMissing("Remplissez l'identifiant, le prénom, le nom, l'adresse électronique et la région.");
      return;
    }
    setMissing(null);
    create.mutate();
  };
  return (
    <section className="fr-mt-6w" aria-labelledby="nouveau-conseiller">
      <h2 id="nouveau-conseiller" className="fr-h4">
        Créer un conseiller ou une conseillère
      </h2>
      {create.isSuccess && (
        <Alert
          severity="success"
          small
          className="fr-mb-2w"
          description={`${fullName(create.data)} est créé ou créée en ${REGIONS.find((r) => r.code === create.data.region)?.name}, avec une capacité de ${create.data.capacity} personnes.`}
        />
      )}
      <form onSubmit={submit} noValidate>
        <Input
          label="Identifiant de connexion (sub Cognito)"
          state={msg("sub") ? "error" : "default"}
          stateRelatedMessage={msg("sub")}
          nativeInputProps={{ value: form.sub, onChange: set("sub"), autoComplete: "off" }}
        />
        <Input label="Prénom" state={msg("name") ? "error" : "default"} stateRelatedMessage={msg("name")} nativeInputProps={{ value: form.firstName, onChange: set("firstName") }} />
        <Input label="Nom" nativeInputProps={{ value: form.lastName, onChange: set("lastName") }} />
        <Input
          label="Adresse électronique"
          state={msg("email") ? "error" : "default"}
          stateRelatedMessage={msg("email")}
          nativeInputProps={{ type: "email", value: form.email, onChange: set("email") }}
        />
        <Select label="Région du conseiller" nativeSelectProps={{ value: region, onChange: set("region") }}>
          <option value="" disabled>
            Choisissez une région
          </option>
          {REGIONS.map((r) => (
            <option key={r.code} value={r.code}>
              {r.name}
            </option>
          ))}
        </Select>
        <Select label="Modalité" hint="Les niveaux que ce conseiller suit." nativeSelectProps={{ value: form.modality, onChange: set("modality") }}>
          {(Object.keys(MODALITY_LABEL) as Modality[]).map((m) => (
            <option key={m} value={m}>
              {MODALITY_LABEL[m]}
            </option>
          ))}
        </Select>
        <Input
          label="Capacité (facultatif)"
          hintText="Nombre maximum de personnes suivies, de 1 à 500. Sans valeur : 250 en web, 150 en guidé, 70 en renforcé."
          state={msg("capacity") ? "error" : "default"}
          stateRelatedMessage={msg("capacity")}
          nativeInputProps={{ type: "number", min: 1, max: 500, value: form.capacity, onChange: set("capacity") }}
        />
        {(missing || (create.error && !field)) && (
          <p className="fr-error-text fr-mb-2w" role="alert">
            {missing ?? frenchMessage(create.error, STAFF_ERRORS)}
          </p>
        )}
        <Button type="submit" disabled={create.isPending}>
          Créer
        </Button>
      </form>
    </section>
  );
}

import Button from "@codegouvfr/react-dsfr/Button";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { Badge } from "@codegouvfr/react-dsfr/Badge";
import { Input } from "@codegouvfr/react-dsfr/Input";
import { Select } from "@codegouvfr/react-dsfr/Select";
import { useInfiniteQuery, useMutation, useQuery } from "@tanstack/react-query";
import { useRef, useState, type FormEvent } from "react";
import { Link, useParams } from "../../lib/router";
import { api, unwrap, type Schemas } from "../../lib/api/client";
import { frenchMessage } from "../../lib/api/errors";
import { CHANNEL_LABEL, LEVEL_LABEL, LEVELS, sameAdvisorServes, STATUS_LABEL, STATUS_SEVERITY } from "../../lib/labels";
import { parisDate, parisDateTime } from "../../lib/time";
import { useTitle } from "../../app/useTitle";
import { Loading } from "../../app/Loading";
import { queryClient } from "../../app/queryClient";
import { conversationPath, interviewPath } from "../../app/staff";
import { kindLabel, entryDetail } from "../journal/labels";
import { allPages, fullName, PAGE, useSeeker } from "../staff/queries";
import { STAFF_ERRORS } from "../staff/errors";
import { BookForSeeker } from "./BookForSeeker";
import "../staff/staff.css";
import { frenchPhone } from "../../lib/phone";

type Seeker = Schemas["Seeker"];
type Level = Schemas["Level"];
type Entry = Schemas["JournalEntry"];

const ACTOR: Record<Schemas["ActorRole"], string> = {
  seeker: "la personne",
  advisor: "conseiller ou conseillère",
  admin: "l'administration",
  system: "le service",
};

export default function SeekerFilePage() {
  const { seekerId = "" } = useParams();
  const seeker = useSeeker(seekerId);
  useTitle(seeker.data ? `Dossier de ${fullName(seeker.data)}` : "Dossier");
  if (seeker.isPending) return <Loading />;
  if (!seeker.data) {
    return (
      <>
        <h1 className="fr-mt-4w">Dossier</h1>
        <Alert severity="error" small description={frenchMessage(seeker.error, STAFF_ERRORS)} />
        <p className="fr-mt-2w">
          <Link className="fr-link" to="/conseiller">
            Retour au portefeuille
          </Link>
        </p>
      </>
    );
  }
  return <File seeker={seeker.data} />;
}

function File({ seeker: s }: { seeker: Seeker }) {
  const [booking, setBooking] = useState(false);
  return (
    <>
      <p className="fr-mt-3w fr-mb-0">
        <Link className="fr-link" to="/conseiller">
          Portefeuille
        </Link>
      </p>
      <h1 className="fr-mt-2w">{fullName(s)}</h1>
      <p>
        <Badge severity="info" noIcon>
          {LEVEL_LABEL[s.level]}
        </Badge>{" "}
        {s.overdue && (
          <Badge severity="error" noIcon>
            Contact en retard
          </Badge>
        )}
      </p>
      <ul className="fr-btns-group fr-btns-group--inline-md fr-btns-group--icon-left">
        <li>
          <Link className="fr-btn" to={conversationPath(s.seekerId)}>
            Écrire
          </Link>
        </li>
        <li>
          <Button priority="secondary" onClick={() => setBooking(true)} aria-expanded={booking}>
            Réserver un de mes créneaux
          </Button>
        </li>
        <li>
          <Link className="fr-btn fr-btn--secondary fr-icon-calendar-line" to={`/conseiller/demandeurs/${s.seekerId}/convoquer`}>
            Convoquer à un entretien obligatoire
          </Link>
        </li>
      </ul>
      {booking && <BookForSeeker seeker={s} onClose={() => setBooking(false)} />}
      <div className="fr-grid-row fr-grid-row--gutters">
        <section className="fr-col-12 fr-col-lg-5" aria-labelledby="profil">
          <h2 id="profil" className="fr-h4">
            Profil
          </h2>
          <dl>
            <dt className="fr-text--bold">Adresse électronique</dt>
            <dd>{s.email}</dd>
            <dt className="fr-text--bold">Téléphone</dt>
            <dd>{s.phone ? frenchPhone(s.phone) : "Aucun numéro"}</dd>
            <dt className="fr-text--bold">Région</dt>
            <dd>{s.regionName}</dd>
            <dt className="fr-text--bold">Moyens de contact préférés</dt>
            <dd>{s.preferredChannels.map((c) => CHANNEL_LABEL[c]).join(", ") || "Aucun"}</dd>
            <dt className="fr-text--bold">Inscription</dt>
            <dd>{parisDate(s.registeredAt)}</dd>
            <dt className="fr-text--bold">Dernier contact</dt>
            <dd>{s.lastContactAt ? parisDateTime(s.lastContactAt) : "Aucun contact pour l'instant"}</dd>
            <dt className="fr-text--bold">Prochain contact dû</dt>
            <dd>
              {parisDate(s.nextContactDue)}
              {s.overdue && " (en retard)"}
            </dd>
          </dl>
          <LevelSection seeker={s} />
          <Interviews seekerId={s.seekerId} />
        </section>
        <section className="fr-col-12 fr-col-lg-7" aria-labelledby="journal">
          <h2 id="journal" className="fr-h4">
            Journal du suivi
          </h2>
          <Journal seekerId={s.seekerId} />
        </section>
      </div>
    </>
  );
}

function useJournal(seekerId: string) {
  return useInfiniteQuery({
    queryKey: ["journal", seekerId],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      unwrap(await api().GET("/seekers/{seekerId}/journal", { params: { path: { seekerId }, query: { limit: 50, cursor: pageParam } } })),
    getNextPageParam: (last) => last.nextCursor,
  });
}

function Journal({ seekerId }: { seekerId: string }) {
  const journal = useJournal(seekerId);
  if (journal.isPending) return <Loading />;
  if (journal.error) return <Alert severity="error" small description={frenchMessage(journal.error, STAFF_ERRORS)} />;
  const entries = journal.data.pages.flatMap((p) => p.items);
  return (
    <>
      <ol className="fr-raw-list app-timeline" aria-label="Journal du suivi, du plus récent au plus ancien">
        {entries.map((e) => (
          <TimelineEntry key={e.entryId} entry={e} />
        ))}
      </ol>
      {journal.hasNextPage && (
        <Button priority="secondary" disabled={journal.isFetchingNextPage} onClick={() => void journal.fetchNextPage()}>
          {journal.isFetchingNextPage ? "Chargement…" : "Afficher les événements plus anciens"}
        </Button>
      )}
    </>
  );
}

function TimelineEntry({ entry: e }: { entry: Entry }) {
  const d = e.details as Record<string, unknown>;
  let detail = entryDetail(e, "advisor");
  if (e.kind === "level_changed" && typeof d.from === "string" && typeof d.to === "string") {
    const from = LEVEL_LABEL[d.from as Level] ?? d.from;
    const to = LEVEL_LABEL[d.to as Level] ?? d.to;
    detail = `de « ${from} » à « ${to} »${typeof d.reason === "string" ? `, motif : « ${d.reason} »` : ""}`;
  }
  if (e.kind === "chat_day") detail = "Échanges par la messagerie ce jour-là";
  const interviewId = typeof d.interviewId === "string" ? d.interviewId : null;
  return (
    <li>
      <strong>{e.kind === "chat_day" ? "Messagerie" : kindLabel(e.kind)}</strong>
      <span className="app-meta">
        {parisDateTime(e.at)}, par {ACTOR[e.actor.role]}
      </span>
      {detail && <span>{detail.charAt(0).toUpperCase() + detail.slice(1)}</span>}
      {interviewId && e.kind !== "attendance" && (
        <>
          {" "}
          <Link to={interviewPath(interviewId)}>
            Voir l'entretien<span className="fr-sr-only"> du {typeof d.start === "string" ? parisDateTime(d.start) : ""}</span>
          </Link>
        </>
      )}
    </li>
  );
}

function LevelSection({ seeker: s }: { seeker: Seeker }) {
  const journal = useJournal(s.seekerId);
  const history = (journal.data?.pages.flatMap((p) => p.items) ?? []).filter((e) => e.kind === "level_changed");
  const [open, setOpen] = useState(false);
  return (
    <>
      <h2 className="fr-h4 fr-mt-4w">Niveau d'accompagnement</h2>
      <p>
        Niveau actuel : <strong>{LEVEL_LABEL[s.level]}</strong>
      </p>
      {history.length > 0 ? (
        <ul aria-label="Historique des niveaux">
          {history.map((e) => {
            const d = e.details as Record<string, string>;
            return (
              <li key={e.entryId}>
                {parisDate(e.at)} : {LEVEL_LABEL[d.from as Level] ?? d.from} → {LEVEL_LABEL[d.to as Level] ?? d.to}
                {d.reason ? ` (« ${d.reason} »)` : ""}
              </li>
            );
          })}
        </ul>
      ) : (
        <p>Le niveau n'a pas changé depuis l'inscription.</p>
      )}
      {open ? <LevelChange seeker={s} onClose={() => setOpen(false)} /> : <Button priority="secondary" onClick={() => setOpen(true)}>Changer de niveau</Button>}
    </>
  );
}

function LevelChange({ seeker: s, onClose }: { seeker: Seeker; onClose: () => void }) {
  const others = LEVELS.filter((l) => l !== s.level);
  const [level, setLevel] = useState<Level>(others[0]!);
  const [reason, setReason] = useState("");
  const [fieldError, setFieldError] = useState<string | null>(null);
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  const change = useMutation({
    mutationFn: async () =>
      unwrap(await api().PUT("/seekers/{seekerId}/level", { params: { path: { seekerId: s.seekerId } }, body: { level, reason: reason.trim() } })),
    onSuccess: (updated) => {
      void queryClient.invalidateQueries({ queryKey: ["portfolio"] });
      void queryClient.invalidateQueries({ queryKey: ["journal", s.seekerId] });
      if (updated.advisor?.advisorId === s.advisor?.advisorId) queryClient.setQueryData(["seeker", s.seekerId], updated);
    },
  });
  const stays = sameAdvisorServes(s.level, level);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!reason.trim()) {
      setFieldError("Indiquez le motif du changement : il est gardé dans le journal.");
      reasonRef.current?.focus();
      return;
    }
    setFieldError(null);
    change.mutate();
  };
  if (change.data) {
    const moved = change.data.advisor?.advisorId !== s.advisor?.advisorId;
    return (
      <Alert
        severity={moved ? "info" : "success"}
        small
        className="fr-mt-2w"
        description={
          !moved
            ? `Niveau changé : ${LEVEL_LABEL[change.data.level]}. Prochain contact dû le ${parisDate(change.data.nextContactDue)}.`
            : change.data.assignment === "waiting"
              ? "Niveau changé. Aucun conseiller ou conseillère de la région ne suit ce niveau avec de la place : la personne est sur la liste d'attente et ne fait plus partie de votre portefeuille."
              : `Niveau changé. La personne est confiée à ${change.data.advisor ? fullName(change.data.advisor) : "un autre conseiller ou une autre conseillère"}, qui suit ce niveau : elle ne fait plus partie de votre portefeuille.`
        }
      />
    );
  }
  return (
    <form onSubmit={submit} noValidate className="fr-mt-2w" aria-label="Changer de niveau">
      <Select label="Nouveau niveau" nativeSelectProps={{ value: level, onChange: (e) => setLevel(e.target.value as Level) }}>
        {others.map((l) => (
          <option key={l} value={l}>
            {LEVEL_LABEL[l]}
          </option>
        ))}
      </Select>
      <p className="fr-text--sm" aria-live="polite">
        {stays
          ? "Ce que cela implique : la personne reste dans votre portefeuille ; son prochain contact dû est recalculé selon le rythme de ce niveau."
          : "Ce que cela implique : vous ne suivez pas ce niveau. La personne sera confiée à un conseiller ou une conseillère de sa région qui le suit et a de la place, ou mise sur la liste d'attente s'il n'y en a pas. Elle quittera votre portefeuille."}
      </p>
      <Input
        label="Motif"
        hintText="Gardé dans le journal du suivi, visible par la personne."
        textArea
        state={fieldError || change.error ? "error" : "default"}
        stateRelatedMessage={fieldError ?? (change.error ? frenchMessage(change.error, STAFF_ERRORS) : undefined)}
        nativeTextAreaProps={{ value: reason, onChange: (e) => setReason(e.target.value), maxLength: 500, ref: reasonRef }}
      />
      <ul className="fr-btns-group fr-btns-group--inline-md">
        <li>
          <Button type="submit" disabled={change.isPending}>
            Changer le niveau
          </Button>
        </li>
        <li>
          <Button priority="secondary" onClick={onClose}>
            Annuler
          </Button>
        </li>
      </ul>
    </form>
  );
}

/** The advisor's interviews with this seeker: the agenda of 90 days back to 276 days ahead (the API's 366-day range). */
function Interviews({ seekerId }: { seekerId: string }) {
  const interviews = useQuery({
    queryKey: ["seeker-interviews", seekerId],
    queryFn: async () => {
      // One "now" for both ends: two readings of the clock a millisecond apart made the span
      // 366 days and 1 ms, which the API refuses.
      const now = Date.now();
      const from = new Date(now - 90 * 86_400_000).toISOString();
      const to = new Date(now + 276 * 86_400_000).toISOString();
      const all = await allPages<Schemas["Interview"]>(async (cursor) =>
        unwrap(await api().GET("/advisors/me/agenda", { params: { query: { from, to, limit: PAGE, cursor } } })),
      );
      return all.filter((i) => i.seekerId === seekerId);
    },
  });
  return (
    <>
      <h2 className="fr-h4 fr-mt-4w">Entretiens</h2>
      {interviews.isPending ? (
        <Loading />
      ) : interviews.error ? (
        <Alert severity="error" small description={frenchMessage(interviews.error, STAFF_ERRORS)} />
      ) : interviews.data.length === 0 ? (
        <p>Aucun entretien ces 90 derniers jours ni à venir.</p>
      ) : (
        <ul aria-label="Entretiens avec cette personne">
          {interviews.data.map((i) => (
            <li key={i.interviewId}>
              <Link to={interviewPath(i.interviewId)}>{parisDateTime(i.start)}</Link>, {CHANNEL_LABEL[i.channel].toLowerCase()}, {i.durationMinutes} min{" "}
              <Badge small noIcon severity={STATUS_SEVERITY[i.status]}>
                {STATUS_LABEL[i.status]}
              </Badge>
              {i.mandatory && (
                <>
                  {" "}
                  <Badge small noIcon severity="warning">
                    {i.acknowledgedAt ? "Convocation, réception confirmée" : "Convocation, réception pas encore confirmée"}
                  </Badge>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

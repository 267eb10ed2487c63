// How the interview went, recorded by the advisor once it has started (the API refuses it
// before: 422 too_early). A no-show may later be corrected to a justified absence, nothing
// else. Recording it also ends the video meeting, if one is still open, for everyone.
import Button from "@codegouvfr/react-dsfr/Button";
import { Input } from "@codegouvfr/react-dsfr/Input";
import { RadioButtons } from "@codegouvfr/react-dsfr/RadioButtons";
import { useMutation } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { api, unwrap, type Schemas } from "../../lib/api/client";
import { STATUS_LABEL } from "../../lib/labels";
import { parisDateTime, parisHour } from "../../lib/time";
import { advisorError, setInterview } from "./queries";

type Interview = Schemas["Interview"];
type Outcome = Schemas["OutcomeRecord"]["outcome"];

const OUTCOMES: ReadonlyArray<{ value: Outcome; label: string; hint: string }> = [
  { value: "completed", label: "Entretien réalisé", hint: "Compte comme un contact : la date du prochain contact attendu avance." },
  { value: "no_show", label: "Absence non justifiée", hint: "Pourra être corrigée en absence justifiée si un justificatif arrive." },
  { value: "justified_absence", label: "Absence justifiée", hint: "Avec un motif légitime ou un justificatif." },
];

const NOTE_MAX = 2000;

export function OutcomeSection({ interview: i, seekerName }: { interview: Interview; seekerName: string }) {
  const [open, setOpen] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const started = Date.now() >= new Date(i.start).getTime();
  const correctable = i.status === "no_show";

  let body;
  if (i.status === "cancelled") body = <p>Cet entretien a été annulé : il n'a pas d'issue à enregistrer.</p>;
  else if (i.status === "booked" && !started)
    body = <p>Vous pourrez enregistrer l'issue dès le début de l'entretien, à {parisHour(i.start)}.</p>;
  else
    body = (
      <>
        {i.status !== "booked" && (
          <p>
            <strong>{STATUS_LABEL[i.status]}</strong>
            {i.outcomeAt && `, enregistré le ${parisDateTime(i.outcomeAt)}`}.
            {i.outcomeNote && (
              <>
                <br />
                Note : « {i.outcomeNote} »
              </>
            )}
          </p>
        )}
        {(i.status === "booked" || correctable) && (
          <Button ref={opener} onClick={() => setOpen(true)}>
            {correctable ? "Corriger en absence justifiée" : "Enregistrer l'issue de l'entretien"}
          </Button>
        )}
      </>
    );

  return (
    <section aria-labelledby="outcome-title" className="fr-mt-4w">
      <h2 id="outcome-title" ref={heading} tabIndex={-1} className="fr-h4">
        Issue de l'entretien
      </h2>
      <div role="status">{done && <p className="fr-text--bold">{done}</p>}</div>
      {body}
      {open && (
        <OutcomeDialog
          interview={i}
          seekerName={seekerName}
          choices={correctable ? OUTCOMES.filter((o) => o.value === "justified_absence") : OUTCOMES}
          onClose={(recorded) => {
            setOpen(false);
            const label = OUTCOMES.find((o) => o.value === recorded)?.label;
            if (label) setDone(`Issue enregistrée : ${label.charAt(0).toLowerCase()}${label.slice(1)}.`);
            // Back where the person was: the button, or the section once the button is gone.
            if (recorded) queueMicrotask(() => heading.current?.focus());
            else queueMicrotask(() => opener.current?.focus());
          }}
        />
      )}
    </section>
  );
}

function OutcomeDialog({
  interview: i,
  seekerName,
  choices,
  onClose,
}: {
  interview: Interview;
  seekerName: string;
  choices: ReadonlyArray<{ value: Outcome; label: string; hint: string }>;
  onClose: (recorded: Outcome | null) => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(choices.length === 1 ? choices[0]!.value : null);
  const [note, setNote] = useState("");
  const [fieldError, setFieldError] = useState<{ outcome?: string; note?: string }>({});

  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);

  const record = useMutation({
    mutationFn: async (chosen: Outcome) => {
      // The video, if still open, ends for everyone with the interview.
      if (i.meeting.meetingId) {
        unwrap(await api().DELETE("/interviews/{interviewId}/meeting", { params: { path: { interviewId: i.interviewId } } }));
      }
      return unwrap(
        await api().POST("/interviews/{interviewId}/outcome", {
          params: { path: { interviewId: i.interviewId } },
          body: { outcome: chosen, note: note.trim() || null },
        }),
      );
    },
    onSuccess: (interview, chosen) => {
      setInterview(interview);
      dialog.current?.close();
      onClose(chosen);
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const errors: { outcome?: string; note?: string } = {};
    if (!outcome) errors.outcome = "Choisissez comment s'est passé l'entretien.";
    if (note.trim().length > NOTE_MAX) errors.note = "La note dépasse 2 000 caractères : raccourcissez-la.";
    setFieldError(errors);
    if (errors.outcome || errors.note || !outcome) return;
    record.mutate(outcome);
  };

  return (
    <dialog
      ref={dialog}
      aria-labelledby="outcome-dialog-title"
      className="app-dialog"
      onCancel={(e) => {
        // Esc closes, as the "Annuler" button does (not while the request runs).
        e.preventDefault();
        if (!record.isPending) onClose(null);
      }}
    >
      <form onSubmit={submit} noValidate>
        <h2 id="outcome-dialog-title" className="fr-h4">
          Issue de l'entretien avec {seekerName}
        </h2>
        <p className="fr-text--sm">Entretien du {parisDateTime(i.start)}. {seekerName} verra l'issue et la note dans son suivi.</p>
        <RadioButtons
          legend="Comment s'est passé l'entretien ?"
          name="outcome"
          state={fieldError.outcome ? "error" : "default"}
          stateRelatedMessage={fieldError.outcome}
          options={choices.map((c) => ({
            label: c.label,
            hintText: c.hint,
            nativeInputProps: { value: c.value, checked: outcome === c.value, onChange: () => setOutcome(c.value) },
          }))}
        />
        <Input
          label="Note (facultatif)"
          hintText="2 000 caractères au plus."
          textArea
          state={fieldError.note ? "error" : "default"}
          stateRelatedMessage={fieldError.note}
          nativeTextAreaProps={{ value: note, rows: 4, onChange: (e) => setNote(e.target.value) }}
        />
        {record.error && (
          <p className="fr-error-text fr-mb-2w" role="alert">
            {advisorError(record.error)}
          </p>
        )}
        <ul className="fr-btns-group fr-btns-group--inline-md">
          <li>
            <Button type="submit" disabled={record.isPending}>
              {record.isPending ? "Enregistrement…" : "Enregistrer l'issue"}
            </Button>
          </li>
          <li>
            <Button type="button" priority="secondary" disabled={record.isPending} onClick={() => onClose(null)}>
              Annuler
            </Button>
          </li>
        </ul>
      </form>
    </dialog>
  );
}

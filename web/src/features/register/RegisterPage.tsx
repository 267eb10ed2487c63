import Button from "@codegouvfr/react-dsfr/Button";
import { Input } from "@codegouvfr/react-dsfr/Input";
import { Select } from "@codegouvfr/react-dsfr/Select";
import { Checkbox } from "@codegouvfr/react-dsfr/Checkbox";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { useMutation } from "@tanstack/react-query";
import { useRef, useState, type FormEvent } from "react";
import { Link, Navigate } from "../../lib/router";
import { api, unwrap, type Schemas } from "../../lib/api/client";
import { codeOf, frenchMessage } from "../../lib/api/errors";
import { CHANNEL_LABEL, CHANNELS, REGIONS } from "../../lib/labels";
import { useSession } from "../../app/useSession";
import { useMe } from "../../app/useMe";
import { useTitle } from "../../app/useTitle";
import { queryClient } from "../../app/queryClient";
import { Loading } from "../../app/Loading";

type Field = "firstName" | "lastName" | "email" | "phone" | "region" | "channels" | "consent";
type Channel = Schemas["Channel"];
type RegionCode = Schemas["RegionCode"];

/** Which field an API error code concerns. */
const FIELD_OF: Record<string, Field> = {
  invalid_email: "email",
  email_not_verified: "email",
  invalid_phone: "phone",
  invalid_region: "region",
  invalid_channels: "channels",
  consent_required: "consent",
};

export function RegisterPage() {
  useTitle("Inscription");
  const { session } = useSession();
  const me = useMe(session !== null);
  const [done, setDone] = useState<Schemas["Seeker"] | null>(null);
  if (!session) return <Navigate to="/connexion" replace state={{ returnTo: "/inscription" }} />;
  if (done) return <Registered seeker={done} />;
  if (me.isPending) return <Loading />;
  if (me.data) return <Navigate to="/" replace />;
  return <RegisterForm defaultEmail={session.email ?? ""} onDone={setDone} />;
}

function Registered({ seeker }: { seeker: Schemas["Seeker"] }) {
  const heading = useRef<HTMLHeadingElement>(null);
  return (
    <>
      <h1 className="fr-mt-4w" ref={heading} tabIndex={-1}>
        Inscription enregistrée
      </h1>
      {seeker.advisor ? (
        <Alert
          severity="success"
          title={`Votre conseiller ou conseillère : ${seeker.advisor.firstName} ${seeker.advisor.lastName}`}
          description="Vous allez recevoir un courriel de bienvenue. Vous pouvez dès maintenant prendre rendez-vous ou écrire un message."
        />
      ) : (
        <Alert
          severity="info"
          title="Vous êtes sur liste d'attente"
          description={`Aucun conseiller ou conseillère de la région ${seeker.regionName} n'a de place pour le moment. Votre inscription est bien enregistrée : dès qu'une personne pourra vous suivre, elle vous sera attribuée et vous recevrez un courriel. Vous n'avez rien à refaire.`}
        />
      )}
      <p className="fr-mt-4w">
        <Link className="fr-link" to="/">
          Aller à mon accueil
        </Link>
      </p>
    </>
  );
}

function RegisterForm({ defaultEmail, onDone }: { defaultEmail: string; onDone: (s: Schemas["Seeker"]) => void }) {
  const [firstName, setFirstName] = useState("");
  const [lastName, setLastName] = useState("");
  // The service writes only to the account's verified address: shown, not typed.
  const accountEmail = defaultEmail !== "";
  const [email, setEmail] = useState(defaultEmail);
  const [phone, setPhone] = useState("");
  const [region, setRegion] = useState<RegionCode | "">("");
  const [channels, setChannels] = useState<Channel[]>([]);
  const [consent, setConsent] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const summary = useRef<HTMLDivElement>(null);

  const register = useMutation({
    mutationFn: async (body: Schemas["SeekerRegistration"]) => unwrap(await api().POST("/seekers", { body })),
    onSuccess: (seeker) => {
      queryClient.setQueryData(["me"], seeker);
      onDone(seeker);
    },
    onError: (error) => {
      const code = codeOf(error);
      if (code === "invalid_name") {
        setErrors({ firstName: frenchMessage(error), lastName: frenchMessage(error) });
      } else if (FIELD_OF[code]) {
        setErrors({ [FIELD_OF[code]!]: frenchMessage(error) });
      } else {
        setFormError(frenchMessage(error));
      }
      queueMicrotask(() => summary.current?.focus());
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setFormError(null);
    const found: Partial<Record<Field, string>> = {};
    if (!firstName.trim()) found.firstName = "Indiquez votre prénom.";
    if (!lastName.trim()) found.lastName = "Indiquez votre nom.";
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email.trim())) found.email = "Indiquez une adresse électronique valide, par exemple nom@exemple.fr.";
    if (phone.trim() && !/^\+?[ .()-]*(?:[0-9][ .()-]*){8,15}$/.test(phone.trim())) found.phone = "Indiquez un numéro de téléphone valide, par exemple 06 12 34 56 78.";
    if (!region) found.region = "Choisissez votre région dans la liste.";
    if (channels.length === 0) found.channels = "Choisissez au moins un moyen de contact.";
    if (!consent) found.consent = "Pour vous inscrire, vous devez accepter le traitement de vos données.";
    setErrors(found);
    if (Object.keys(found).length > 0) {
      queueMicrotask(() => summary.current?.focus());
      return;
    }
    register.mutate({
      firstName: firstName.trim(),
      lastName: lastName.trim(),
      email: email.trim(),
      phone: phone.trim() || null,
      region: region as RegionCode,
      preferredChannels: channels,
      consent: true,
    });
  };

  const errorCount = Object.keys(errors).length;
  const state = (f: Field) => (errors[f] ? ("error" as const) : ("default" as const));
  return (
    <>
      <h1 className="fr-mt-4w">Inscription</h1>
      <p>Inscrivez-vous pour être suivi ou suivie à distance par un conseiller ou une conseillère de votre région. Tous les champs sont obligatoires sauf mention contraire.</p>
      <div ref={summary} tabIndex={-1} aria-live="polite">
        {errorCount > 0 && (
          <Alert severity="error" small className="fr-mb-3w" description={errorCount === 1 ? "Un champ est à corriger." : `${errorCount} champs sont à corriger.`} />
        )}
        {formError && <Alert severity="error" small className="fr-mb-3w" description={formError} />}
      </div>
      <form onSubmit={submit} noValidate>
        <Input
          label="Prénom"
          state={state("firstName")}
          stateRelatedMessage={errors.firstName}
          nativeInputProps={{ value: firstName, onChange: (e) => setFirstName(e.target.value), autoComplete: "given-name", maxLength: 100 }}
        />
        <Input
          label="Nom"
          state={state("lastName")}
          stateRelatedMessage={errors.lastName}
          nativeInputProps={{ value: lastName, onChange: (e) => setLastName(e.target.value), autoComplete: "family-name", maxLength: 100 }}
        />
        <Input
          label="Adresse électronique"
          hintText={
            accountEmail
              ? "L'adresse de votre compte, vérifiée à la connexion : nous y envoyons vos rendez-vous et les réponses de votre conseiller. Pour en changer, changez-la dans votre compte."
              : "Nous y envoyons vos rendez-vous et les réponses de votre conseiller. Format : nom@exemple.fr"
          }
          state={state("email")}
          stateRelatedMessage={errors.email}
          nativeInputProps={{ type: "email", value: email, readOnly: accountEmail, onChange: (e) => setEmail(e.target.value), autoComplete: "email", maxLength: 254 }}
        />
        <Input
          label="Téléphone (facultatif)"
          hintText="Pour les entretiens par téléphone : c'est votre conseiller qui vous appelle. Format : 06 12 34 56 78"
          state={state("phone")}
          stateRelatedMessage={errors.phone}
          nativeInputProps={{ type: "tel", value: phone, onChange: (e) => setPhone(e.target.value), autoComplete: "tel", maxLength: 40 }}
        />
        <Select
          label="Région où vous habitez"
          state={state("region")}
          stateRelatedMessage={errors.region}
          nativeSelectProps={{ value: region, onChange: (e) => setRegion(e.target.value as RegionCode) }}
        >
          <option value="" disabled>
            Choisissez votre région
          </option>
          {REGIONS.map((r) => (
            <option key={r.code} value={r.code}>
              {r.name}
            </option>
          ))}
        </Select>
        <Checkbox
          legend="Comment préférez-vous être contacté ou contactée ?"
          hintText="Choisissez un ou plusieurs moyens."
          state={state("channels")}
          stateRelatedMessage={errors.channels}
          options={CHANNELS.map((c) => ({
            label: CHANNEL_LABEL[c],
            nativeInputProps: {
              checked: channels.includes(c),
              onChange: (e) => setChannels((cur) => (e.target.checked ? [...cur, c] : cur.filter((x) => x !== c))),
            },
          }))}
        />
        <Checkbox
          legend="Votre accord"
          state={state("consent")}
          stateRelatedMessage={errors.consent}
          options={[
            {
              label: "J'accepte que mes données soient utilisées pour mon accompagnement vers l'emploi",
              hintText:
                "Votre conseiller ou conseillère voit vos coordonnées, vos rendez-vous, vos messages et votre suivi, pour vous accompagner. Rien n'est vendu ni utilisé à d'autres fins. Vous pouvez télécharger ou effacer vos données à tout moment depuis « Mes données ».",
              nativeInputProps: { checked: consent, onChange: (e) => setConsent(e.target.checked) },
            },
          ]}
        />
        <p>
          <Link className="fr-link" to="/donnees-personnelles">
            En savoir plus sur vos données personnelles
          </Link>
        </p>
        <Button type="submit" disabled={register.isPending}>
          {register.isPending ? "Inscription en cours…" : "M'inscrire"}
        </Button>
      </form>
    </>
  );
}

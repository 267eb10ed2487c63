import Button from "@codegouvfr/react-dsfr/Button";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { Input } from "@codegouvfr/react-dsfr/Input";
import { Checkbox } from "@codegouvfr/react-dsfr/Checkbox";
import { useMutation } from "@tanstack/react-query";
import { useRef, useState, type FormEvent } from "react";
import { useNavigate } from "../../lib/router";
import { api, unwrap, type Schemas } from "../../lib/api/client";
import { codeOf, frenchMessage } from "../../lib/api/errors";
import { CHANNEL_LABEL, CHANNELS } from "../../lib/labels";
import { signOutLocally } from "../../lib/auth/session";
import { useMe } from "../../app/useMe";
import { useTitle } from "../../app/useTitle";
import { queryClient } from "../../app/queryClient";

type Channel = Schemas["Channel"];

export default function MyDataPage() {
  useTitle("Mes données");
  const me = useMe().data!;
  return (
    <>
      <h1 className="fr-mt-4w">Mes données</h1>
      <p>
        {me.firstName} {me.lastName} — {me.email} — région {me.regionName}
      </p>
      <Contact me={me} />
      <Export />
      <Erase />
    </>
  );
}

function Contact({ me }: { me: Schemas["Seeker"] }) {
  const [phone, setPhone] = useState(me.phone ?? "");
  const [channels, setChannels] = useState<Channel[]>(me.preferredChannels);
  const [smsOptIn, setSmsOptIn] = useState(me.smsOptIn);
  const [errors, setErrors] = useState<{ phone?: string; channels?: string; form?: string }>({});
  const [saved, setSaved] = useState(false);
  const save = useMutation({
    mutationFn: async (body: Schemas["SeekerUpdate"]) => unwrap(await api().PATCH("/seekers/me", { body })),
    onSuccess: (seeker) => {
      queryClient.setQueryData(["me"], seeker);
      setPhone(seeker.phone ?? "");
      setSmsOptIn(seeker.smsOptIn);
      setSaved(true);
    },
    onError: (e) => {
      const code = codeOf(e);
      const phoneCode = code === "invalid_phone" || code === "invalid_mobile_phone";
      const smsPhone = { phone_required: "Pour recevoir des SMS, indiquez votre numéro de mobile." };
      setErrors(phoneCode || code === "phone_required" ? { phone: frenchMessage(e, smsPhone) } : code === "invalid_channels" ? { channels: frenchMessage(e) } : { form: frenchMessage(e) });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const found: typeof errors = {};
    if (phone.trim() && !/^\+?[ .()-]*(?:[0-9][ .()-]*){8,15}$/.test(phone.trim())) found.phone = "Indiquez un numéro de téléphone valide, par exemple 06 12 34 56 78.";
    else if (smsOptIn && !phone.trim()) found.phone = "Pour recevoir des SMS, indiquez votre numéro de mobile.";
    if (channels.length === 0) found.channels = "Choisissez au moins un moyen de contact.";
    setErrors(found);
    if (Object.keys(found).length) return;
    save.mutate({ phone: phone.trim() || null, preferredChannels: channels, smsOptIn });
  };
  return (
    <section aria-labelledby="contact-title" className="fr-mt-4w">
      <h2 id="contact-title" className="fr-h4">
        Mes coordonnées et moyens de contact
      </h2>
      <form onSubmit={submit} noValidate>
        <Input
          label="Téléphone (facultatif)"
          hintText="Laissez vide pour le retirer. Format : 06 12 34 56 78"
          state={errors.phone ? "error" : "default"}
          stateRelatedMessage={errors.phone}
          nativeInputProps={{ type: "tel", value: phone, onChange: (e) => setPhone(e.target.value), autoComplete: "tel", maxLength: 40 }}
        />
        <Checkbox
          legend="Moyens de contact préférés"
          state={errors.channels ? "error" : "default"}
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
          legend="Rappels par SMS"
          hintText="Un SMS la veille de vos rendez-vous et pour vos convocations, jamais entre 20 h et 8 h. Il ne donne que le jour, l'heure et le moyen de l'entretien."
          options={[
            {
              label: "Je veux recevoir des SMS sur mon mobile",
              nativeInputProps: { checked: smsOptIn, onChange: (e) => setSmsOptIn(e.target.checked) },
            },
          ]}
        />
        {me.smsOptIn && me.smsOperatorOptedOut && (
          <Alert
            severity="warning"
            small
            className="fr-mb-2w"
            description="Votre opérateur nous indique que ce numéro refuse nos SMS (réponse STOP) : vous n'en recevez pas. Enregistrez à nouveau pour réessayer."
          />
        )}
        <div aria-live="polite">
          {saved && <Alert severity="success" small className="fr-mb-2w" description="Vos modifications sont enregistrées." />}
          {errors.form && <Alert severity="error" small className="fr-mb-2w" description={errors.form} />}
        </div>
        <Button type="submit" disabled={save.isPending}>
          Enregistrer
        </Button>
      </form>
    </section>
  );
}

function Export() {
  const [error, setError] = useState<string | null>(null);
  const download = async () => {
    setError(null);
    try {
      const data = unwrap(await api().GET("/seekers/me/export"));
      const blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
      const a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = `mes-donnees-${new Date().toISOString().slice(0, 10)}.json`;
      a.click();
      URL.revokeObjectURL(a.href);
    } catch (e) {
      setError(frenchMessage(e));
    }
  };
  return (
    <section aria-labelledby="export-title" className="fr-mt-6w">
      <h2 id="export-title" className="fr-h4">
        Télécharger mes données
      </h2>
      <p>Un fichier (au format JSON) avec tout ce que le service garde sur vous : profil, suivi, rendez-vous, messages, courriels.</p>
      {error && (
        <p className="fr-error-text" role="alert">
          {error}
        </p>
      )}
      <Button priority="secondary" iconId="fr-icon-download-line" onClick={() => void download()}>
        Télécharger mes données
      </Button>
    </section>
  );
}

function Erase() {
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState(false);
  const panel = useRef<HTMLDivElement>(null);
  const erase = useMutation({
    mutationFn: async () => unwrap(await api().DELETE("/seekers/me")),
    onSuccess: () => {
      signOutLocally("erased");
      queryClient.clear();
      navigate("/connexion", { replace: true });
    },
  });
  return (
    <section aria-labelledby="erase-title" className="fr-mt-6w">
      <h2 id="erase-title" className="fr-h4">
        Effacer mes données
      </h2>
      {!confirming ? (
        <Button
          priority="secondary"
          onClick={() => {
            setConfirming(true);
            queueMicrotask(() => panel.current?.focus());
          }}
        >
          Effacer mes données…
        </Button>
      ) : (
        <div ref={panel} tabIndex={-1} role="group" aria-labelledby="erase-confirm-title">
          <Alert
            severity="warning"
            title={<span id="erase-confirm-title">Êtes-vous sûr ou sûre de vouloir effacer vos données ?</span>}
            description={
              <>
                <span style={{ display: "block" }}>
                  <strong>Effacé :</strong> vos nom, prénom, adresse électronique et téléphone, vos messages, les textes que vous ou votre conseiller
                  avez écrits dans votre suivi, les courriels pas encore envoyés. Votre place chez votre conseiller ou conseillère est libérée et
                  vous ne pourrez plus vous connecter à ce suivi.
                </span>
                <span style={{ display: "block" }}>
                  <strong>Gardé, sans rien qui permette de vous reconnaître :</strong> votre région, votre niveau d'accompagnement, et la liste
                  datée des événements de votre suivi (sans leurs textes), comme la loi le demande.
                </span>
                <span style={{ display: "block" }}>Cette action est définitive.</span>
              </>
            }
          />
          {erase.error && (
            <p className="fr-error-text" role="alert">
              {frenchMessage(erase.error)}
            </p>
          )}
          <ul className="fr-btns-group fr-btns-group--inline-md fr-mt-2w">
            <li>
              <Button onClick={() => erase.mutate()} disabled={erase.isPending}>
                Oui, effacer définitivement mes données
              </Button>
            </li>
            <li>
              <Button priority="secondary" onClick={() => setConfirming(false)}>
                Non, garder mes données
              </Button>
            </li>
          </ul>
        </div>
      )}
    </section>
  );
}

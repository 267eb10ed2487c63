import Button from "@codegouvfr/react-dsfr/Button";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { useEffect, useRef, useState } from "react";
import { Link, useParams } from "../../lib/router";
import { api, unwrap, type Schemas } from "../../lib/api/client";
import { frenchMessage } from "../../lib/api/errors";
import { sendOnce } from "../../lib/chat/sendOnce";
import { parisDateTime, parisHour } from "../../lib/time";
import { useMe } from "../../app/useMe";
import { useTitle } from "../../app/useTitle";
import { Loading } from "../../app/Loading";
import { useInterview } from "../interviews/queries";
import { DeviceFields, StreamPreview, useLocalMedia } from "./localMedia";
import { frenchPhone } from "../../lib/phone";

const EARLY_MS = 15 * 60_000;
/** Without a started session by then, the page offers the ways out. */
const CONNECT_TIMEOUT_MS = 20_000;
/**
 * How often the open page re-reads the interview, so that the advisor's switch to phone shows
 * within seconds (one small GET; the chat WebSocket carries no interview events).
 */
const POLL_MS = 4_000;

export default function VideoPage() {
  useTitle("Visioconférence");
  const { interviewId = "" } = useParams();
  const interview = useInterview(interviewId, POLL_MS);
  if (interview.isPending) return <Loading />;
  if (!interview.data) return <Alert small className="fr-mt-4w" severity="error" description={frenchMessage(interview.error)} />;
  const i = interview.data;
  const opensAt = new Date(i.start).getTime() - EARLY_MS;
  return (
    <>
      <h1 className="fr-mt-4w">Visioconférence du {parisDateTime(i.start)}</h1>
      {i.status === "booked" && i.channel === "phone" && i.channelHistory.length > 0 ? (
        <div role="status">
          <Alert
            severity="info"
            title="L'entretien continue par téléphone"
            description={`La visioconférence est remplacée par un appel. C'est votre conseiller ou conseillère qui vous appelle${i.phone ? `, au ${frenchPhone(i.phone.number)}` : ""} : gardez votre téléphone près de vous, vous n'avez pas à appeler.`}
          />
        </div>
      ) : i.channel !== "video" || i.status !== "booked" ? (
        <Alert small severity="info" description="Ce rendez-vous n'a pas ou plus lieu en visioconférence." />
      ) : Date.now() < opensAt ? (
        <Alert
          severity="info"
          title={`La salle ouvre à ${parisHour(new Date(opensAt).toISOString())}`}
          description="Revenez sur cette page 15 minutes avant l'heure du rendez-vous : vous pourrez alors vérifier votre caméra et votre micro, puis rejoindre votre conseiller ou conseillère."
        />
      ) : new Date(i.end).getTime() < Date.now() ? (
        <Alert small severity="info" description="L'heure de ce rendez-vous est passée." />
      ) : (
        <Room interview={i} />
      )}
      <p className="fr-mt-4w">
        <Link className="fr-link" to={`/rendez-vous/${i.interviewId}`}>
          Retour au rendez-vous
        </Link>
      </p>
    </>
  );
}

type Phase = "check" | "joining" | "joined" | "failed";

function Room({ interview }: { interview: Schemas["Interview"] }) {
  const me = useMe().data!;
  const [phase, setPhase] = useState<Phase>("check");
  const [failure, setFailure] = useState<string | null>(null);
  const [camera, setCamera] = useState("");
  const [mic, setMic] = useState("");
  const media = useLocalMedia(phase === "check", camera, mic);
  const [told, setTold] = useState<"no" | "sending" | "sent" | "failed">("no");
  const remote = useRef<HTMLVideoElement>(null);
  const audioOut = useRef<HTMLAudioElement>(null);
  const session = useRef<{ stop: () => void } | null>(null);

  useEffect(() => () => session.current?.stop(), []);

  const join = async () => {
    setPhase("joining");
    setFailure(null);
    try {
      const body = unwrap(
        await api().POST("/interviews/{interviewId}/meeting", { params: { path: { interviewId: interview.interviewId } } }),
      );
      const { joinChime } = await import("./chime");
      session.current = await joinChime(body, {
        camera,
        mic,
        videoElement: remote.current!,
        audioElement: audioOut.current!,
        timeoutMs: CONNECT_TIMEOUT_MS,
        onStarted: () => setPhase("joined"),
        onFailed: () => {
          setPhase("failed");
          setFailure("La visioconférence n'a pas pu démarrer : le service vidéo ne répond pas.");
        },
      });
    } catch (error) {
      setPhase("failed");
      setFailure(frenchMessage(error));
    }
  };

  const tellAdvisor = async () => {
    setTold("sending");
    try {
      await sendOnce(
        `La visioconférence ne fonctionne pas de mon côté pour le rendez-vous du ${parisDateTime(interview.start)}. Pouvez-vous m'appeler${me.phone ? ` au ${frenchPhone(me.phone)}` : ""} ?`,
      );
      setTold("sent");
    } catch {
      setTold("failed");
    }
  };

  return (
    <>
      {phase === "check" && (
        <section aria-labelledby="check-title">
          <h2 id="check-title" className="fr-h4">
            Vérifiez votre caméra et votre micro
          </h2>
          {media.error && <Alert severity="error" small className="fr-mb-2w" description={media.error} />}
          <StreamPreview stream={media.stream} label="Aperçu de votre caméra" />
          <DeviceFields media={media} camera={camera} mic={mic} onCamera={setCamera} onMic={setMic} />
          <Button className="fr-mt-3w" onClick={() => void join()}>
            Rejoindre l'entretien
          </Button>
        </section>
      )}
      <div hidden={phase === "check"}>
        <div role="status" aria-live="polite">
          {phase === "joining" && <p>Connexion à la visioconférence… Patientez quelques secondes.</p>}
          {phase === "joined" && <p>Vous êtes dans la salle. Votre conseiller ou conseillère vous rejoint.</p>}
        </div>
        <video ref={remote} className="app-video" autoPlay playsInline aria-label="Vidéo de votre conseiller ou conseillère" />
        <audio ref={audioOut} autoPlay />
        {phase === "joined" && (
          <Button priority="secondary" onClick={() => { session.current?.stop(); setPhase("check"); }}>
            Quitter
          </Button>
        )}
      </div>
      {(phase === "failed" || phase === "joining") && (
        <section aria-labelledby="help-title" className="fr-mt-3w">
          <h2 id="help-title" className="fr-h5">
            {phase === "failed" ? "La visioconférence ne fonctionne pas" : "Si la connexion tarde"}
          </h2>
          {failure && <Alert severity="error" small className="fr-mb-2w" description={failure} />}
          <p>Vous pouvez réessayer, ou prévenir votre conseiller ou conseillère : l'entretien aura lieu par téléphone.</p>
          <ul className="fr-btns-group fr-btns-group--inline-md">
            {phase === "failed" && (
              <li>
                <Button onClick={() => void join()}>Réessayer</Button>
              </li>
            )}
            <li>
              <Button priority="secondary" disabled={told === "sending" || told === "sent"} onClick={() => void tellAdvisor()}>
                Prévenir mon conseiller que la vidéo ne marche pas
              </Button>
            </li>
          </ul>
          <div aria-live="polite">
            {told === "sent" && (
              <Alert
                severity="success"
                small
                description={
                  me.phone
                    ? `C'est fait. Votre conseiller ou conseillère va vous appeler au ${frenchPhone(me.phone)}.`
                    : "C'est fait. Vous n'avez pas de numéro de téléphone dans votre profil : ajoutez-le dans « Mes données » pour être appelé ou appelée."
                }
              />
            )}
            {told === "failed" && <Alert severity="error" small description="Le message n'a pas pu partir. Réessayez, ou appelez votre agence." />}
          </div>
        </section>
      )}
    </>
  );
}

import Button from "@codegouvfr/react-dsfr/Button";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { Select } from "@codegouvfr/react-dsfr/Select";
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

const EARLY_MS = 15 * 60_000;
/** Without a started session by then, the page offers the ways out. */
const CONNECT_TIMEOUT_MS = 20_000;

export default function VideoPage() {
  useTitle("Visioconférence");
  const { interviewId = "" } = useParams();
  const interview = useInterview(interviewId);
  if (interview.isPending) return <Loading />;
  if (!interview.data) return <Alert small className="fr-mt-4w" severity="error" description={frenchMessage(interview.error)} />;
  const i = interview.data;
  const opensAt = new Date(i.start).getTime() - EARLY_MS;
  return (
    <>
      <h1 className="fr-mt-4w">Visioconférence du {parisDateTime(i.start)}</h1>
      {i.channel !== "video" || i.status !== "booked" ? (
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
  const [devices, setDevices] = useState<{ cameras: MediaDeviceInfo[]; mics: MediaDeviceInfo[] }>({ cameras: [], mics: [] });
  const [camera, setCamera] = useState("");
  const [mic, setMic] = useState("");
  const [level, setLevel] = useState(0);
  const [mediaError, setMediaError] = useState<string | null>(null);
  const [told, setTold] = useState<"no" | "sending" | "sent" | "failed">("no");
  const preview = useRef<HTMLVideoElement>(null);
  const remote = useRef<HTMLVideoElement>(null);
  const audioOut = useRef<HTMLAudioElement>(null);
  const stream = useRef<MediaStream | null>(null);
  const session = useRef<{ stop: () => void } | null>(null);

  // Device check: the chosen camera in a preview, the microphone's level as a bar.
  useEffect(() => {
    if (phase !== "check") return;
    let cancelled = false;
    let raf = 0;
    let audio: AudioContext | undefined;
    (async () => {
      try {
        const s = await navigator.mediaDevices.getUserMedia({
          video: camera ? { deviceId: { exact: camera } } : true,
          audio: mic ? { deviceId: { exact: mic } } : true,
        });
        if (cancelled) {
          s.getTracks().forEach((t) => t.stop());
          return;
        }
        stream.current = s;
        if (preview.current) preview.current.srcObject = s;
        const all = await navigator.mediaDevices.enumerateDevices();
        setDevices({ cameras: all.filter((d) => d.kind === "videoinput"), mics: all.filter((d) => d.kind === "audioinput") });
        setMediaError(null);
        audio = new AudioContext();
        const analyser = audio.createAnalyser();
        audio.createMediaStreamSource(s).connect(analyser);
        const data = new Uint8Array(analyser.fftSize);
        const tick = () => {
          analyser.getByteTimeDomainData(data);
          let peak = 0;
          for (const v of data) peak = Math.max(peak, Math.abs(v - 128));
          setLevel(Math.min(100, Math.round((peak / 128) * 100)));
          raf = requestAnimationFrame(tick);
        };
        tick();
      } catch {
        if (!cancelled)
          setMediaError(
            "Votre caméra ou votre micro n'est pas accessible. Autorisez-les dans votre navigateur, ou vérifiez qu'aucune autre application ne les utilise.",
          );
      }
    })();
    return () => {
      cancelled = true;
      cancelAnimationFrame(raf);
      void audio?.close();
      stream.current?.getTracks().forEach((t) => t.stop());
      stream.current = null;
    };
  }, [phase, camera, mic]);

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
        `La visioconférence ne fonctionne pas de mon côté pour le rendez-vous du ${parisDateTime(interview.start)}. Pouvez-vous m'appeler${me.phone ? ` au ${me.phone}` : ""} ?`,
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
          {mediaError && <Alert severity="error" small className="fr-mb-2w" description={mediaError} />}
          <video ref={preview} className="app-video" autoPlay muted playsInline aria-label="Aperçu de votre caméra" />
          <Select
            label="Caméra"
            nativeSelectProps={{ value: camera, onChange: (e) => setCamera(e.target.value) }}
          >
            <option value="">Caméra par défaut</option>
            {devices.cameras.map((d, n) => (
              <option key={d.deviceId || n} value={d.deviceId}>
                {d.label || `Caméra ${n + 1}`}
              </option>
            ))}
          </Select>
          <Select label="Micro" nativeSelectProps={{ value: mic, onChange: (e) => setMic(e.target.value) }}>
            <option value="">Micro par défaut</option>
            {devices.mics.map((d, n) => (
              <option key={d.deviceId || n} value={d.deviceId}>
                {d.label || `Micro ${n + 1}`}
              </option>
            ))}
          </Select>
          <p id="level-label">Niveau du son de votre micro : parlez, la barre doit bouger.</p>
          <div className="app-level" role="meter" aria-labelledby="level-label" aria-valuemin={0} aria-valuemax={100} aria-valuenow={level}>
            <span style={{ width: `${level}%` }} />
          </div>
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
                    ? `C'est fait. Votre conseiller ou conseillère va vous appeler au ${me.phone}.`
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

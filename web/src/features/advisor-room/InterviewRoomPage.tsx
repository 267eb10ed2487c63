// The advisor's interview room (issue 15, journey 6): one interview, whatever its channel. By
// video: a device check, then the Chime SDK session from the join info, the seeker's tile and
// mine; once in the meeting, or when the video fails, the advisor can have the seeker's phone
// dialled into that same meeting (CallPanel.tsx, `dial-in`), or move the interview to the phone
// in one action, which says who calls whom, and place that call from the page (CallPanel.tsx).
// For every interview: end the video meeting, and record the outcome once it started.
import Button from "@codegouvfr/react-dsfr/Button";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { Badge } from "@codegouvfr/react-dsfr/Badge";
import { CallOut } from "@codegouvfr/react-dsfr/CallOut";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { Link, useParams } from "../../lib/router";
import { api, unwrap, type Schemas } from "../../lib/api/client";
import { CHANNEL_LABEL, STATUS_LABEL, STATUS_SEVERITY } from "../../lib/labels";
import { parisDateTime, parisHour } from "../../lib/time";
import { queryClient } from "../../app/queryClient";
import { useTitle } from "../../app/useTitle";
import { Loading } from "../../app/Loading";
import { DeviceFields, StreamPreview, useLocalMedia } from "../video/localMedia";
import { advisorError, interviewKey, setInterview } from "./queries";
import { OutcomeSection } from "./OutcomeSection";
import { CallPanel } from "./CallPanel";
import { frenchPhone } from "../../lib/phone";

type Interview = Schemas["Interview"];

/** The join window, as the API applies it (MEETING_JOIN_EARLY_MINUTES, default 15). */
const EARLY_MS = 15 * 60_000;
/** Without a started session by then, the room offers the ways out. */
const CONNECT_TIMEOUT_MS = 20_000;
/** The API allows a switch up to 30 minutes after the end. */
const SWITCH_LATE_MS = 30 * 60_000;
/** Journaled with the switch, and read by the seeker in their follow-up. */
const SWITCH_REASON = "La visioconférence ne fonctionne pas : l'entretien continue par téléphone.";

export default function InterviewRoomPage() {
  useTitle("Salle d'entretien");
  const { interviewId = "" } = useParams();
  const interview = useQuery({
    queryKey: interviewKey(interviewId),
    queryFn: async () => unwrap(await api().GET("/interviews/{interviewId}", { params: { path: { interviewId } } })),
  });
  const seekerId = interview.data?.seekerId;
  const seeker = useQuery({
    queryKey: ["advisor", "seeker", seekerId],
    enabled: seekerId !== undefined,
    queryFn: async () => unwrap(await api().GET("/seekers/{seekerId}", { params: { path: { seekerId: seekerId! } } })),
  });
  if (interview.isPending || (seekerId && seeker.isPending)) return <Loading />;
  if (!interview.data) {
    return (
      <>
        <h1 className="fr-mt-4w">Salle d'entretien</h1>
        <Alert small severity="error" description={advisorError(interview.error)} />
      </>
    );
  }
  if (!seeker.data) {
    return (
      <>
        <h1 className="fr-mt-4w">Salle d'entretien</h1>
        <Alert small severity="error" description={advisorError(seeker.error)} />
      </>
    );
  }
  return <Room interview={interview.data} seeker={seeker.data} />;
}

function Room({ interview: i, seeker }: { interview: Interview; seeker: Schemas["Seeker"] }) {
  const name = `${seeker.firstName} ${seeker.lastName}`;
  const now = Date.now();
  const start = new Date(i.start).getTime();
  const end = new Date(i.end).getTime();
  const booked = i.status === "booked";
  return (
    <>
      <h1 className="fr-mt-4w">Entretien avec {name}</h1>
      <p>
        <Badge severity={STATUS_SEVERITY[i.status]}>{STATUS_LABEL[i.status]}</Badge>{" "}
        {i.mandatory && <Badge severity="warning">Convocation obligatoire</Badge>}
      </p>
      <dl className="app-facts">
        <dt>Heure (heure de Paris)</dt>
        <dd>
          {parisDateTime(i.start)}, {i.durationMinutes} minutes
        </dd>
        <dt>Moyen</dt>
        <dd>
          {CHANNEL_LABEL[i.channel]}
          {i.channelHistory.length > 0 && ` (d'abord : ${CHANNEL_LABEL[i.channelHistory[0]!.from].toLowerCase()})`}
        </dd>
      </dl>

      {booked && i.channel === "video" && (
        <section aria-labelledby="video-title" className="fr-mt-4w">
          <h2 id="video-title" className="fr-h4">
            Visioconférence
          </h2>
          {now < start - EARLY_MS ? (
            <Alert small severity="info" description={`La salle ouvre à ${parisHour(new Date(start - EARLY_MS).toISOString())}, 15 minutes avant l'heure.`} />
          ) : now >= end ? (
            <Alert small severity="info" description="L'heure de cet entretien est passée : la salle est fermée." />
          ) : (
            <VideoRoom interview={i} seekerName={name} seekerPhone={seeker.phone} />
          )}
          {now < end + SWITCH_LATE_MS && <SwitchToPhone interview={i} seekerName={name} />}
        </section>
      )}
      {i.channel === "phone" && <PhoneCall interview={i} seekerName={name} />}
      {i.channel === "in_person" && (
        <CallOut title="Sur place" className="fr-mt-4w">
          {i.location ?? "Le lieu n'est pas indiqué."}
        </CallOut>
      )}
      {i.channel === "chat" && (
        <CallOut title="Par la messagerie" className="fr-mt-4w">
          <Link to={`/conseiller/messages/${i.seekerId}`}>Ouvrir la conversation avec {name}</Link>
        </CallOut>
      )}
      {i.meeting.meetingId && <EndMeeting interview={i} />}

      <OutcomeSection interview={i} seekerName={name} />

      <p className="fr-mt-4w">
        <Link className="fr-link" to={`/conseiller/messages/${i.seekerId}`}>
          Écrire à {name}
        </Link>
      </p>
    </>
  );
}

type Phase = "check" | "joining" | "joined" | "failed";

function VideoRoom({ interview, seekerName, seekerPhone }: { interview: Interview; seekerName: string; seekerPhone: string | null }) {
  const [phase, setPhase] = useState<Phase>("check");
  // Once joined, or failed, the seeker can be dialled into the meeting: offered from then on
  // while the meeting runs (a call placed stays on screen through a retry or a leave).
  const [dialIn, setDialIn] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [camera, setCamera] = useState("");
  const [mic, setMic] = useState("");
  // My own image stays on screen through the whole room, before and after joining.
  const media = useLocalMedia(true, camera, mic);
  const [remoteShown, setRemoteShown] = useState(false);
  const remote = useRef<HTMLVideoElement>(null);
  const audioOut = useRef<HTMLAudioElement>(null);
  const session = useRef<{ stop: () => void } | null>(null);

  useEffect(() => () => session.current?.stop(), []);

  // The meeting was ended (by the button below, for everyone): this session ends with it.
  const [ended, setEnded] = useState(false);
  const meetingId = interview.meeting.meetingId;
  const hadMeeting = useRef(meetingId);
  useEffect(() => {
    if (hadMeeting.current && !meetingId) {
      session.current?.stop();
      session.current = null;
      setPhase("check");
      setEnded(true);
      setDialIn(false);
    }
    hadMeeting.current = meetingId;
  }, [meetingId]);

  const join = async () => {
    setPhase("joining");
    setFailure(null);
    setEnded(false);
    try {
      const body = unwrap(
        await api().POST("/interviews/{interviewId}/meeting", { params: { path: { interviewId: interview.interviewId } } }),
      );
      // The meeting exists now: the end button shows.
      void queryClient.invalidateQueries({ queryKey: interviewKey(interview.interviewId) });
      const { joinChime } = await import("../video/chime");
      session.current?.stop();
      session.current = await joinChime(body, {
        camera,
        mic,
        videoElement: remote.current!,
        audioElement: audioOut.current!,
        timeoutMs: CONNECT_TIMEOUT_MS,
        onRemoteVideo: setRemoteShown,
        onStarted: () => {
          setPhase("joined");
          setDialIn(true);
        },
        onFailed: () => {
          setPhase("failed");
          setDialIn(true);
          setFailure("La visioconférence n'a pas pu démarrer : le service vidéo ne répond pas.");
        },
      });
    } catch (error) {
      setPhase("failed");
      setDialIn(true);
      setFailure(advisorError(error));
    }
  };

  const leave = () => {
    session.current?.stop();
    session.current = null;
    setPhase("check");
  };

  return (
    <>
      <div className="app-tiles">
        <figure className="app-tile">
          <video ref={remote} className="app-video" autoPlay playsInline aria-label={`Vidéo de ${seekerName}`} />
          <figcaption>
            {seekerName}
            {!remoteShown && " : pas encore d'image"}
          </figcaption>
        </figure>
        <figure className="app-tile">
          <StreamPreview stream={media.stream} label="Votre image" />
          <figcaption>Vous</figcaption>
        </figure>
      </div>
      <audio ref={audioOut} autoPlay />
      {media.error && <Alert severity="error" small className="fr-mb-2w" description={media.error} />}
      <div role="status" aria-live="polite">
        {phase === "joining" && <p>Connexion à la visioconférence… Patientez quelques secondes.</p>}
        {phase === "joined" && <p>Vous êtes dans la salle.</p>}
        {phase === "check" && ended && <p>La visioconférence est terminée pour tout le monde.</p>}
      </div>
      {phase === "check" && (
        <>
          <h3 className="fr-h6">Votre caméra et votre micro</h3>
          <DeviceFields media={media} camera={camera} mic={mic} onCamera={setCamera} onMic={setMic} />
          <Button className="fr-mt-3w" onClick={() => void join()}>
            Rejoindre la visioconférence
          </Button>
        </>
      )}
      {phase === "joined" && (
        <Button priority="secondary" onClick={leave}>
          Quitter la visioconférence
        </Button>
      )}
      {phase === "failed" && (
        <>
          <Alert
            severity="error"
            small
            className="fr-mb-2w"
            title="La visioconférence ne fonctionne pas"
            description={`${failure ?? ""} ${
              meetingId && seekerPhone
                ? `Réessayez, ou continuez par téléphone, ci-dessous : faites rejoindre cet entretien à ${seekerName} par téléphone, ou passez l'entretien au téléphone.`
                : `Réessayez, ou passez au téléphone : vous appellerez ${seekerName}.`
            }`}
          />
          <Button priority="secondary" onClick={() => void join()}>
            Réessayer
          </Button>
        </>
      )}
      {dialIn && meetingId && <DialIn interview={interview} seekerName={seekerName} seekerPhone={seekerPhone} />}
    </>
  );
}

/**
 * Video that fails becomes a call in the same interview: the seeker's phone is dialled into the
 * running meeting (`POST /interviews/{id}/meeting/dial-in`), the interview stays a video one.
 */
function DialIn({ interview, seekerName, seekerPhone }: { interview: Interview; seekerName: string; seekerPhone: string | null }) {
  return (
    <div className="fr-mt-4w">
      <h3 className="fr-h6">Faire rejoindre l'entretien par téléphone</h3>
      {seekerPhone ? (
        <>
          <p>
            Si la vidéo ne marche pas pour {seekerName}, appelez son téléphone depuis cette page : le {frenchPhone(seekerPhone)} sonne et affiche le
            numéro de l'agence.
          </p>
          <p>
            En décrochant, la personne rejoint cet entretien par téléphone et sa voix passe dans la visioconférence ; « Passer au téléphone », plus
            bas, fait au contraire de l'entretien un entretien par téléphone, où vous l'appelez vous-même.
          </p>
          <CallPanel interview={interview} seekerName={seekerName} kind="dial-in" />
        </>
      ) : (
        <p>
          {seekerName} n'a pas de numéro de téléphone dans son profil : l'appel qui lui ferait rejoindre l'entretien ne peut pas partir. Écrivez-lui
          par la messagerie.
        </p>
      )}
    </div>
  );
}

function SwitchToPhone({ interview, seekerName }: { interview: Interview; seekerName: string }) {
  const switchChannel = useMutation({
    mutationFn: async () =>
      unwrap(
        await api().POST("/interviews/{interviewId}/channel", {
          params: { path: { interviewId: interview.interviewId } },
          body: { channel: "phone", reason: SWITCH_REASON },
        }),
      ),
    onSuccess: setInterview,
    onError: () => void queryClient.invalidateQueries({ queryKey: interviewKey(interview.interviewId) }),
  });
  return (
    <div className="fr-mt-3w">
      <p>
        La vidéo ne marche pas ? Passez l'entretien au téléphone : c'est vous qui appellerez {seekerName}, et sa page le lui dit aussitôt.
      </p>
      <Button disabled={switchChannel.isPending} onClick={() => switchChannel.mutate()}>
        Passer au téléphone
      </Button>
      {switchChannel.error && (
        <p className="fr-error-text" role="alert">
          {advisorError(switchChannel.error)}
        </p>
      )}
    </div>
  );
}

function PhoneCall({ interview: i, seekerName }: { interview: Interview; seekerName: string }) {
  const number = i.phone?.number;
  if (i.phone?.caller === "seeker") {
    return (
      <div role="status" className="fr-mt-4w">
        <CallOut title="Par téléphone : la personne appelle l'agence">
          {seekerName} appelle l'agence au {frenchPhone(i.phone.number)} à l'heure du rendez-vous : restez joignable sur cette ligne.
        </CallOut>
      </div>
    );
  }
  return (
    <>
      <div role="status" className="fr-mt-4w">
        <CallOut title="Par téléphone : c'est vous qui appelez">
          {number ? (
            <>
              Appelez {seekerName} au <a href={`tel:${number}`}>{frenchPhone(number)}</a>. {seekerName} attend votre appel et n'a pas à vous appeler.
              {i.status === "booked" &&
                ` Ou appelez depuis cette page : votre téléphone de poste sonne d'abord, puis celui de ${seekerName}, qui voit le numéro de l'agence.`}
            </>
          ) : (
            <>{seekerName} n'a pas de numéro de téléphone dans son profil : écrivez-lui par la messagerie.</>
          )}
        </CallOut>
      </div>
      {number && i.status === "booked" && <CallPanel interview={i} seekerName={seekerName} />}
    </>
  );
}

function EndMeeting({ interview }: { interview: Interview }) {
  const end = useMutation({
    mutationFn: async () => {
      unwrap(await api().DELETE("/interviews/{interviewId}/meeting", { params: { path: { interviewId: interview.interviewId } } }));
    },
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: interviewKey(interview.interviewId) }),
  });
  return (
    <div className="fr-mt-3w">
      <Button priority="secondary" disabled={end.isPending} onClick={() => end.mutate()}>
        Terminer la visioconférence pour tout le monde
      </Button>
      {end.error && (
        <p className="fr-error-text" role="alert">
          {advisorError(end.error)}
        </p>
      )}
    </div>
  );
}

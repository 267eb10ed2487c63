// The device check, shared by the seeker's video page and the advisor's interview room: the
// chosen camera and microphone opened with getUserMedia, the devices listed by name once the
// page may use them, and the microphone's level for a bar that moves when one speaks.
import { Select } from "@codegouvfr/react-dsfr/Select";
import { useEffect, useRef, useState } from "react";

export type LocalMedia = {
  stream: MediaStream | null;
  cameras: MediaDeviceInfo[];
  mics: MediaDeviceInfo[];
  /** 0–100. */
  level: number;
  error: string | null;
};

export const MEDIA_ERROR =
  "Votre caméra ou votre micro n'est pas accessible. Autorisez-les dans votre navigateur, ou vérifiez qu'aucune autre application ne les utilise.";

/** While `active`: the stream of the chosen devices ("" = the default one), and its sound level. */
export function useLocalMedia(active: boolean, camera: string, mic: string): LocalMedia {
  const [media, setMedia] = useState<LocalMedia>({ stream: null, cameras: [], mics: [], level: 0, error: null });

  useEffect(() => {
    if (!active) return;
    let cancelled = false;
    let raf = 0;
    let audio: AudioContext | undefined;
    let stream: MediaStream | undefined;
    (async () => {
      try {
        stream = await navigator.mediaDevices.getUserMedia({
          video: camera ? { deviceId: { exact: camera } } : true,
          audio: mic ? { deviceId: { exact: mic } } : true,
        });
        if (cancelled) {
          stream.getTracks().forEach((t) => t.stop());
          return;
        }
        const all = await navigator.mediaDevices.enumerateDevices();
        const s = stream;
        setMedia((m) => ({
          ...m,
          stream: s,
          cameras: all.filter((d) => d.kind === "videoinput"),
          mics: all.filter((d) => d.kind === "audioinput"),
          error: null,
        }));
        audio = new AudioContext();
        const analyser = audio.createAnalyser();
        audio.createMediaStreamSource(s).connect(analyser);
        const data = new Uint8Array(analyser.fftSize);
        const tick = () => {
          analyser.getByteTimeDomainData(data);
          let peak = 0;
          for (const v of data) peak = Math.max(peak, Math.abs(v - 128));
          const level = Math.min(100, Math.round((peak / 128) * 100));
          setMedia((m) => (m.level === level ? m : { ...m, level }));
          raf = requestAnimationFrame(tick);
        };
        tick();
      } catch {
        if (!cancelled) setMedia((m) => ({ ...m, stream: null, error: MEDIA_ERROR }));
      }
    })();
    return () => {
      cancelled = true;
      cancelAnimationFrame(raf);
      void audio?.close();
      stream?.getTracks().forEach((t) => t.stop());
      setMedia((m) => ({ ...m, stream: null, level: 0 }));
    };
  }, [active, camera, mic]);

  return media;
}

/** A muted <video> showing `stream` (my own image: never played back to me aloud). */
export function StreamPreview({ stream, label }: { stream: MediaStream | null; label: string }) {
  const video = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (video.current) video.current.srcObject = stream;
  }, [stream]);
  return <video ref={video} className="app-video" autoPlay muted playsInline aria-label={label} />;
}

/** The camera and microphone choices and the sound level bar. */
export function DeviceFields({
  media,
  camera,
  mic,
  onCamera,
  onMic,
}: {
  media: LocalMedia;
  camera: string;
  mic: string;
  onCamera: (deviceId: string) => void;
  onMic: (deviceId: string) => void;
}) {
  return (
    <>
      <Select label="Caméra" nativeSelectProps={{ value: camera, onChange: (e) => onCamera(e.target.value) }}>
        <option value="">Caméra par défaut</option>
        {media.cameras.map((d, n) => (
          <option key={d.deviceId || n} value={d.deviceId}>
            {d.label || `Caméra ${n + 1}`}
          </option>
        ))}
      </Select>
      <Select label="Micro" nativeSelectProps={{ value: mic, onChange: (e) => onMic(e.target.value) }}>
        <option value="">Micro par défaut</option>
        {media.mics.map((d, n) => (
          <option key={d.deviceId || n} value={d.deviceId}>
            {d.label || `Micro ${n + 1}`}
          </option>
        ))}
      </Select>
      <p id="level-label">Niveau du son de votre micro : parlez, la barre doit bouger.</p>
      <div className="app-level" role="meter" aria-labelledby="level-label" aria-valuemin={0} aria-valuemax={100} aria-valuenow={media.level}>
        <span style={{ width: `${media.level}%` }} />
      </div>
    </>
  );
}

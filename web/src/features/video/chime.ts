// The Chime SDK, imported by the video page only when a person joins: it is its own chunk.
import {
  ConsoleLogger,
  DefaultDeviceController,
  DefaultMeetingSession,
  LogLevel,
  MeetingSessionConfiguration,
  type AudioVideoObserver,
  type MeetingSessionStatus,
  type VideoTileState,
} from "amazon-chime-sdk-js";
import type { Schemas } from "../../lib/api/client";

export async function joinChime(
  join: Schemas["MeetingJoin"],
  options: {
    camera: string;
    mic: string;
    videoElement: HTMLVideoElement;
    audioElement: HTMLAudioElement;
    timeoutMs: number;
    onStarted: () => void;
    /** The other participant's video tile came (true) or went (false). */
    onRemoteVideo?: (shown: boolean) => void;
    onFailed: (status?: MeetingSessionStatus) => void;
  },
): Promise<{ stop: () => void }> {
  const logger = new ConsoleLogger("chime", LogLevel.ERROR);
  const devices = new DefaultDeviceController(logger);
  const configuration = new MeetingSessionConfiguration(join.meeting, join.attendee);
  const meeting = new DefaultMeetingSession(configuration, logger, devices);
  const av = meeting.audioVideo;
  let settled = false;
  const fail = (status?: MeetingSessionStatus) => {
    if (settled) return;
    settled = true;
    window.clearTimeout(timer);
    av.stop();
    options.onFailed(status);
  };
  const timer = window.setTimeout(() => fail(), options.timeoutMs);
  const observer: AudioVideoObserver = {
    audioVideoDidStart: () => {
      if (settled) return;
      settled = true;
      window.clearTimeout(timer);
      options.onStarted();
    },
    audioVideoDidStop: (status) => fail(status),
    videoTileDidUpdate: (tile: VideoTileState) => {
      if (!tile.localTile && tile.tileId !== null) {
        av.bindVideoElement(tile.tileId, options.videoElement);
        options.onRemoteVideo?.(true);
      }
    },
    videoTileWasRemoved: () => options.onRemoteVideo?.(false),
  };
  av.addObserver(observer);
  const mics = await av.listAudioInputDevices();
  const cameras = await av.listVideoInputDevices();
  await av.startAudioInput(options.mic || mics[0]?.deviceId || "default");
  if (cameras.length > 0) await av.startVideoInput(options.camera || cameras[0]!.deviceId);
  await av.bindAudioElement(options.audioElement);
  av.start();
  av.startLocalVideoTile();
  return {
    stop: () => {
      settled = true;
      window.clearTimeout(timer);
      av.stop();
    },
  };
}

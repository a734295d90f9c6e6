/**
 * The session-description-handler factory every line's user agent uses: it decides where a call's
 * outgoing audio comes from. The microphone is opened only for calls the agent takes or places; a
 * blocked caller's session gets the announcement clip's stream instead (SPEC §3.4: a blocked call
 * never opens the microphone).
 */
import { Web, type Session, type SessionDescriptionHandlerFactory } from 'sip.js';

/** Where the outgoing audio of a session comes from, asked when its media handler is made. */
export interface OutgoingAudioSource {
  /** The clip stream for a session that announces to a blocked caller, or null for the microphone. */
  announcementStream(session: Session): MediaStream | null;
  /** The chosen microphone, or null for the system default. */
  inputDeviceId(): string | null;
}

/** ICE gathering stops after this long: the lab and real PBXs give host candidates at once. */
export const DEFAULT_ICE_GATHERING_TIMEOUT_MS = 500;

/** `getUserMedia` audio constraints for the chosen microphone. */
export function microphoneConstraints(inputDeviceId: string | null): MediaTrackConstraints | boolean {
  return inputDeviceId ? { deviceId: { exact: inputDeviceId } } : true;
}

/** The handler configuration: sip.js defaults, with what the user agent was given laid over them. */
export function handlerConfiguration(factoryOptions: unknown): Web.SessionDescriptionHandlerConfiguration {
  const configured = (factoryOptions ?? {}) as Partial<Web.SessionDescriptionHandlerConfiguration>;
  return {
    iceGatheringTimeout: configured.iceGatheringTimeout ?? DEFAULT_ICE_GATHERING_TIMEOUT_MS,
    peerConnectionConfiguration: {
      ...Web.defaultPeerConnectionConfiguration(),
      ...(configured.peerConnectionConfiguration ?? {}),
    },
  };
}

export function createSessionDescriptionHandlerFactory(
  source: OutgoingAudioSource,
): SessionDescriptionHandlerFactory {
  const microphone: Web.MediaStreamFactory = (constraints) => {
    if (!constraints.audio) return Promise.resolve(new MediaStream());
    return navigator.mediaDevices.getUserMedia({
      audio: microphoneConstraints(source.inputDeviceId()),
      video: false,
    });
  };
  return (session, factoryOptions) => {
    const announcement = source.announcementStream(session);
    const mediaStreamFactory: Web.MediaStreamFactory = announcement
      ? () => Promise.resolve(announcement)
      : microphone;
    const logger = session.userAgent.getLogger('sip.SessionDescriptionHandler');
    return new Web.SessionDescriptionHandler(
      logger,
      mediaStreamFactory,
      handlerConfiguration(factoryOptions),
    );
  };
}

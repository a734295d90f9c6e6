/**
 * The session-description-handler factory every line's user agent uses: it decides where a call's
 * outgoing audio comes from. The microphone is opened only for calls the agent takes or places; a
 * blocked caller's session gets the announcement clip's stream instead (SPEC §3.4: a blocked call
 * never opens the microphone).
 */
import { SessionState, Web, type Session, type SessionDescriptionHandlerFactory } from 'sip.js';
import { browserGetUserMedia, openMicrophone } from './microphone';

export { microphoneConstraints } from './microphone';

/** Where the outgoing audio of a session comes from, asked when its media handler is made. */
export interface OutgoingAudioSource {
  /** The clip stream for a session that announces to a blocked caller, or null for the microphone. */
  announcementStream(session: Session): MediaStream | null;
  /** The chosen microphone, or null for the system default. */
  inputDeviceId(): string | null;
  /** The chosen microphone could not be opened for a call: the default one was (SPEC §10.5). */
  onMicrophoneFallback?(chosenDeviceId: string): void;
}

/**
 * sip.js's media handler with one more public door: the agent's microphone swapped on a live call
 * (SPEC §10.5). sip.js's own `setLocalMediaStream` replaces the sender's track and keeps its local
 * stream in step (the old track stopped), so a later re-INVITE (hold) does not reopen the old device.
 */
export class PhoneSessionDescriptionHandler extends Web.SessionDescriptionHandler {
  async replaceMicrophone(stream: MediaStream): Promise<void> {
    const previous = this.localMediaStream.getAudioTracks()[0];
    const next = stream.getAudioTracks()[0];
    // Muted or held stays so: the new track carries the old one's switch.
    if (previous && next) next.enabled = previous.enabled;
    await this.setLocalMediaStream(stream);
  }
}

/** ICE gathering stops after this long: the lab and real PBXs give host candidates at once. */
export const DEFAULT_ICE_GATHERING_TIMEOUT_MS = 500;

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
  const microphoneFor =
    (session: Session): Web.MediaStreamFactory =>
    async (constraints) => {
      if (!constraints.audio) return new MediaStream();
      const getUserMedia = browserGetUserMedia();
      if (!getUserMedia) throw new Error('this page cannot open a microphone (no secure context)');
      const chosen = source.inputDeviceId();
      const { stream, fellBack } = await openMicrophone(getUserMedia, chosen);
      if (fellBack && chosen !== null) source.onMicrophoneFallback?.(chosen);
      // Hung up during the microphone prompt: close the microphone again rather than leave it open.
      if (session.state === SessionState.Terminated) {
        for (const track of stream.getTracks()) track.stop();
        throw new Error('the call ended before the microphone opened');
      }
      return stream;
    };
  return (session, factoryOptions) => {
    const announcement = source.announcementStream(session);
    const mediaStreamFactory: Web.MediaStreamFactory = announcement
      ? () => Promise.resolve(announcement)
      : microphoneFor(session);
    const logger = session.userAgent.getLogger('sip.SessionDescriptionHandler');
    return new PhoneSessionDescriptionHandler(
      logger,
      mediaStreamFactory,
      handlerConfiguration(factoryOptions),
    );
  };
}

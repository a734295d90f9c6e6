/**
 * A number dialled with an extension (`(303) 555-0147 x 2041`, `…,,2041#`, SPEC §1.1a): the call goes
 * to the main number, and the extension follows as DTMF once the call connects, as a desk phone's
 * pause-dial does.
 */
import { SessionState, type Emitter } from 'sip.js';

/** One dialler comma: time for the far end's menu to start listening before the tones. */
export const EXTENSION_PAUSE_MS = 2000;

/** What this needs of a sip.js session: its state and the state's change events. */
export interface SessionStateSource {
  readonly state: SessionState;
  readonly stateChange: Emitter<SessionState>;
}

/**
 * Sends `extension` with `send` once `session` is established (after `pauseMs`), unless the call ends
 * first; a failure goes to `onError`, never to the call.
 */
export function dialExtensionOnConnect(
  session: SessionStateSource,
  extension: string,
  send: (tones: string) => Promise<void>,
  onError: (error: unknown) => void,
  pauseMs = EXTENSION_PAUSE_MS,
): void {
  const listener = (state: SessionState) => {
    if (state === SessionState.Terminated) {
      session.stateChange.removeListener(listener);
      return;
    }
    if (state !== SessionState.Established) return;
    session.stateChange.removeListener(listener);
    setTimeout(() => {
      if (session.state === SessionState.Established) send(extension).catch(onError);
    }, pauseMs);
  };
  session.stateChange.addListener(listener);
}

/**
 * Ending a call in whatever state it is in. A call the agent hangs up must end even while it is still
 * being set up: an incoming call after *Answer*, during the microphone prompt or ICE, gets a final error
 * response while no 200 has gone out, and a BYE as soon as sip.js has sent one — otherwise sip.js would
 * go on to connect a call the agent already hung up.
 */
import { Invitation, Inviter, SessionState, type Session } from 'sip.js';
import type { CallSession } from './call-registry';

export interface EndResponse {
  statusCode: number;
  reasonPhrase: string;
}

export const BUSY_HERE: EndResponse = { statusCode: 486, reasonPhrase: 'Busy Here' };
export const UNAVAILABLE: EndResponse = { statusCode: 480, reasonPhrase: 'Temporarily Unavailable' };
export const DECLINE: EndResponse = { statusCode: 603, reasonPhrase: 'Decline' };

/** Resolves with the state the session reaches first of Established and Terminated. */
function settled(session: Session): Promise<SessionState> {
  if (session.state === SessionState.Established || session.state === SessionState.Terminated)
    return Promise.resolve(session.state);
  return new Promise((resolve) => {
    const listener = (state: SessionState): void => {
      if (state !== SessionState.Established && state !== SessionState.Terminated) return;
      session.stateChange.removeListener(listener);
      resolve(state);
    };
    session.stateChange.addListener(listener);
  });
}

/**
 * Ends the session: BYE once established, CANCEL for an outgoing call still ringing, and for an
 * incoming one the final `response` (486 by default) — or, when its 200 is already on its way, BYE the
 * moment it is established.
 */
export async function endSession(session: CallSession, response: EndResponse = BUSY_HERE): Promise<void> {
  switch (session.state) {
    case SessionState.Established:
      await session.bye();
      return;
    case SessionState.Initial:
    case SessionState.Establishing:
      if (session instanceof Inviter) {
        await session.cancel();
        return;
      }
      if (session instanceof Invitation) {
        try {
          await session.reject(response);
          return;
        } catch {
          // The 200 has gone out (sip.js refuses a final response after it): hang up once it lands.
        }
        if ((await settled(session)) === SessionState.Established) await session.bye();
      }
      return;
    case SessionState.Terminating:
    case SessionState.Terminated:
      return;
  }
}

/** Ends a session whatever state it is in, ignoring errors (on shutdown, or after a failed announcement). */
export function endQuietly(session: CallSession): void {
  void endSession(session, DECLINE).catch(() => undefined);
}

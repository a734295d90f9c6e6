/**
 * What happens to a blocked call (SPEC §3.4, §3.5) once the decision is made: an inbound caller is
 * rejected with 603, or hears the announcement (as early media or in an answered call) and is then
 * released; a blocked outbound number plays its clip on this computer and never produces an INVITE.
 * Every path ends in exactly one `finished` report with its outcome.
 */
import { SessionState, type Invitation, type Session } from 'sip.js';
import { errorMessage } from '../../shared/error-message';
import type { AnnouncementAudio, OutgoingAnnouncement } from './announcement';
import { waitForMediaConnected } from './call-media';
import { newId } from './call-registry';
import { endQuietly } from './session-end';
import { invitesReliableProvisional } from './interception';
import type { BlockedCallEvent, BlockedCallFinished } from './types';

/** Tail kept after the clip before the final response, so the caller hears its end (measured ≈ 300 ms). */
export const ANNOUNCEMENT_TAIL_MS = 300;

export interface BlockedCallOptions {
  audio: AnnouncementAudio;
  /** The clip in force for each announcement right now (the org's own, or the built-in one). */
  clipUrl(kind: 'inbound' | 'outbound'): string;
  mediaConnectTimeoutMs: number;
  onBlocked(event: BlockedCallEvent): void;
  onFinished(finished: BlockedCallFinished): void;
  onError(context: string, error: unknown): void;
}

/** A blocked attempt as it is reported, stamped with a new id and the time. */
export function blockedCallEvent(fields: Omit<BlockedCallEvent, 'id' | 'at'>): BlockedCallEvent {
  return { id: newId('blocked'), ...fields, at: Date.now() };
}

/** The closing report of a blocked attempt. */
export function blockedCallFinished(
  event: BlockedCallEvent,
  outcome: string,
  playedMs: number,
  endedAt = Date.now(),
): BlockedCallFinished {
  return { id: event.id, handling: event.handling, outcome, playedMs, endedAt };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves once the session has terminated (or at once if it already has). */
export function whenTerminated(session: Session): Promise<void> {
  if (session.state === SessionState.Terminated) return Promise.resolve();
  return new Promise((resolve) => {
    const listener = (state: SessionState): void => {
      if (state !== SessionState.Terminated) return;
      session.stateChange.removeListener(listener);
      resolve();
    };
    session.stateChange.addListener(listener);
  });
}

export class BlockedCalls {
  /** Sessions whose outgoing audio is an announcement clip instead of a microphone. */
  private readonly announcementBySession = new WeakMap<Session, OutgoingAnnouncement>();

  constructor(private readonly options: BlockedCallOptions) {}

  /** The clip stream a blocked caller's session sends, or null for any other session. */
  announcementStream(session: Session): MediaStream | null {
    return this.announcementBySession.get(session)?.stream ?? null;
  }

  /** Handles a blocked INVITE as its event says: `reject`, `early-media` or `answer`. */
  inbound(invitation: Invitation, event: BlockedCallEvent): void {
    if (event.handling === 'reject') {
      // Answer first, bookkeeping after: the 603 is what the caller is waiting for.
      void invitation
        .reject({ statusCode: 603, reasonPhrase: 'Decline' })
        .then(() => this.finish(event, 'rejected', 0))
        .catch((error) => this.finish(event, `failed: ${errorMessage(error)}`, 0));
      this.options.onBlocked(event);
      return;
    }
    this.options.onBlocked(event);
    void this.announceToCaller(invitation, event).catch((error) => {
      this.options.onError('announcement to a blocked caller', error);
      this.finish(event, `failed: ${errorMessage(error)}`, 0);
      endQuietly(invitation);
    });
  }

  /** A blocked INVITE already answered 603 by the fast path (fast-reject.ts): only its reports. */
  rejectedBeforeParse(event: BlockedCallEvent): void {
    this.options.onBlocked(event);
    this.finish(event, 'rejected', 0);
  }

  /** A blocked outbound number: the clip plays here, no INVITE is ever sent. */
  outbound(event: BlockedCallEvent): void {
    this.options.onBlocked(event);
    void this.options.audio
      .playLocally(this.options.clipUrl('outbound'))
      .then((playedMs) => this.finish(event, 'announced', playedMs))
      .catch((error) => {
        this.options.onError('playing the outbound announcement', error);
        this.finish(event, `failed: ${errorMessage(error)}`, 0);
      });
  }

  private finish(event: BlockedCallEvent, outcome: string, playedMs: number): void {
    this.options.onFinished(blockedCallFinished(event, outcome, playedMs));
  }

  private async announceToCaller(invitation: Invitation, event: BlockedCallEvent): Promise<void> {
    const announcement = this.options.audio.createOutgoing(this.options.clipUrl('inbound'));
    this.announcementBySession.set(invitation, announcement);
    let callerLeft = false;
    void whenTerminated(invitation).then(() => {
      callerLeft = true;
      announcement.stop();
    });
    const sessionDescriptionHandlerOptions = { constraints: { audio: true, video: false } };
    try {
      if (event.handling === 'early-media') {
        // A 183 with SDP; reliable (PRACK) only when the caller supports or requires 100rel.
        await invitation.progress({
          statusCode: 183,
          reasonPhrase: 'Session Progress',
          rel100: invitesReliableProvisional(invitation.request),
          sessionDescriptionHandlerOptions,
        });
      } else {
        await invitation.accept({ sessionDescriptionHandlerOptions });
      }
      if (callerLeft) {
        this.finish(event, 'caller_left', 0);
        return;
      }
      await waitForMediaConnected(invitation, this.options.mediaConnectTimeoutMs);
      const playedMs = callerLeft ? 0 : await announcement.play();
      if (!callerLeft) await delay(ANNOUNCEMENT_TAIL_MS);
      if (callerLeft || invitation.state === SessionState.Terminated) {
        this.finish(event, 'caller_left', playedMs);
        return;
      }
      if (event.handling === 'early-media')
        await invitation.reject({ statusCode: 603, reasonPhrase: 'Decline' });
      else await invitation.bye();
      this.finish(event, 'announced', playedMs);
    } finally {
      announcement.stop();
    }
  }
}

/**
 * The in-call controls (SPEC §3.6): answer, decline, hang up, mute, hold, DTMF and blind transfer (its
 * progress followed in `transfer-progress.ts`). Each
 * takes a call id from the registry and changes the call through its sip.js session; what the UI sees
 * changes through the registry's snapshots. A new control goes here (or, when it needs state of its own
 * across calls, such as a consultation call or a conference, in its own module beside this one).
 */
import { Invitation, SessionState, UserAgent, Web } from 'sip.js';
import type { CallRegistry } from './call-registry';
import { decideOutbound } from './interception';
import { endSession } from './session-end';
import { sendTransfer, transferUnderWay } from './transfer-progress';
import type { CallPolicySource, Phone } from './types';

const DTMF_PATTERN = /^[0-9A-D#*,]+$/i;

/** Throws unless `tones` is a DTMF string (0-9, A-D, * and #, with `,` as a pause). */
export function assertDtmf(tones: string): void {
  if (!DTMF_PATTERN.test(tones)) throw new Error(`"${tones}" is not DTMF: use 0-9, A-D, * and #`);
}

/** SIP INFO bodies (application/dtmf-relay) for tones sent without RFC 4733; pauses are dropped. */
export function dtmfInfoBodies(tones: string): string[] {
  return [...tones.replace(/,/g, '')].map((tone) => `Signal=${tone}\r\nDuration=160`);
}

export type CallControls = Pick<
  Phone,
  'answer' | 'decline' | 'hangup' | 'mute' | 'hold' | 'switchTo' | 'sendDtmf' | 'transfer' | 'dismissTransfer'
>;

export function createCallControls(
  registry: CallRegistry,
  policy: CallPolicySource,
  onError: (context: string, error: unknown) => void = () => undefined,
): CallControls {
  /** Puts every other connected call on hold (a second call is answered, or the agent switches). */
  async function holdOthers(callId: string): Promise<void> {
    const others = registry
      .all()
      .filter((other) => other.snapshot.id !== callId && other.snapshot.state === 'connected');
    await Promise.all(others.map((other) => hold(other.snapshot.id, true)));
  }

  async function answer(callId: string): Promise<void> {
    const record = registry.require(callId);
    if (!(record.session instanceof Invitation)) throw new Error('only an incoming call can be answered');
    // Call waiting (SPEC §10.1): the live call goes on hold before the new one is answered.
    await holdOthers(callId);
    try {
      await record.session.accept({
        sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } },
      });
    } catch (error) {
      // Hung up while the answer was being set up: the call ended as the agent asked, not in error.
      if (record.snapshot.endReason === 'hangup') return;
      throw error;
    }
  }

  async function decline(callId: string): Promise<void> {
    const record = registry.require(callId);
    if (!(record.session instanceof Invitation)) throw new Error('only an incoming call can be declined');
    registry.update(record, { endReason: 'declined' });
    await record.session.reject({ statusCode: 486, reasonPhrase: 'Busy Here' });
  }

  async function hangup(callId: string): Promise<void> {
    const record = registry.require(callId);
    registry.update(record, { endReason: 'hangup' });
    await endSession(record.session);
  }

  function mute(callId: string, muted: boolean): void {
    const record = registry.require(callId);
    const handler = record.session.sessionDescriptionHandler;
    if (handler instanceof Web.SessionDescriptionHandler)
      handler.enableSenderTracks(!muted && !record.snapshot.held);
    registry.update(record, { muted });
  }

  async function hold(callId: string, held: boolean): Promise<void> {
    const record = registry.require(callId);
    const { session } = record;
    if (session.state !== SessionState.Established) throw new Error('only a connected call can be held');
    if (record.snapshot.held === held) return;
    const handler = session.sessionDescriptionHandler;
    if (!(handler instanceof Web.SessionDescriptionHandler)) throw new Error('the call has no media handler');
    const reInviteOptions: Web.SessionDescriptionHandlerOptions = {
      ...session.sessionDescriptionHandlerOptionsReInvite,
      hold: held,
    };
    session.sessionDescriptionHandlerOptionsReInvite = reInviteOptions;
    await new Promise<void>((resolve, reject) => {
      session
        .invite({
          requestDelegate: {
            onAccept: () => {
              handler.enableReceiverTracks(!held);
              handler.enableSenderTracks(!held && !record.snapshot.muted);
              registry.update(record, { held });
              resolve();
            },
            onReject: (response) =>
              reject(
                new Error(`hold refused: ${response.message.statusCode} ${response.message.reasonPhrase}`),
              ),
          },
        })
        .catch(reject);
    });
  }

  async function switchTo(callId: string): Promise<void> {
    const record = registry.require(callId);
    if (record.session.state !== SessionState.Established)
      throw new Error('only a connected call can be resumed');
    await holdOthers(callId);
    await hold(callId, false);
  }

  async function sendDtmf(callId: string, tones: string): Promise<void> {
    assertDtmf(tones);
    const record = registry.require(callId);
    const { session } = record;
    if (session.state !== SessionState.Established) throw new Error('DTMF needs a connected call');
    const handler = session.sessionDescriptionHandler;
    // RFC 4733 telephone-events in the media when negotiated, SIP INFO otherwise.
    if (handler instanceof Web.SessionDescriptionHandler && handler.sendDtmf(tones)) return;
    for (const content of dtmfInfoBodies(tones)) {
      await session.info({
        requestOptions: {
          body: { contentDisposition: 'render', contentType: 'application/dtmf-relay', content },
        },
      });
    }
  }

  async function transfer(callId: string, target: string): Promise<void> {
    const record = registry.require(callId);
    if (record.session.state !== SessionState.Established)
      throw new Error('only a connected call can be transferred');
    if (transferUnderWay(record)) throw new Error('a transfer of this call is already under way');
    const outcome = decideOutbound(target, record.line.account.lineNumber, record.line.domain, policy);
    if (outcome.kind === 'refused') throw new Error(outcome.message);
    // A transfer is a call placed for the agent: the outbound list applies to it too.
    if (outcome.kind === 'block') throw new Error(`transfer blocked: ${outcome.decision.explanation}`);
    const uri = UserAgent.makeURI(outcome.target);
    if (!uri) throw new Error(`cannot transfer to "${target}"`);
    // The caller waits on hold while the transfer is tried, as in RFC 5589's basic transfer; resumed if it fails.
    let heldByTransfer = false;
    if (!record.snapshot.held) {
      // A far end that refuses the hold may still follow the REFER: the transfer goes on without it.
      heldByTransfer = await hold(callId, true).then(
        () => true,
        (error: unknown) => {
          onError('holding a call before its transfer', error);
          return false;
        },
      );
    }
    await sendTransfer({
      registry,
      record,
      kind: 'blind',
      target: target.trim(),
      number: outcome.kind === 'allow' ? outcome.number : null,
      referTo: uri,
      onSucceeded: () => {
        if (!registry.get(callId)) return;
        registry.update(record, { endReason: 'transferred' });
        void endSession(record.session).catch((error: unknown) =>
          onError('ending a transferred call', error),
        );
      },
      onFailed: () => {
        // The call stays the agent's: live again, unless the agent has moved on to another live call.
        const otherLive = registry
          .all()
          .some((other) => other !== record && other.snapshot.state === 'connected' && !other.snapshot.held);
        if (!heldByTransfer || otherLive || record.session.state !== SessionState.Established) return;
        hold(callId, false).catch((error: unknown) => onError('resuming after a failed transfer', error));
      },
      onError,
    });
  }

  function dismissTransfer(callId: string): void {
    const record = registry.require(callId);
    if (record.snapshot.transfer?.state === 'failed') registry.update(record, { transfer: null });
  }

  return { answer, decline, hangup, mute, hold, switchTo, sendDtmf, transfer, dismissTransfer };
}

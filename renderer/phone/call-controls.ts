/**
 * The in-call controls (SPEC §3.6): answer, decline, hang up, mute, hold, DTMF and blind transfer. Each
 * takes a call id from the registry and changes the call through its sip.js session; what the UI sees
 * changes through the registry's snapshots. A new control goes here (or, when it needs state of its own
 * across calls, such as a consultation call or a conference, in its own module beside this one).
 */
import { Invitation, Inviter, SessionState, UserAgent, Web } from 'sip.js';
import type { CallRegistry } from './call-registry';
import { decideOutbound } from './interception';
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
  'answer' | 'decline' | 'hangup' | 'mute' | 'hold' | 'sendDtmf' | 'transfer'
>;

export function createCallControls(registry: CallRegistry, policy: CallPolicySource): CallControls {
  async function answer(callId: string): Promise<void> {
    const record = registry.require(callId);
    if (!(record.session instanceof Invitation)) throw new Error('only an incoming call can be answered');
    await record.session.accept({
      sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } },
    });
  }

  async function decline(callId: string): Promise<void> {
    const record = registry.require(callId);
    if (!(record.session instanceof Invitation)) throw new Error('only an incoming call can be declined');
    registry.update(record, { endReason: 'declined' });
    await record.session.reject({ statusCode: 486, reasonPhrase: 'Busy Here' });
  }

  async function hangup(callId: string): Promise<void> {
    const record = registry.require(callId);
    const { session } = record;
    registry.update(record, { endReason: 'hangup' });
    if (session.state === SessionState.Established) await session.bye();
    else if (session instanceof Inviter) await session.cancel();
    else if (session.state === SessionState.Initial)
      await session.reject({ statusCode: 486, reasonPhrase: 'Busy Here' });
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
    const outcome = decideOutbound(target, record.line.account.lineNumber, record.line.domain, policy);
    if (outcome.kind === 'refused') throw new Error(outcome.message);
    // A transfer is a call placed for the agent: the outbound list applies to it too.
    if (outcome.kind === 'block') throw new Error(`transfer blocked: ${outcome.decision.explanation}`);
    const uri = UserAgent.makeURI(outcome.target);
    if (!uri) throw new Error(`cannot transfer to "${target}"`);
    await record.session.refer(uri);
  }

  return { answer, decline, hangup, mute, hold, sendDtmf, transfer };
}

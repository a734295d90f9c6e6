/**
 * Being transferred: the other side of a live call sends a REFER asking this phone to call someone
 * else. Without a delegate sip.js would accept any REFER and dial the target by itself — a call that
 * skips the outbound decision (SPEC §3.5), gets no call record and opens the microphone. Here the target
 * is decided like a dialled number: blocked or invalid → `403` and the agent is told; allowed (or an
 * emergency number) → `202` and an ordinary outbound call with its record.
 */
import type { Inviter, Referral } from 'sip.js';
import { blockedCallEvent } from './blocked-call';
import type { CallRecord } from './call-registry';
import { decideOutbound } from './interception';
import type { BlockedCallEvent, CallPolicySource, TransferRefusedEvent } from './types';

/** What the outbound call to the REFER's target starts with. */
export interface ReferredCall {
  dialed: string;
  number: string | null;
  emergency: boolean;
  /** An extension to send as DTMF once the call connects (a dialled `… x 2041`; never from a REFER). */
  extension?: string;
}

export interface InboundReferOptions {
  policy: CallPolicySource;
  /** Sends the referred call's INVITE and tracks it like any placed call. */
  dial(record: CallRecord, inviter: Inviter, call: ReferredCall): void;
  onBlocked(event: BlockedCallEvent): void;
  onRefused(event: TransferRefusedEvent): void;
  onError(context: string, error: unknown): void;
}

const FORBIDDEN = { statusCode: 403, reasonPhrase: 'Forbidden' };

/** The Refer-To target as a dialable string: the URI without its headers (`?Replaces=…`), or null. */
export function referTarget(referral: Pick<Referral, 'referTo'>): string | null {
  try {
    const uri = referral.referTo.uri.clone();
    uri.clearHeaders();
    return uri.toString();
  } catch {
    return null;
  }
}

/** The Refer-To URI's user part (what people call the number), or the whole target. */
function shownTarget(referral: Referral, target: string): string {
  try {
    return referral.referTo.uri.user ?? target;
  } catch {
    return target;
  }
}

/** Gives every call's session a REFER delegate that decides the target first. */
export function handleInboundRefers(record: CallRecord, options: InboundReferOptions): void {
  const { session } = record;
  session.delegate = {
    ...session.delegate,
    onRefer: (referral) => {
      try {
        decide(record, referral, options);
      } catch (error) {
        // Never follow a REFER we could not decide.
        options.onError('inbound REFER', error);
        void referral.reject(FORBIDDEN).catch(() => undefined);
      }
    },
  };
}

function decide(record: CallRecord, referral: Referral, options: InboundReferOptions): void {
  const { line } = record;
  const target = referTarget(referral);
  const refuse = (message: string) => {
    void referral.reject(FORBIDDEN).catch((error) => options.onError('refusing a REFER', error));
    options.onRefused({ callId: record.snapshot.id, target: target ?? '', message });
  };
  if (target === null) return refuse('The transfer target could not be read.');
  const outcome = decideOutbound(target, line.account.lineNumber, line.domain, options.policy);
  if (outcome.kind === 'refused') return refuse(outcome.message);
  const dialed = shownTarget(referral, target);
  if (outcome.kind === 'block') {
    // A transfer is a call placed for the agent: the outbound list applies, and the attempt is counted.
    options.onBlocked(
      blockedCallEvent({
        sipCallId: null,
        direction: 'outbound',
        accountId: line.account.id,
        line: line.account.lineNumber,
        decision: outcome.decision,
        identity: null,
        dialed,
        handling: 'reject',
      }),
    );
    return refuse(`Transfer to ${dialed} refused: ${outcome.decision.explanation}`);
  }
  void referral
    .accept()
    .then(() => {
      const inviter = referral.makeInviter({
        sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } },
      });
      options.dial(record, inviter, {
        dialed,
        number: outcome.kind === 'allow' ? outcome.number : null,
        emergency: outcome.kind === 'emergency',
      });
    })
    .catch((error) => options.onError('following a REFER', error));
}

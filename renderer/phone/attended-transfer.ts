/**
 * Attended transfer (SPEC §10.2): from a live call the agent consults someone (the first call goes on
 * hold, the consultation call is placed like any dialled number), then either completes — a REFER with
 * Replaces sends the held party to the consulted one, and both of the agent's legs end once the NOTIFY
 * reports success (a failure leaves both legs, the held call's `transfer` saying why; see
 * `transfer-progress.ts`) — or cancels: the consultation call ends and the first call resumes. The pairing of
 * the two legs lives in their snapshots (`consultCallId` / `consultFor`), so the UI can show it.
 */
import { SessionState } from 'sip.js';
import type { CallControls } from './call-controls';
import type { CallRecord, CallRegistry } from './call-registry';
import { endSession } from './session-end';
import { decideOutbound } from './interception';
import { sendTransfer, transferUnderWay } from './transfer-progress';
import type { CallPolicySource, Phone, PlaceCallResult } from './types';

export type AttendedTransfer = Pick<Phone, 'consult' | 'completeTransfer' | 'cancelConsult'>;

export interface AttendedTransferDeps {
  registry: CallRegistry;
  policy: CallPolicySource;
  controls: Pick<CallControls, 'hold'>;
  /** The phone's own placeCall: the outbound decision, the local announcement, the call record. */
  placeCall(dialed: string, options: { accountId: string }): Promise<PlaceCallResult>;
  onError(context: string, error: unknown): void;
}

export function createAttendedTransfer(deps: AttendedTransferDeps): AttendedTransfer {
  const { registry } = deps;

  /** The two legs of a consultation, from either one's id. */
  function legs(callId: string): { held: CallRecord; consultation: CallRecord } {
    const record = registry.require(callId);
    const heldId = record.snapshot.consultFor ?? callId;
    const held = registry.require(heldId);
    const consultId = held.snapshot.consultCallId;
    const consultation = consultId ? registry.get(consultId) : undefined;
    if (!consultation) throw new Error('this call has no consultation call');
    return { held, consultation };
  }

  /** When either leg ends, the other forgets the pairing (a transfer under way keeps its own watch). */
  function unpairOnEnd(held: CallRecord, consultation: CallRecord): void {
    const unpair = () => {
      if (registry.get(held.snapshot.id)) registry.update(held, { consultCallId: null });
      if (registry.get(consultation.snapshot.id)) registry.update(consultation, { consultFor: null });
    };
    for (const { session } of [held, consultation]) {
      session.stateChange.addListener((state) => {
        if (state === SessionState.Terminated) unpair();
      });
    }
  }

  async function consult(callId: string, target: string): Promise<PlaceCallResult> {
    const held = registry.require(callId);
    if (held.session.state !== SessionState.Established)
      throw new Error('only a connected call can be transferred');
    if (held.snapshot.consultCallId || held.snapshot.consultFor || held.snapshot.conferenceId)
      throw new Error('this call is already part of a consultation or a conference');
    // A target the outbound decision refuses or blocks is handed straight to placeCall, which refuses it
    // or announces it locally (SPEC §3.5): the first call is never put on hold for a call that never goes out.
    const line = held.line.account;
    const outcome = decideOutbound(target, line.lineNumber, held.line.domain, deps.policy);
    if (outcome.kind === 'refused' || outcome.kind === 'block')
      return deps.placeCall(target, { accountId: line.id });
    await deps.controls.hold(callId, true);
    const result = await deps.placeCall(target, { accountId: held.snapshot.accountId });
    const consultation = result.kind === 'placed' ? registry.get(result.callId) : undefined;
    if (!consultation) {
      // Refused or blocked (announced locally, never dialled), or over at once: the first call resumes.
      await deps.controls.hold(callId, false);
      return result;
    }
    registry.update(held, { consultCallId: consultation.snapshot.id });
    registry.update(consultation, { consultFor: held.snapshot.id });
    unpairOnEnd(held, consultation);
    return result;
  }

  async function completeTransfer(callId: string): Promise<void> {
    const { held, consultation } = legs(callId);
    if (consultation.session.state !== SessionState.Established)
      throw new Error('the consultation call is not connected yet');
    if (held.session.state !== SessionState.Established) throw new Error('the held call is over');
    if (transferUnderWay(held)) throw new Error('this transfer is already under way');
    await sendTransfer({
      registry,
      record: held,
      kind: 'attended',
      target: consultation.snapshot.remote,
      number: consultation.snapshot.number,
      referTo: consultation.session,
      onSucceeded: () => {
        // The held party now talks to the consulted one: the agent leaves both calls.
        for (const leg of [held, consultation]) {
          if (!registry.get(leg.snapshot.id)) continue;
          registry.update(leg, { endReason: 'transferred' });
          void endSession(leg.session).catch((error: unknown) =>
            deps.onError('ending a transferred leg', error),
          );
        }
      },
      // Both legs stay as they are (held + consultation): the agent can try again or cancel.
      onFailed: () => undefined,
      onError: deps.onError,
    });
  }

  async function cancelConsult(callId: string): Promise<void> {
    const { held, consultation } = legs(callId);
    registry.update(consultation, { endReason: 'hangup' });
    // The agent has acted on a failed transfer: its notice goes with the consultation.
    if (held.snapshot.transfer?.state === 'failed') registry.update(held, { transfer: null });
    await endSession(consultation.session);
    if (held.session.state === SessionState.Established) await deps.controls.hold(held.snapshot.id, false);
  }

  return { consult, completeTransfer, cancelConsult };
}

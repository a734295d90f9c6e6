import type { CallSnapshot } from '../phone/types';
import { usePhoneController } from '../app/controller';
import { displayNumber } from '../app/format';
import { useBlocklist, useCalls } from '../app/stores';
import { ongoingCalls } from '../stores/calls';
import { Button } from '../ui';

/**
 * On a call card: what joins this call with another — attended transfer (SPEC §10.2: *Complete
 * transfer* / *Cancel consultation* on the consultation call, a note on the held one) and the three-way
 * conference (§10.3: *Merge calls* when two calls are connected, *Leave conference* on its legs). Plain
 * snapshots only; `run` reports failures on the card.
 */
export function CallJoinControls({
  call,
  run,
}: {
  call: CallSnapshot;
  run: (action: () => Promise<void> | void) => void;
}) {
  const controller = usePhoneController();
  const calls = useCalls((state) => state.calls);
  const country = useBlocklist((state) => state.data?.settings.defaultCountry ?? 'US');
  const nameOf = (other: CallSnapshot | undefined) =>
    other ? (other.number ? displayNumber(other.number, country) : other.remote) : 'the other call';
  const connected = ongoingCalls(calls).filter((other) => other.state === 'connected');

  if (call.conferenceId) {
    return (
      <div className="bl-call__join" role="group" aria-label="Conference">
        <span className="bl-call__join-note">In a conference: everyone hears everyone</span>
        <Button variant="danger" onClick={() => run(() => controller.leaveConference(call.id))}>
          Leave conference
        </Button>
      </div>
    );
  }
  if (call.consultCallId) {
    // While the transfer is tried, or once it failed, the card's transfer notice says so instead.
    if (call.transfer) return null;
    return (
      <p className="bl-call__join-note" role="status">
        On hold while you consult {nameOf(calls[call.consultCallId])}
      </p>
    );
  }
  if (call.consultFor) {
    const held = calls[call.consultFor];
    const live = call.state === 'connected';
    const trying = held?.transfer?.state === 'trying';
    return (
      <div className="bl-call__join" role="group" aria-label="Attended transfer">
        <span className="bl-call__join-note">Consulting for {nameOf(held)}</span>
        <Button disabled={!live || trying} onClick={() => run(() => controller.completeTransfer(call.id))}>
          Complete transfer
        </Button>
        <Button onClick={() => run(() => controller.cancelConsult(call.id))}>Cancel consultation</Button>
        <Button disabled={!live} onClick={() => run(() => controller.merge(call.id))}>
          Merge into conference
        </Button>
      </div>
    );
  }
  // Two connected calls (one held): the live one offers to merge them.
  if (call.state === 'connected' && !call.held && connected.length === 2) {
    return (
      <div className="bl-call__join" role="group" aria-label="Conference">
        <Button onClick={() => run(() => controller.merge(call.id))}>Merge calls</Button>
      </div>
    );
  }
  return null;
}

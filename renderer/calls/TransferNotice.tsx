import type { CallSnapshot } from '../phone/types';
import { usePhoneController } from '../app/controller';
import { displayNumber } from '../app/format';
import { useBlocklist } from '../app/stores';
import { Button } from '../ui';

/** The sentence a failed transfer leaves on the card: what failed, why (with the code), and who is still there. */
export function transferFailedText(call: CallSnapshot, shownTarget: string): string {
  const transfer = call.transfer;
  if (!transfer) return '';
  const who = call.direction === 'inbound' ? 'The caller' : 'The other party';
  // Fixed once shown (an alert read out twice is worse): the blind call's resume shows in its status.
  const still =
    transfer.kind === 'attended'
      ? `${who} is still on this call, on hold: complete the transfer again, or cancel the consultation.`
      : `${who} is still on this call.`;
  return `Transfer to ${shownTarget} failed: ${transfer.detail ?? 'the outcome is unknown'}. ${still}`;
}

/**
 * On a call card: a transfer of this call under way ("Transferring to …", a polite status) or failed
 * (an alert, read out at once: the agent must know the caller is still there), with *Dismiss*.
 */
export function TransferNotice({ call }: { call: CallSnapshot }) {
  const controller = usePhoneController();
  const country = useBlocklist((state) => state.data?.settings.defaultCountry ?? 'US');
  const transfer = call.transfer;
  if (!transfer || call.state !== 'connected') return null;
  const target = transfer.number ? displayNumber(transfer.number, country) : transfer.target;
  if (transfer.state === 'trying') {
    return (
      <p className="bl-call__join-note" role="status">
        Transferring to {target}…
      </p>
    );
  }
  return (
    <div className="bl-call__transfer-failed">
      <p role="alert">{transferFailedText(call, target)}</p>
      <Button
        aria-label="Dismiss the transfer notice"
        onClick={(event) => {
          // The button goes with the notice: focus moves to the card's Transfer button, not the page.
          const card = event.currentTarget.closest('article');
          controller.dismissTransfer(call.id);
          card?.querySelector<HTMLElement>('[data-transfer-toggle]')?.focus();
        }}
      >
        Dismiss
      </Button>
    </div>
  );
}

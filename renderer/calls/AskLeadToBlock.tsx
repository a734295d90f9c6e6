import { useState, type FormEvent } from 'react';
import { REASON_MAX_LENGTH } from '../../shared/rules';
import { displayNumber } from '../app/format';
import { useBlocklist, useStores } from '../app/stores';
import { errorText } from '../settings/errors';
import { Button, Dialog, TextField } from '../ui';

/**
 * SPEC §7.1b for those who may not manage the list: *Ask a lead to block* sends the number and a reason
 * to the leads' inbox. The call (if any) goes on; nothing is blocked until a lead approves.
 */
export function AskLeadToBlock({ number, size }: { number: string; size?: 'small' }) {
  const country = useBlocklist((state) => state.data?.settings.defaultCountry ?? 'US');
  const [open, setOpen] = useState(false);
  const shown = displayNumber(number, country);
  return (
    <>
      <Button
        size={size}
        variant="ghost"
        aria-haspopup="dialog"
        // Named from the visible text plus the number, so each history row's button is told apart.
        aria-label={size === 'small' ? `Ask a lead to block ${shown}` : undefined}
        onClick={() => setOpen(true)}
      >
        Ask a lead to block
      </Button>
      {open && <AskLeadDialog number={number} shown={shown} onClose={() => setOpen(false)} />}
    </>
  );
}

function AskLeadDialog({ number, shown, onClose }: { number: string; shown: string; onClose(): void }) {
  const { inbox } = useStores();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [sending, setSending] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const trimmed = reason.trim();
    if (trimmed === '') return setError('Say why, so the lead can decide');
    if (trimmed.length > REASON_MAX_LENGTH)
      return setError(`The reason must be at most ${REASON_MAX_LENGTH} characters`);
    setSending(true);
    const result = await inbox.getState().ask({ number, reason: trimmed });
    setSending(false);
    if (!result.ok) return setError(errorText(result));
    setDone(
      result.value.alreadyAsked
        ? `The leads were already asked to block ${shown} (by ${result.value.request.requestedBy.name}); they will decide.`
        : `Sent: the leads will see ${shown} in their inbox. It is not blocked until one of them approves.`,
    );
  };
  return (
    <Dialog
      open
      onClose={onClose}
      title={`Ask a lead to block ${shown}`}
      footer={
        done ? (
          <Button variant="primary" onClick={onClose}>
            Done
          </Button>
        ) : (
          <>
            <Button onClick={onClose}>Cancel</Button>
            <Button type="submit" form="ask-lead-form" variant="primary" disabled={sending}>
              {sending ? 'Sending…' : 'Send to the leads'}
            </Button>
          </>
        )
      }
    >
      {done ? (
        <p role="status">{done}</p>
      ) : (
        <form id="ask-lead-form" className="bl-form" onSubmit={(event) => void submit(event)} noValidate>
          <TextField
            label="Why should it be blocked?"
            value={reason}
            onChange={(event) => {
              setReason(event.target.value);
              setError(null);
            }}
            counter={`${reason.trim().length} / ${REASON_MAX_LENGTH}`}
            error={error}
          />
        </form>
      )}
    </Dialog>
  );
}

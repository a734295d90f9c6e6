import { useState, type FormEvent } from 'react';
import { displayNumber } from '../app/format';
import { useBlocklist, useStores } from '../app/stores';
import { BlockFields } from '../settings/BlockFields';
import { checkReason } from '../settings/block-input';
import { errorText } from '../settings/errors';
import { Button, FormDialog } from '../ui';

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
    const checked = checkReason(reason, 'Say why, so the lead can decide');
    if (!checked.ok) return setError(checked.message);
    setSending(true);
    const result = await inbox.getState().ask({ number, reason: checked.reason });
    setSending(false);
    if (!result.ok) return setError(errorText(result));
    setDone(
      result.value.alreadyAsked
        ? `The leads were already asked to block ${shown} (by ${result.value.request.requestedBy.name}); they will decide.`
        : `Sent: the leads will see ${shown} in their inbox. It is not blocked until one of them approves.`,
    );
  };
  return (
    <FormDialog
      title={`Ask a lead to block ${shown}`}
      onClose={onClose}
      formId="ask-lead-form"
      onSubmit={(event) => void submit(event)}
      submit={{ label: sending ? 'Sending…' : 'Send to the leads', variant: 'primary', disabled: sending }}
      done={done}
    >
      <BlockFields
        reasonLabel="Why should it be blocked?"
        reason={reason}
        onReason={(value) => {
          setReason(value);
          setError(null);
        }}
        error={error}
      />
    </FormDialog>
  );
}

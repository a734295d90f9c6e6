import { useState, type FormEvent } from 'react';
import type { Line } from '../../shared/contracts/api';
import { displayNumber } from '../app/format';
import { useWriteAccess } from '../app/permissions';
import { useBlocklist, useStores } from '../app/stores';
import { BlockFields } from '../settings/BlockFields';
import { checkBlockInput } from '../settings/block-input';
import { errorText } from '../settings/errors';
import type { ExpiryChoice } from '../settings/expiry';
import { FormDialog } from '../ui';

const NO_LINES: readonly Line[] = [];

/**
 * SPEC §7.1a: block the number of a call or history entry, with a reason and an optional expiry. From a
 * live call (*Block and hang up*) `onBlocked` ends the call once the rule exists.
 */
export function BlockNumberDialog({
  number,
  onClose,
  onBlocked,
  submitLabel = 'Block this number',
}: {
  number: string;
  onClose(): void;
  onBlocked?(): void;
  submitLabel?: string;
}) {
  const { blocklist } = useStores();
  const country = useBlocklist((state) => state.data?.settings.defaultCountry ?? 'US');
  const lines = useBlocklist((state) => state.data?.lines ?? NO_LINES);
  const [scope, setScope] = useState<string>('all');
  const access = useWriteAccess();
  const [reason, setReason] = useState('');
  const [expiry, setExpiry] = useState<ExpiryChoice>('never');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const checked = checkBlockInput(reason, expiry, Date.now());
    if (!checked.ok) return setError(checked.message);
    setSaving(true);
    const result = await blocklist.getState().createRule({
      number,
      reason: checked.reason,
      kind: 'block',
      scope,
      expiresAt: checked.expiresAt,
      source: 'history',
    });
    setSaving(false);
    if (result.ok) {
      const where = lines.find((line) => line.number === scope);
      setDone(
        where === undefined
          ? `${displayNumber(number, country)} is blocked for the whole organization.`
          : `${displayNumber(number, country)} is blocked on ${where.label}.`,
      );
      onBlocked?.();
    } else setError(errorText(result));
  };
  const shown = displayNumber(number, country);
  return (
    <FormDialog
      title={`Block ${shown}`}
      onClose={onClose}
      formId="block-number-form"
      onSubmit={(event) => void submit(event)}
      submit={{
        label: saving ? 'Blocking…' : submitLabel,
        variant: 'danger',
        disabled: !access.allowed || saving,
      }}
      done={done}
    >
      <BlockFields
        reason={reason}
        onReason={(value) => {
          setReason(value);
          setError(null);
        }}
        error={error}
        expiry={{ choice: expiry, onChoice: setExpiry }}
        scope={
          lines.length > 0
            ? { label: 'Applies to', value: scope, lines, country, onChange: setScope }
            : undefined
        }
      />
      {access.reason && <p className="bl-field__hint">{access.reason}</p>}
    </FormDialog>
  );
}

import { useState, type FormEvent } from 'react';
import type { Line } from '../../shared/contracts/api';
import { REASON_MAX_LENGTH } from '../../shared/rules';
import { displayNumber } from '../app/format';
import { useWriteAccess } from '../app/permissions';
import { useBlocklist, useStores } from '../app/stores';
import { errorText } from '../settings/errors';
import { expiryFromChoice, type ExpiryChoice } from '../settings/expiry';
import { ExpiryField, scopeOptions } from '../settings/ScopeAndExpiry';
import { Button, Dialog, Select, TextField } from '../ui';

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
    const trimmed = reason.trim();
    if (trimmed === '') return setError('A reason is required');
    if (trimmed.length > REASON_MAX_LENGTH)
      return setError(`The reason must be at most ${REASON_MAX_LENGTH} characters`);
    const expiresAt = expiryFromChoice(expiry, '', Date.now());
    if (!expiresAt.ok) return setError(expiresAt.message);
    setSaving(true);
    const result = await blocklist.getState().createRule({
      number,
      reason: trimmed,
      kind: 'block',
      scope,
      expiresAt: expiresAt.expiresAt,
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
    <Dialog
      open
      onClose={onClose}
      title={`Block ${shown}`}
      footer={
        done ? (
          <Button variant="primary" onClick={onClose}>
            Done
          </Button>
        ) : (
          <>
            <Button onClick={onClose}>Cancel</Button>
            <Button
              type="submit"
              form="block-number-form"
              variant="danger"
              disabled={!access.allowed || saving}
            >
              {saving ? 'Blocking…' : submitLabel}
            </Button>
          </>
        )
      }
    >
      {done ? (
        <p role="status">{done}</p>
      ) : (
        <form id="block-number-form" className="bl-form" onSubmit={(event) => void submit(event)} noValidate>
          <TextField
            label="Reason"
            value={reason}
            onChange={(event) => {
              setReason(event.target.value);
              setError(null);
            }}
            counter={`${reason.trim().length} / ${REASON_MAX_LENGTH}`}
            error={error}
          />
          <ExpiryField quick choice={expiry} date="" onChoice={setExpiry} onDate={() => undefined} />
          {lines.length > 0 && (
            <Select
              label="Applies to"
              value={scope}
              options={scopeOptions(lines, country)}
              onChange={setScope}
            />
          )}
          {access.reason && <p className="bl-field__hint">{access.reason}</p>}
        </form>
      )}
    </Dialog>
  );
}

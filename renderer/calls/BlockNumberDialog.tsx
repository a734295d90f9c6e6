import { useState, type FormEvent } from 'react';
import type { Line } from '../../shared/contracts/api';
import { displayNumber } from '../app/format';
import { useWriteAccess } from '../app/permissions';
import { useBlocklist, useStores } from '../app/stores';
import { BlockFields } from '../settings/BlockFields';
import { useBlockForm } from '../settings/useBlockForm';
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
  const access = useWriteAccess();
  const form = useBlockForm();
  const [done, setDone] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const sent = await form.submit((input) =>
      blocklist.getState().createRule({ number, ...input, kind: 'block', source: 'history' }),
    );
    if (sent === null) return;
    const where = lines.find((line) => line.number === sent.input.scope);
    setDone(
      where === undefined
        ? `${displayNumber(number, country)} is blocked for the whole organization.`
        : `${displayNumber(number, country)} is blocked on ${where.label}.`,
    );
    onBlocked?.();
  };
  const shown = displayNumber(number, country);
  return (
    <FormDialog
      title={`Block ${shown}`}
      onClose={onClose}
      formId="block-number-form"
      onSubmit={(event) => void submit(event)}
      submit={{
        label: form.saving ? 'Blocking…' : submitLabel,
        variant: 'danger',
        disabled: !access.allowed || form.saving,
      }}
      done={done}
    >
      <BlockFields
        {...form.fields}
        scope={
          lines.length > 0
            ? { label: 'Applies to', value: form.scope, lines, country, onChange: form.setScope }
            : undefined
        }
      />
      {access.reason && <p className="bl-field__hint">{access.reason}</p>}
    </FormDialog>
  );
}

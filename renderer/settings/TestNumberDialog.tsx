import { useState, type FormEvent } from 'react';
import type { Line, TestNumberResponse } from '../../shared/contracts/api';
import type { WriteOutcome } from '../app/api';
import { describeScope, displayNumber } from '../app/format';
import { Button, Dialog, Select, TextField } from '../ui';
import { errorText } from './errors';
import { formatTypedNumber } from './AddRuleDialog';

export interface TestNumberDialogProps {
  open: boolean;
  onClose(): void;
  country: string;
  lines: readonly Line[];
  onTest(number: string, line: string | undefined): Promise<WriteOutcome<TestNumberResponse>>;
}

/** SPEC §2.6: the verdict the apps would reach now, and the rule or policy that decides it. */
export function TestNumberDialog({ open, onClose, country, lines, onTest }: TestNumberDialogProps) {
  const [number, setNumber] = useState('');
  const [line, setLine] = useState(lines[0]?.number ?? '');
  const [result, setResult] = useState<TestNumberResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (number.trim() === '') return setError('Enter a number to test');
    setBusy(true);
    setError(null);
    const outcome = await onTest(number.trim(), line === '' ? undefined : line);
    setBusy(false);
    if (outcome.ok) setResult(outcome.value);
    else {
      setResult(null);
      setError(errorText(outcome));
    }
  };

  const lineOptions = [
    { value: '', label: 'Any line' },
    ...lines.map((candidate) => ({
      value: candidate.number,
      label: describeScope(candidate.number, lines, country),
    })),
  ];
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title="Test a number"
      footer={<Button onClick={onClose}>Close</Button>}
    >
      <form className="bl-form" onSubmit={(event) => void submit(event)} noValidate>
        <TextField
          label="Number"
          value={number}
          inputMode="tel"
          autoComplete="off"
          onChange={(event) =>
            setNumber(
              event.target.value.length < number.length
                ? event.target.value
                : formatTypedNumber(event.target.value, country),
            )
          }
          error={error}
        />
        <Select label="Line" options={lineOptions} value={line} onChange={setLine} />
        <Button type="submit" variant="primary" disabled={busy}>
          {busy ? 'Testing…' : 'Test'}
        </Button>
      </form>
      {result && (
        <section
          className={`bl-verdict bl-verdict--${result.action}`}
          aria-live="polite"
          data-testid="verdict"
        >
          <p className="bl-verdict__title">
            {result.action === 'block' ? 'Blocked' : 'Allowed'}
            {result.number ? `: ${displayNumber(result.number, country)}` : ''}
          </p>
          <p>{result.explanation}</p>
          {result.rule && (
            <p className="bl-muted">
              Deciding rule: {result.rule.kind === 'block' ? 'block' : 'exception'}{' '}
              {displayNumber(result.rule.number, country)} on{' '}
              {describeScope(result.rule.scope, lines, country)} — “{result.rule.reason}”
            </p>
          )}
          {!result.rule && <p className="bl-muted">Decided by: {describeWhy(result.why)}</p>}
        </section>
      )}
    </Dialog>
  );
}

function describeWhy(why: string): string {
  const known: Record<string, string> = {
    no_match: 'no rule matches',
    anonymous: 'the “Block anonymous callers” setting',
    failed_verification: 'the “Block calls that failed verification” setting',
    emergency: 'emergency numbers are never blocked',
    callback_window: 'the emergency call-back window',
    not_a_number: 'not a phone number',
  };
  return known[why] ?? why;
}

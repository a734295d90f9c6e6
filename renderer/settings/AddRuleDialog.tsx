import { useMemo, useState, type FormEvent } from 'react';
import type { Line } from '../../shared/contracts/api';
import { isEmergencyNumber } from '../../shared/emergency';
import {
  extensionNote,
  createAsYouTypeFormatter,
  isSupportedCountryCode,
  normalizeNumberOrPrefix,
} from '../../shared/numbers';
import { REASON_MAX_LENGTH, type Rule, type RuleCreateInput, type RuleKind } from '../../shared/rules';
import type { WriteOutcome } from '../app/api';
import { displayNumber } from '../app/format';
import { Button, Dialog, Select, TextField } from '../ui';
import { errorText, fieldOfError } from './errors';
import { expiryFromChoice, type ExpiryChoice } from './expiry';
import { ExpiryField, scopeOptions } from './ScopeAndExpiry';

type Field = 'number' | 'reason' | 'scope' | 'kind' | 'expiresAt';
const FIELDS: readonly Field[] = ['number', 'reason', 'scope', 'kind', 'expiresAt'];

export interface AddRuleDialogProps {
  open: boolean;
  onClose(): void;
  country: string;
  lines: readonly Line[];
  disabledReason: string | null;
  onCreate(input: RuleCreateInput): Promise<WriteOutcome<Rule>>;
}

/** Validates typed text the way the server will, so most mistakes are explained before sending. */
export function validateNumberInput(
  text: string,
  country: string,
): { ok: true; normalized: string; note?: string } | { ok: false; message: string } {
  if (text.trim() === '') return { ok: false, message: 'Enter a number or a prefix such as +1900*' };
  if (!isSupportedCountryCode(country)) return { ok: true, normalized: text.trim() };
  if (isEmergencyNumber(text.replace(/\*\s*$/, ''), country)) {
    return { ok: false, message: `${text.trim()} is an emergency number: it can never be blocked` };
  }
  const result = normalizeNumberOrPrefix(text, country);
  if (!result.ok) return { ok: false, message: result.message };
  if (result.kind === 'prefix') return { ok: true, normalized: result.prefix };
  return result.extension === undefined
    ? { ok: true, normalized: result.e164 }
    : { ok: true, normalized: result.e164, note: extensionNote(result.extension) };
}

/** Formats as the user types, except prefixes (the `*` must stay where it was typed). */
export function formatTypedNumber(text: string, country: string): string {
  if (text.includes('*') || !isSupportedCountryCode(country) || /[a-z@]/i.test(text)) return text;
  return createAsYouTypeFormatter(country).format(text);
}

export function AddRuleDialog({
  open,
  onClose,
  country,
  lines,
  disabledReason,
  onCreate,
}: AddRuleDialogProps) {
  const [number, setNumber] = useState('');
  const [kind, setKind] = useState<RuleKind>('block');
  const [reason, setReason] = useState('');
  const [scope, setScope] = useState('all');
  const [expiry, setExpiry] = useState<ExpiryChoice>('never');
  const [date, setDate] = useState('');
  const [touched, setTouched] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [saving, setSaving] = useState(false);
  const [created, setCreated] = useState<string | null>(null);

  const numberCheck = useMemo(() => validateNumberInput(number, country), [number, country]);
  const reasonLength = reason.trim().length;

  const reset = () => {
    setNumber('');
    setReason('');
    setExpiry('never');
    setDate('');
    setTouched(false);
    setErrors({});
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    setCreated(null);
    const next: Partial<Record<Field, string>> = {};
    if (!numberCheck.ok) next.number = numberCheck.message;
    if (reasonLength === 0) next.reason = 'A reason is required';
    else if (reasonLength > REASON_MAX_LENGTH)
      next.reason = `The reason must be at most ${REASON_MAX_LENGTH} characters`;
    const expiresAt = expiryFromChoice(expiry, date, Date.now());
    if (!expiresAt.ok) next.expiresAt = expiresAt.message;
    setErrors(next);
    if (Object.keys(next).length > 0 || !expiresAt.ok) return;
    setSaving(true);
    const result = await onCreate({
      number: number.trim(),
      kind,
      reason: reason.trim(),
      scope,
      expiresAt: expiresAt.expiresAt,
    });
    setSaving(false);
    if (result.ok) {
      setCreated(
        `${kind === 'block' ? 'Blocked' : 'Exception added for'} ${displayNumber(result.value.number, country)}`,
      );
      reset();
    } else {
      setErrors({ [fieldOfError(result, FIELDS, 'number')]: errorText(result) });
    }
  };

  const disabled = disabledReason !== null || saving;
  const numberError = errors.number ?? (touched && !numberCheck.ok ? numberCheck.message : null);
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title="Add a number"
      footer={
        <>
          <Button onClick={onClose}>Close</Button>
          <Button variant="primary" type="submit" form="add-rule-form" disabled={disabled}>
            {saving ? 'Saving…' : kind === 'block' ? 'Block number' : 'Add exception'}
          </Button>
        </>
      }
    >
      <form id="add-rule-form" className="bl-form" onSubmit={(event) => void submit(event)} noValidate>
        {created && (
          <p className="bl-success" role="status">
            {created}
          </p>
        )}
        <TextField
          label="Number or prefix"
          value={number}
          autoComplete="off"
          inputMode="tel"
          placeholder="+1 212 555 1234 or +1900*"
          disabled={disabled}
          onChange={(event) => {
            const typed = event.target.value;
            // Reformatting while deleting would re-add the separators being deleted.
            setNumber(typed.length < number.length ? typed : formatTypedNumber(typed, country));
            setErrors((current) => ({ ...current, number: undefined }));
          }}
          onBlur={() => number !== '' && setTouched(true)}
          error={numberError}
          hint={
            numberCheck.ok
              ? `Saved as ${numberCheck.normalized}${numberCheck.note === undefined ? '' : ` (${numberCheck.note})`}`
              : `A number, or a prefix ending in * (national form like 900* is read in ${country})`
          }
        />
        <fieldset className="bl-radio-group">
          <legend className="bl-field__label">Kind</legend>
          <label>
            <input
              type="radio"
              name="kind"
              value="block"
              checked={kind === 'block'}
              disabled={disabled}
              onChange={() => setKind('block')}
            />{' '}
            Block
          </label>
          <label>
            <input
              type="radio"
              name="kind"
              value="allow"
              checked={kind === 'allow'}
              disabled={disabled}
              onChange={() => setKind('allow')}
            />{' '}
            Exception (always allow)
          </label>
          {errors.kind && <span className="bl-field__error">{errors.kind}</span>}
        </fieldset>
        <TextField
          label="Reason"
          value={reason}
          disabled={disabled}
          onChange={(event) => {
            setReason(event.target.value);
            setErrors((current) => ({ ...current, reason: undefined }));
          }}
          counter={`${reasonLength} / ${REASON_MAX_LENGTH}`}
          error={
            errors.reason ??
            (reasonLength > REASON_MAX_LENGTH
              ? `${reasonLength - REASON_MAX_LENGTH} characters too many`
              : null)
          }
        />
        <Select
          label="Scope"
          options={scopeOptions(lines, country)}
          value={scope}
          disabled={disabled}
          onChange={setScope}
          error={errors.scope}
        />
        <ExpiryField
          choice={expiry}
          date={date}
          onChoice={setExpiry}
          onDate={setDate}
          error={errors.expiresAt}
          disabled={disabled}
        />
        {disabledReason && <p className="bl-field__hint">{disabledReason}</p>}
      </form>
    </Dialog>
  );
}

import type { Line } from '../../shared/contracts/api';
import { REASON_MAX_LENGTH } from '../../shared/rules';
import { Select, TextField } from '../ui';
import type { ExpiryChoice } from './expiry';
import { ExpiryField, scopeOptions } from './ScopeAndExpiry';

export interface BlockFieldsProps {
  /** The reason field's label; "Reason" unless the form asks it as a question. */
  reasonLabel?: string;
  reason: string;
  /** The reason as typed; the form clears its error here. */
  onReason(reason: string): void;
  error: string | null;
  /** Focus the reason when the form appears (an inline form; a Dialog focuses its first field itself). */
  autoFocus?: boolean;
  /** The quick expiry (forever, 1 day, 7 days, 30 days); left out where nothing is blocked yet. */
  expiry?: { choice: ExpiryChoice; onChoice(choice: ExpiryChoice): void };
  /**
   * The lines the rule applies to. `beforeExpiry` keeps the lead inbox's order (reason, lines, expiry),
   * which its keyboard users tab through.
   */
  scope?: {
    label: string;
    value: string;
    lines: readonly Line[];
    country: string;
    onChange(value: string): void;
    beforeExpiry?: boolean;
  };
}

/**
 * The fields of every quick block form (SPEC §7.1a, §7.1b): the reason with its live counter, and
 * where the rule is made at once, its expiry and its lines.
 */
export function BlockFields({
  reasonLabel = 'Reason',
  reason,
  onReason,
  error,
  autoFocus,
  expiry,
  scope,
}: BlockFieldsProps) {
  const scopeField = scope && (
    <Select
      label={scope.label}
      value={scope.value}
      options={scopeOptions(scope.lines, scope.country)}
      onChange={scope.onChange}
    />
  );
  return (
    <>
      <TextField
        label={reasonLabel}
        value={reason}
        autoFocus={autoFocus}
        onChange={(event) => onReason(event.target.value)}
        counter={`${reason.trim().length} / ${REASON_MAX_LENGTH}`}
        error={error}
      />
      {scope?.beforeExpiry === true && scopeField}
      {expiry && (
        <ExpiryField
          quick
          choice={expiry.choice}
          date=""
          onChoice={expiry.onChoice}
          onDate={() => undefined}
        />
      )}
      {scope?.beforeExpiry !== true && scopeField}
    </>
  );
}

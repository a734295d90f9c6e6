import type { Line } from '../../shared/contracts/api';
import { displayNumber } from '../app/format';
import { Select, TextField } from '../ui';
import { EXPIRY_OPTIONS, isExpiryChoice, type ExpiryChoice } from './expiry';

export function scopeOptions(lines: readonly Line[], country: string) {
  return [
    { value: 'all', label: 'All lines' },
    ...lines.map((line) => ({
      value: line.number,
      label: `${line.label} (${displayNumber(line.number, country)})`,
    })),
  ];
}

export interface ExpiryFieldProps {
  choice: ExpiryChoice;
  date: string;
  onChoice(choice: ExpiryChoice): void;
  onDate(date: string): void;
  error?: string | null;
  disabled?: boolean;
  /** Limit to the choices of the quick "Block this number" prompt (no date). */
  quick?: boolean;
}

export function ExpiryField({ choice, date, onChoice, onDate, error, disabled, quick }: ExpiryFieldProps) {
  const options = quick
    ? EXPIRY_OPTIONS.filter((option) => option.value !== 'date').map((option) =>
        option.value === 'never' ? { ...option, label: 'Forever' } : option,
      )
    : EXPIRY_OPTIONS;
  return (
    <div className="bl-field-group">
      <Select
        label="Expires"
        options={options}
        value={choice}
        disabled={disabled}
        onChange={(value) => onChoice(isExpiryChoice(value) ? value : 'never')}
        error={choice === 'date' ? null : error}
      />
      {choice === 'date' && (
        <TextField
          label="End date"
          type="date"
          value={date}
          disabled={disabled}
          onChange={(event) => onDate(event.target.value)}
          error={error}
        />
      )}
    </div>
  );
}

/** Expiry choices for a rule (SPEC §7.1): 1 day, 7 days, 30 days, a date, or never. */
export type ExpiryChoice = 'never' | '1d' | '7d' | '30d' | 'date';

export const EXPIRY_OPTIONS: readonly { value: ExpiryChoice; label: string }[] = [
  { value: 'never', label: 'Never' },
  { value: '1d', label: '1 day' },
  { value: '7d', label: '7 days' },
  { value: '30d', label: '30 days' },
  { value: 'date', label: 'On a date…' },
];

const DAY_MS = 24 * 60 * 60 * 1000;

export type ExpiryResult = { ok: true; expiresAt: string | null } | { ok: false; message: string };

/**
 * The `expiresAt` for a choice; `date` is a `YYYY-MM-DD` from a date input, meaning the end of that
 * day in this machine's time zone.
 */
export function expiryFromChoice(choice: ExpiryChoice, date: string, nowMs: number): ExpiryResult {
  switch (choice) {
    case 'never':
      return { ok: true, expiresAt: null };
    case '1d':
      return { ok: true, expiresAt: new Date(nowMs + DAY_MS).toISOString() };
    case '7d':
      return { ok: true, expiresAt: new Date(nowMs + 7 * DAY_MS).toISOString() };
    case '30d':
      return { ok: true, expiresAt: new Date(nowMs + 30 * DAY_MS).toISOString() };
    case 'date': {
      const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
      if (!match) return { ok: false, message: 'Pick the date the rule should end' };
      const end = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]), 23, 59, 59);
      if (Number.isNaN(end.getTime())) return { ok: false, message: `${date} is not a date` };
      if (end.getTime() <= nowMs) return { ok: false, message: 'The end date must be in the future' };
      return { ok: true, expiresAt: end.toISOString() };
    }
  }
}

export function isExpiryChoice(value: string): value is ExpiryChoice {
  return EXPIRY_OPTIONS.some((option) => option.value === value);
}

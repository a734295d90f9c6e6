/**
 * Searching and filtering the call history (SPEC §10.10). Pure: the history view and the benchmark use
 * the same functions. A number matches however it is typed — `+1 212 555 1234`, `(212) 555-1234`,
 * `2125551234`, a UK `020 7946 0958` — because each entry's number is indexed both as E.164 digits and
 * as the national form with its trunk prefix; anything with a letter in it searches the name.
 */
import type { HistoryEntry } from '../../shared/contracts/ipc';
import {
  countryCallingCodeOf,
  isSupportedCountryCode,
  nationalPrefixOf,
  toAsciiDigits,
} from '../../shared/numbers';

export const HISTORY_FILTERS = ['all', 'missed', 'blocked', 'inbound', 'outbound'] as const;
export type HistoryFilter = (typeof HISTORY_FILTERS)[number];

export function isHistoryFilter(value: unknown): value is HistoryFilter {
  return typeof value === 'string' && (HISTORY_FILTERS as readonly string[]).includes(value);
}

interface SearchKey {
  country: string;
  /** E.164 digits, and for the org's own country also a space and the national form's digits. */
  digits: string;
  name: string;
}

// Entries are immutable snapshots: their keys are computed once, whatever the list is re-sorted into.
const keys = new WeakMap<HistoryEntry, SearchKey>();
const nationalForms = new Map<string, { callingCode: string; trunkPrefix: string } | null>();

/** The org country's calling code and trunk prefix (`44`, `0`): a national number is trunk + the rest. */
function nationalForm(country: string): { callingCode: string; trunkPrefix: string } | null {
  if (!nationalForms.has(country))
    nationalForms.set(
      country,
      isSupportedCountryCode(country)
        ? { callingCode: countryCallingCodeOf(country), trunkPrefix: nationalPrefixOf(country) ?? '' }
        : null,
    );
  return nationalForms.get(country) ?? null;
}

// No libphonenumber formatting here: at ≈ 100 µs a number it would stall the first search of 10,000.
function searchKey(entry: HistoryEntry, country: string): SearchKey {
  const known = keys.get(entry);
  if (known?.country === country) return known;
  const e164Digits = (entry.number ?? '').replace(/\D/g, '');
  const national = nationalForm(country);
  const digits =
    national && e164Digits.startsWith(national.callingCode)
      ? `${e164Digits} ${national.trunkPrefix}${e164Digits.slice(national.callingCode.length)}`
      : e164Digits;
  const key = { country, digits, name: entry.display.toLowerCase() };
  keys.set(entry, key);
  return key;
}

/** Index the keys ahead of the first keystroke (after a load), so typing never pays for it. */
export function warmHistorySearch(entries: readonly HistoryEntry[], country: string): void {
  for (const entry of entries) searchKey(entry, country);
}

function matchesFilter(entry: HistoryEntry, filter: HistoryFilter): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'missed':
      return entry.result === 'missed';
    case 'blocked':
      return entry.result === 'blocked';
    case 'inbound':
    case 'outbound':
      return entry.direction === filter;
  }
}

/** A query compiled once per keystroke. */
function compile(query: string): ((key: SearchKey) => boolean) | null {
  const trimmed = query.trim();
  if (trimmed === '') return null;
  const ascii = toAsciiDigits(trimmed);
  if (/\p{L}/u.test(ascii)) {
    const name = ascii.toLowerCase();
    return (key) => key.name.includes(name);
  }
  const digits = ascii.replace(/\D/g, '');
  // Punctuation only ("+", "(") matches nothing rather than everything.
  if (digits === '') return () => false;
  return (key) => key.digits.includes(digits);
}

export function queryHistory(
  entries: readonly HistoryEntry[],
  query: string,
  filter: HistoryFilter,
  country: string,
): HistoryEntry[] {
  const matches = compile(query);
  if (!matches && filter === 'all') return entries.slice();
  return entries.filter(
    (entry) => matchesFilter(entry, filter) && (!matches || matches(searchKey(entry, country))),
  );
}

/** Missed calls that started after `seenAt` (epoch ms; the agent last looked at the history then). */
export function unseenMissedCount(entries: readonly HistoryEntry[], seenAtMs: number): number {
  let count = 0;
  for (const entry of entries)
    if (entry.result === 'missed' && Date.parse(entry.startedAt) > seenAtMs) count += 1;
  return count;
}

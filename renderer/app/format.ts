import { formatForDisplay, isSupportedCountryCode } from '../../shared/numbers';
import type { Line } from '../../shared/contracts/api';
import type { RuleScope } from '../../shared/rules';

/** Formatting parses with libphonenumber: cached, since a scrolling list shows the same numbers again. */
const displayCache = new Map<string, string>();
const DISPLAY_CACHE_LIMIT = 20_000;

/** A stored number (or prefix) as people read it in the org's country. */
export function displayNumber(e164: string | null, country: string): string {
  if (e164 === null) return 'Unknown';
  const key = `${country}:${e164}`;
  const cached = displayCache.get(key);
  if (cached !== undefined) return cached;
  const shown = isSupportedCountryCode(country) ? formatForDisplay(e164, country) : e164;
  if (displayCache.size >= DISPLAY_CACHE_LIMIT) displayCache.clear();
  displayCache.set(key, shown);
  return shown;
}

export function describeScope(scope: RuleScope, lines: readonly Line[], country: string): string {
  if (scope === 'all') return 'All lines';
  const line = lines.find((candidate) => candidate.number === scope);
  const number = displayNumber(scope, country);
  return line ? `${line.label} (${number})` : number;
}

/** "in 6 d 23 h", "in 42 min", "expired". */
export function describeRemaining(expiresAt: string, nowMs: number): string {
  const ms = Date.parse(expiresAt) - nowMs;
  if (ms <= 0) return 'expired';
  const minutes = Math.ceil(ms / 60_000);
  if (minutes < 60) return `in ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `in ${hours} h ${minutes % 60} min`;
  return `in ${Math.floor(hours / 24)} d ${hours % 24} h`;
}

function dateTime(iso: string, withYear: boolean): string {
  return new Date(iso).toLocaleString('en-US', {
    ...(withYear ? { year: 'numeric' } : {}),
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** A call's time in a list: the year only when it is not this year's ("Dec 2, 05:05 AM"). */
export function formatCallTime(iso: string, now: Date = new Date()): string {
  return dateTime(iso, new Date(iso).getFullYear() !== now.getFullYear());
}

export function formatDateTime(iso: string): string {
  return dateTime(iso, true);
}

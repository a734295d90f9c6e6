/**
 * Calendar days, hours and weekdays in an org's time zone (IANA names, through Intl, which knows the DST
 * rules): the dashboard's buckets (the server files each blocked call under its local hour, and both ends
 * count days alike) and the auto-block's working hours.
 */
import type { Weekday } from './settings';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
      hourCycle: 'h23',
    });
    if (formatters.size > 100) formatters.clear();
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

function localParts(ms: number, timeZone: string): LocalParts {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(ms))) {
    if (part.type !== 'literal' && part.type !== 'weekday') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: (parts.hour ?? 0) % 24,
    minute: parts.minute ?? 0,
  };
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** `YYYY-MM-DDTHH`: the local hour an instant falls in. */
export function localHourKey(ms: number, timeZone: string): string {
  const p = localParts(ms, timeZone);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}`;
}

/** `YYYY-MM-DD`: the local day an instant falls in. */
export function localDateOf(ms: number, timeZone: string): string {
  return localHourKey(ms, timeZone).slice(0, 10);
}

const WEEKDAY_BY_SHORT_NAME: Record<string, Weekday> = {
  Mon: 'mon',
  Tue: 'tue',
  Wed: 'wed',
  Thu: 'thu',
  Fri: 'fri',
  Sat: 'sat',
  Sun: 'sun',
};

/** Weekday and wall-clock `HH:MM` of an instant in a time zone. */
export function localWeekdayAndTime(ms: number, timeZone: string): { weekday: Weekday; time: string } {
  const parts = formatterFor(timeZone).formatToParts(new Date(ms));
  const part = (type: Intl.DateTimeFormatPartTypes): string =>
    parts.find((p) => p.type === type)?.value ?? '';
  const weekday = WEEKDAY_BY_SHORT_NAME[part('weekday')];
  if (weekday === undefined) throw new Error(`unexpected weekday ${JSON.stringify(part('weekday'))}`);
  const hour = String(Number(part('hour')) % 24).padStart(2, '0');
  return { weekday, time: `${hour}:${part('minute').padStart(2, '0')}` };
}

/** A `YYYY-MM-DD` day moved by whole days (calendar arithmetic, no time zone involved). */
export function addDays(date: string, days: number): string {
  const ms = Date.parse(`${date}T00:00:00Z`) + days * 86_400_000;
  return new Date(ms).toISOString().slice(0, 10);
}

/** Days from `from` to `to` (0 when equal). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** 0 = Monday … 6 = Sunday. */
export function weekdayOf(date: string): number {
  return (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;
}

/** 0 = Monday 00:00 … 167 = Sunday 23:00, for a `YYYY-MM-DDTHH` hour key. */
export function hourOfWeek(hourKey: string): number {
  return weekdayOf(hourKey.slice(0, 10)) * 24 + Number(hourKey.slice(11, 13));
}

/** The instant a local day begins (its first existing minute, across a DST gap). */
export function startOfLocalDay(date: string, timeZone: string): number {
  const target = Date.parse(`${date}T00:00:00Z`);
  // The zone's offset at a guess, then once more at the corrected instant (DST moves it by an hour).
  let guess = target;
  for (let attempt = 0; attempt < 3; attempt++) {
    const p = localParts(guess, timeZone);
    const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
    const next = guess + (target - asUtc);
    if (next === guess) break;
    guess = next;
  }
  return guess;
}

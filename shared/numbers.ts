/**
 * Phone number normalization (SPEC §1): every number the app stores or compares is E.164, whatever form
 * a person typed or a SIP header carried. Pure: runs unchanged in Node, the browser and Electron.
 */
import {
  AsYouType,
  ParseError,
  getCountryCallingCode,
  isSupportedCountry,
  parsePhoneNumberWithError,
  validatePhoneNumberLength,
} from 'libphonenumber-js/max';
import type { CountryCode, NumberingPlan, PhoneNumber } from 'libphonenumber-js/max';
import { Metadata } from 'libphonenumber-js/core';
import metadataJson from 'libphonenumber-js/max/metadata';
import { numberRunsOf, withoutInvisibles } from './pasted-text';
import type { NumberRun } from './pasted-text';
import { E164_PATTERN } from './rules';
import {
  dialStringOf,
  extractDialInput,
  stripVisualSeparators,
  toAsciiDigits,
  toDialString,
} from './dial-input';

export {
  extractDialInput,
  stripVisualSeparators,
  toAsciiDigits,
  toDialString,
  type DialInput,
} from './dial-input';

export { extensionNote } from './pasted-text';

export type { CountryCode } from 'libphonenumber-js/max';

export type NormalizeFailure =
  | 'empty'
  | 'not_a_number'
  | 'too_short'
  | 'too_long'
  | 'invalid_country_code'
  | 'invalid_for_country'
  | 'two_numbers';

export type NumberOrPrefixFailure = NormalizeFailure | 'prefix_too_short';

/** `extension`: digits written after the number (`x 2041`, `;ext=2041`, `,,2041#`), not part of it (§1.1a). */
export type NormalizeResult =
  { ok: true; e164: string; extension?: string } | { ok: false; reason: NormalizeFailure; message: string };

export type NumberOrPrefixResult =
  | { ok: true; kind: 'number'; e164: string; extension?: string }
  | { ok: true; kind: 'prefix'; prefix: string }
  | { ok: false; reason: NumberOrPrefixFailure; message: string };

export interface NormalizeOptions {
  /**
   * Accept a number of a possible length whose digits the country's numbering plan does not assign
   * (`+1 200 555 1234`). The call path wants this: spoofed callers use such numbers, and a prefix rule
   * must still match them. People adding rules do not: there the number is refused.
   */
  acceptUnassigned?: boolean;
}

/** Longer input is refused before any parsing work: no phone number needs more. */
const MAX_INPUT_LENGTH = 256;
/** A prefix rule needs at least this many digits after `+` (SPEC §2.1a). */
export const MIN_PREFIX_DIGITS = 3;
/** A prefix as long as a whole E.164 number would cover just that number. */
const MAX_PREFIX_DIGITS = 14;

export function isE164(s: string): boolean {
  return E164_PATTERN.test(s);
}

export function isSupportedCountryCode(country: string): country is CountryCode {
  return isSupportedCountry(country);
}

/** The country calling code without `+`: `US` → `1`, `GB` → `44`. */
export function countryCallingCodeOf(country: CountryCode): string {
  return getCountryCallingCode(country);
}

// ---------------------------------------------------------------------------------------------------------
// Normalization.

type Classification =
  | { status: 'valid'; e164: string }
  | { status: 'unassigned'; e164: string }
  | { status: 'failed'; reason: NormalizeFailure };

/**
 * Recent E.164 strings and what libphonenumber said about them: the call path sees the same numbers
 * again, and an import's service re-checks what its pre-check just parsed. Two generations instead of an
 * exact LRU: deleting a Map's oldest entry on every miss left V8 skipping ever more holes to find the next
 * oldest, which made a 100,000-number import spend more time in the cache than in libphonenumber.
 */
const E164_CACHE_GENERATION = 5000;
let e164Cache = new Map<string, Classification>();
let e164CacheOlder = new Map<string, Classification>();

function cachedClassification(e164: string): Classification {
  const hit = e164Cache.get(e164);
  if (hit !== undefined) return hit;
  const computed = e164CacheOlder.get(e164) ?? classify(e164, undefined);
  if (e164Cache.size >= E164_CACHE_GENERATION) {
    e164CacheOlder = e164Cache;
    e164Cache = new Map();
  }
  e164Cache.set(e164, computed);
  return computed;
}

const PARSE_ERROR_REASONS: Record<string, NormalizeFailure> = {
  INVALID_COUNTRY: 'invalid_country_code',
  NOT_A_NUMBER: 'not_a_number',
  TOO_SHORT: 'too_short',
  TOO_LONG: 'too_long',
};

/** `dial` is `+`digits or digits only; `country` is used for digits without `+`. */
function classify(dial: string, country: CountryCode | undefined): Classification {
  let parsed: PhoneNumber;
  try {
    parsed = parsePhoneNumberWithError(dial, country);
  } catch (error) {
    const reason = error instanceof ParseError ? PARSE_ERROR_REASONS[error.message] : undefined;
    return { status: 'failed', reason: reason ?? 'not_a_number' };
  }
  if (parsed.isValid()) return { status: 'valid', e164: parsed.number };
  switch (validatePhoneNumberLength(dial, country)) {
    case 'TOO_SHORT':
      return { status: 'failed', reason: 'too_short' };
    case 'TOO_LONG':
      return { status: 'failed', reason: 'too_long' };
    case 'INVALID_COUNTRY':
      return { status: 'failed', reason: 'invalid_country_code' };
    case 'NOT_A_NUMBER':
      return { status: 'failed', reason: 'not_a_number' };
    case 'INVALID_LENGTH':
      return { status: 'failed', reason: 'invalid_for_country' };
    default:
      return { status: 'unassigned', e164: parsed.number };
  }
}

function quoteInput(input: string): string {
  const oneLine = input.replace(/\s+/g, ' ').trim();
  return JSON.stringify(oneLine.length > 60 ? `${oneLine.slice(0, 57)}...` : oneLine);
}

function failureMessage(input: string, reason: NumberOrPrefixFailure, country: CountryCode): string {
  const shown = quoteInput(input);
  switch (reason) {
    case 'empty':
      return input.trim() === ''
        ? 'No number was given: the input is empty.'
        : `${shown} contains no number.`;
    case 'not_a_number':
      return `${shown} is not a phone number: use digits, optionally with a leading + and spaces, dashes, dots or parentheses.`;
    case 'too_short':
      return `${shown} is too short to be a phone number.`;
    case 'too_long':
      return `${shown} is too long to be a phone number.`;
    case 'invalid_country_code':
      return `${shown} does not start with a valid country calling code.`;
    case 'invalid_for_country':
      return `${shown} is not a valid phone number: no number is assigned with these digits (a number without a country code is read as ${country}, +${countryCallingCodeOf(country)}).`;
    case 'two_numbers':
      return `${shown} holds more than one phone number: give one number per entry.`;
    case 'prefix_too_short':
      return `${shown} is too short for a prefix: a prefix needs at least ${MIN_PREFIX_DIGITS} digits after the +, so it cannot block a whole large country by mistake.`;
  }
}

function failure(input: string, reason: NormalizeFailure, country: CountryCode): NormalizeResult {
  return { ok: false, reason, message: failureMessage(input, reason, country) };
}

/**
 * Normalizes one phone number to E.164 against the org's default country (SPEC §1.1–1.2, §1.1a).
 * Accepts national and international forms with any punctuation, the country's international dialling
 * prefix (011 from US, 00 from GB, 0011 from AU), `tel:`/`sip:`/`sips:`/`callto:` URIs and Unicode digits,
 * and text as people paste it: invisible characters are ignored, an extension is split off (`extension`
 * in the result), one number inside a short label is found, two numbers are refused naming both.
 * Canonical E.164 input takes a cached fast path.
 */
export function normalizeNumber(
  input: string,
  country: CountryCode,
  options?: NormalizeOptions,
): NormalizeResult {
  const acceptUnassigned = options?.acceptUnassigned === true;
  if (E164_PATTERN.test(input))
    return fromClassification(input, cachedClassification(input), country, acceptUnassigned);
  if (input.length > MAX_INPUT_LENGTH) return failure(input, 'too_long', country);

  const cleaned = NON_ASCII_OR_NUL.test(input) ? withoutInvisibles(input) : input;
  const parts = extractDialInput(cleaned);
  if (parts.local === '') return failure(input, 'empty', country);
  const dial = dialStringOf(parts);
  if (/^\+?\d+$/.test(dial)) {
    const classification = E164_PATTERN.test(dial) ? cachedClassification(dial) : classify(dial, country);
    const result = fromClassification(input, classification, country, acceptUnassigned);
    if (result.ok) return parts.extension === undefined ? result : { ...result, extension: parts.extension };
    // `+1 303 555 0147 (24/7)` is all digits and separators, but a number and a note.
    const asText = parts.local.includes(' ')
      ? fromPastedText(input, parts.local, country, acceptUnassigned)
      : null;
    return asText?.ok === true || asText?.reason === 'two_numbers' ? asText : result;
  }
  const fromLocal = fromPastedText(input, parts.local, country, acceptUnassigned);
  // `<b>Tel</b> +1 303 555 0147` is not a `Name <uri>` wrapper: read the whole text when the part inside
  // the brackets (or the URI's user part) holds no number.
  if (fromLocal.ok || fromLocal.reason === 'two_numbers' || parts.local === cleaned.trim()) return fromLocal;
  const fromWhole = fromPastedText(input, cleaned, country, acceptUnassigned);
  return fromWhole.ok || fromWhole.reason === 'two_numbers' ? fromWhole : fromLocal;
}

/** Anything outside printable ASCII may be an invisible character to drop first. */
// eslint-disable-next-line no-control-regex -- NUL is one of the characters pasted text carries
const NON_ASCII_OR_NUL = /[^\x01-\x7e]/;

/**
 * The valid numbers in one run. A run that is not one number as a whole is cut at a space into a valid
 * leading part and the rest (`+1 303 555 0147 (24/7)`, `303 555 0147 415 555 0132`), so a note after the
 * number does not spoil it and two numbers written side by side are both seen.
 */
function validPieces(
  runText: string,
  input: string,
  country: CountryCode,
  acceptUnassigned: boolean,
): { ok: true; e164s: string[] } | { ok: false; failure: NormalizeResult } {
  const whole = normalizeRun(runText, input, country, acceptUnassigned);
  if (whole.ok) return { ok: true, e164s: [whole.e164] };
  for (let cut = runText.lastIndexOf(' '); cut > 0; cut = runText.lastIndexOf(' ', cut - 1)) {
    const head = runText.slice(0, cut).replace(/\D+$/, '');
    const headResult = head === '' ? null : normalizeRun(head, input, country, acceptUnassigned);
    if (headResult?.ok !== true) continue;
    const tailText = runText.slice(cut);
    const tail = tailText.replace(/^\D+/, '');
    const rest = tail === '' ? null : validPieces(tail, input, country, acceptUnassigned);
    if (rest?.ok === true) return { ok: true, e164s: [headResult.e164, ...rest.e164s] };
    // Only a note set apart (`(24/7)`, `/ fax`) is dropped; `… 0958 1` is a mistyped number.
    if (/^\s*[^\d\s]/.test(tailText)) return { ok: true, e164s: [headResult.e164] };
  }
  return { ok: false, failure: whole };
}

function normalizeRun(
  runText: string,
  input: string,
  country: CountryCode,
  acceptUnassigned: boolean,
): NormalizeResult {
  const dial = stripVisualSeparators(toAsciiDigits(runText));
  if (!/^\+?\d+$/.test(dial)) return failure(input, 'not_a_number', country);
  const classification = E164_PATTERN.test(dial) ? cachedClassification(dial) : classify(dial, country);
  return fromClassification(input, classification, country, acceptUnassigned);
}

/**
 * The input is not one dial string: read it as pasted text (§1.1a). The one run that is a valid number
 * wins, with its extension; two valid numbers are refused naming both; with none, the reason is the
 * only run's (a vanity word such as `1-800-FLOWERS`, or no run at all, is not a number).
 */
function fromPastedText(
  input: string,
  text: string,
  country: CountryCode,
  acceptUnassigned: boolean,
): NormalizeResult {
  const runs = numberRunsOf(text);
  const found: { run: NumberRun; e164: string }[] = [];
  let onlyFailure: NormalizeResult | null = null;
  for (const run of runs) {
    const pieces = validPieces(run.text, input, country, acceptUnassigned);
    if (pieces.ok) for (const e164 of pieces.e164s) found.push({ run, e164 });
    else if (runs.length === 1 && !run.touchesLetters) onlyFailure = pieces.failure;
  }
  const [first, second] = found;
  if (first === undefined) return onlyFailure ?? failure(input, 'not_a_number', country);
  if (second !== undefined) {
    return {
      ok: false,
      reason: 'two_numbers',
      message: `${quoteInput(input)} holds more than one phone number (${found.map((one) => one.e164).join(' and ')}): give one number per entry.`,
    };
  }
  return first.run.extension === undefined
    ? { ok: true, e164: first.e164 }
    : { ok: true, e164: first.e164, extension: first.run.extension };
}

function fromClassification(
  input: string,
  classification: Classification,
  country: CountryCode,
  acceptUnassigned: boolean,
): NormalizeResult {
  switch (classification.status) {
    case 'valid':
      return { ok: true, e164: classification.e164 };
    case 'unassigned':
      return acceptUnassigned
        ? { ok: true, e164: classification.e164 }
        : failure(input, 'invalid_for_country', country);
    case 'failed':
      return failure(input, classification.reason, country);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Prefixes (SPEC §2.1a).

/**
 * Normalizes a number or a prefix (digits followed by `*`). A prefix may be given in E.164 (`+1900*`),
 * with the international dialling prefix (`011234*` from US) or in national form (`900*` from US →
 * `+1900*`, `020*` from GB → `+4420*`: the national trunk prefix is dropped).
 */
export function normalizeNumberOrPrefix(input: string, country: CountryCode): NumberOrPrefixResult {
  if (input.length > MAX_INPUT_LENGTH) return prefixFailure(input, 'too_long', country);
  const trimmed = input.normalize('NFKC').trim();
  if (!trimmed.endsWith('*')) {
    const result = normalizeNumber(input, country);
    if (!result.ok) return result;
    return result.extension === undefined
      ? { ok: true, kind: 'number', e164: result.e164 }
      : { ok: true, kind: 'number', e164: result.e164, extension: result.extension };
  }
  const dial = toDialString(trimmed.slice(0, -1));
  if (dial === '' || dial === '+') return prefixFailure(input, 'prefix_too_short', country);
  if (!/^\+?\d+$/.test(dial)) return prefixFailure(input, 'not_a_number', country);

  const digits = dial.startsWith('+') ? dial.slice(1) : prefixDigitsFromLocalForm(dial, country);
  if (digits === null) return prefixFailure(input, 'invalid_country_code', country);
  if (digits.length < MIN_PREFIX_DIGITS) return prefixFailure(input, 'prefix_too_short', country);
  if (digits.length > MAX_PREFIX_DIGITS) return prefixFailure(input, 'too_long', country);
  if (digits.startsWith('0') || !hasValidCallingCode(digits)) {
    return prefixFailure(input, 'invalid_country_code', country);
  }
  return { ok: true, kind: 'prefix', prefix: `+${digits}*` };
}

function prefixFailure(
  input: string,
  reason: NumberOrPrefixFailure,
  country: CountryCode,
): NumberOrPrefixResult {
  return { ok: false, reason, message: failureMessage(input, reason, country) };
}

/**
 * Digits after `+` for a prefix typed without `+`: AsYouType knows each country's international dialling
 * prefix and national trunk prefix, even for incomplete numbers. `null` when the calling code is unknown.
 */
function prefixDigitsFromLocalForm(dial: string, country: CountryCode): string | null {
  const typing = new AsYouType(country);
  typing.input(dial);
  if (typing.isInternational() && typing.getCallingCode() === undefined) return null;
  const value = typing.getNumberValue();
  return value === undefined ? countryCallingCodeOf(country) : value.slice(1);
}

function hasValidCallingCode(digits: string): boolean {
  const typing = new AsYouType();
  typing.input(`+${digits}`);
  return typing.getCallingCode() !== undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Display and typing.

/**
 * How a stored number is shown: national format when it belongs to the org's country, international
 * otherwise. Prefixes, and anything that does not parse, are shown as given.
 */
export function formatForDisplay(e164: string, orgCountry: CountryCode): string {
  if (e164.endsWith('*')) return e164;
  try {
    const parsed = parsePhoneNumberWithError(e164, orgCountry);
    return parsed.country === orgCountry ? parsed.formatNational() : parsed.formatInternational();
  } catch {
    return e164;
  }
}

export interface AsYouTypeFormatter {
  /** Feeds more typed characters (appends, like libphonenumber's AsYouType) and returns the formatted text. */
  input(text: string): string;
  /** Formats a whole field value from scratch. */
  format(fullText: string): string;
  reset(): void;
}

/** Formats a number field while the user types. */
export function createAsYouTypeFormatter(country: CountryCode): AsYouTypeFormatter {
  const typing = new AsYouType(country);
  return {
    input: (text) => typing.input(toAsciiDigits(text)),
    format: (fullText) => {
      typing.reset();
      return typing.input(toAsciiDigits(fullText));
    },
    reset: () => typing.reset(),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Numbering-plan facts used by emergency.ts.

const metadata = new Metadata(metadataJson);

/** The national trunk prefix (`0` in GB, `1` in US, `8` in RU), or null when the country has none. */
export function nationalPrefixOf(country: CountryCode): string | null {
  metadata.selectNumberingPlan(country);
  // Not in the type declarations; the compact metadata stores an absent prefix as the number 0.
  const plan: (NumberingPlan & { nationalPrefix?: () => unknown }) | undefined = metadata.numberingPlan;
  const prefix = plan?.nationalPrefix?.();
  return typeof prefix === 'string' && /^\d+$/.test(prefix) ? prefix : null;
}

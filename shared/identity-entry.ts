/**
 * One identity header value taken apart (SPEC §3.2–3.3): its comma-separated name-addr / addr-spec
 * entries, each URI's user part as an E.164 number, a withheld identity or something else, its `verstat`,
 * and Remote-Party-ID's `privacy=`. Bounded work whatever the value holds.
 */
import type { Verstat } from './identity.types';
import { normalizeNumber, type CountryCode } from './numbers';
import { E164_PATTERN } from './rules';
import { MAX_HEADER_VALUES } from './sip-headers';

/** User parts that mean "withheld" (SPEC §3.3), compared in lower case. */
const ANONYMOUS_USERS = new Set(['anonymous', 'unknown', 'unavailable', 'restricted', 'private', 'withheld']);
const ANONYMOUS_HOST = 'anonymous.invalid';

const VERSTATS: readonly Verstat[] = ['TN-Validation-Passed', 'TN-Validation-Failed', 'No-TN-Validation'];

/** One name-addr or addr-spec from an identity header, taken apart. */
export interface IdentityEntry {
  /** `number`: a usable E.164 number; `anonymous`: withheld; `other`: not a phone number. */
  kind: 'number' | 'anonymous' | 'other';
  e164: string | null;
  /** The user part as written (for `unknown` identities), or null. */
  user: string | null;
  /** The normalization failure, for `other` entries that looked like they were meant to be numbers. */
  problem: string | null;
  verstat: Verstat | null;
  /** Remote-Party-ID's `privacy=` asks to withhold the identity. */
  privacyRequested: boolean;
}

/** Splits a header value at commas that are outside quotes and angle brackets. */
function splitEntries(value: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let inQuotes = false;
  let inAngle = false;
  for (let i = 0; i < value.length && parts.length < MAX_HEADER_VALUES; i++) {
    const char = value[i];
    if (inQuotes) {
      if (char === '\\') i++;
      else if (char === '"') inQuotes = false;
    } else if (char === '"') inQuotes = true;
    else if (char === '<') inAngle = true;
    else if (char === '>') inAngle = false;
    else if (char === ',' && !inAngle) {
      parts.push(value.slice(start, i));
      start = i + 1;
    }
  }
  if (parts.length < MAX_HEADER_VALUES) parts.push(value.slice(start));
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}

export function parseEntries(value: string, country: CountryCode): IdentityEntry[] {
  return splitEntries(value).map((entry) => parseEntry(entry, country));
}

/** `"Name" <uri>;params` or `uri;params` → the URI's user part, normalized, plus verstat and privacy. */
function parseEntry(entry: string, country: CountryCode): IdentityEntry {
  const { uri, headerParams } = splitNameAddr(entry);
  const params = parseParams(headerParams);
  const rpidPrivacy = (params.get('privacy') ?? '').toLowerCase();
  const privacy =
    rpidPrivacy !== '' &&
    rpidPrivacy !== 'off' &&
    rpidPrivacy !== 'no' &&
    rpidPrivacy !== 'none' &&
    rpidPrivacy !== 'name';
  const verstat = findVerstat(entry);
  const base = { verstat, privacyRequested: privacy };

  if (uri === null) {
    return { ...base, kind: 'other', e164: null, user: null, problem: 'malformed identity: "<" without ">"' };
  }
  const parts = uriParts(uri);
  if (parts === null)
    return {
      ...base,
      kind: 'other',
      e164: null,
      user: uri === '' ? null : uri,
      problem: 'not a sip:, sips: or tel: URI',
    };
  const user = percentDecode(parts.user).trim();
  if (user === '' || ANONYMOUS_USERS.has(user.toLowerCase()) || parts.host.toLowerCase() === ANONYMOUS_HOST) {
    return { ...base, kind: 'anonymous', e164: null, user: null, problem: null };
  }
  // Fast path for the call path: a caller already in canonical E.164 is used as written. Rules are stored
  // in the same canonical form, so the exact lookup needs no libphonenumber parse (≈ 10–100 µs for a new
  // number on this hardware, against a 50 µs budget for the whole inbound path).
  if (parts.userParams === '' && E164_PATTERN.test(user)) {
    return { ...base, kind: 'number', e164: user, user, problem: null };
  }
  // With parameters (a phone-context, say) the user part is handed over as a tel: URI: numbers.ts reads them.
  const dialInput = parts.userParams === '' ? user : `tel:${parts.user}${parts.userParams}`;
  const result = normalizeNumber(dialInput, country, { acceptUnassigned: true });
  if (result.ok) return { ...base, kind: 'number', e164: result.e164, user, problem: null };
  return { ...base, kind: 'other', e164: null, user, problem: looksNumeric(user) ? result.message : null };
}

function looksNumeric(user: string): boolean {
  return /^[+\d\s\-.()]+$/.test(user);
}

/** `uri` is null when the entry is cut off (an unclosed `<`). */
function splitNameAddr(entry: string): { uri: string | null; headerParams: string } {
  let inQuotes = false;
  for (let i = 0; i < entry.length; i++) {
    const char = entry[i];
    if (inQuotes) {
      if (char === '\\') i++;
      else if (char === '"') inQuotes = false;
    } else if (char === '"') inQuotes = true;
    else if (char === '<') {
      const close = entry.indexOf('>', i + 1);
      if (close === -1) return { uri: null, headerParams: '' };
      return { uri: entry.slice(i + 1, close).trim(), headerParams: entry.slice(close + 1) };
    }
  }
  // addr-spec without brackets: parameters after the URI belong to the header (RFC 3261 §20.10).
  const text = entry.trim();
  const scheme = /^(sips?|tel):/i.exec(text);
  if (scheme !== null && scheme[1]?.toLowerCase() === 'tel') {
    // A bare tel: URI's own parameters cannot be told apart from header parameters; keep them all.
    return { uri: text, headerParams: text };
  }
  const at = text.indexOf('@');
  const semicolon = text.indexOf(';', at === -1 ? 0 : at);
  return semicolon === -1
    ? { uri: text, headerParams: '' }
    : { uri: text.slice(0, semicolon), headerParams: text.slice(semicolon) };
}

/** `sip:user;userparams:password@host;params` / `tel:number;params` → user, its parameters, host. */
/** `sip:127.0.0.1` names a host with no user part (withheld), not the number 127001. */
const IPV4_ADDRESS = /^\d{1,3}(\.\d{1,3}){3}$/;

function uriParts(uri: string): { user: string; userParams: string; host: string } | null {
  const scheme = /^(sips?|tel):/i.exec(uri);
  if (scheme === null) return null;
  let rest = uri.slice(scheme[0].length);
  const headersAt = rest.indexOf('?');
  if (headersAt !== -1) rest = rest.slice(0, headersAt);
  if ((scheme[1] ?? '').toLowerCase() === 'tel') {
    const semicolon = rest.indexOf(';');
    return semicolon === -1
      ? { user: rest, userParams: '', host: '' }
      : { user: rest.slice(0, semicolon), userParams: rest.slice(semicolon), host: '' };
  }
  const at = rest.lastIndexOf('@');
  if (at === -1) {
    // `sip:host`: no user part, so the identity is withheld (SPEC §3.3 "user part empty") — unless the
    // "host" is a number (`sip:+12125551234`), which some gateways send.
    const host = hostOf(rest);
    return /^\+?[\d\-.()]+$/.test(host) && !IPV4_ADDRESS.test(host)
      ? { user: host, userParams: '', host: '' }
      : { user: '', userParams: '', host };
  }
  let userInfo = rest.slice(0, at);
  const host = hostOf(rest.slice(at + 1));
  const colon = userInfo.indexOf(':');
  if (colon !== -1) userInfo = userInfo.slice(0, colon);
  const semicolon = userInfo.indexOf(';');
  return semicolon === -1
    ? { user: userInfo, userParams: '', host }
    : { user: userInfo.slice(0, semicolon), userParams: userInfo.slice(semicolon), host };
}

function hostOf(hostAndParams: string): string {
  const end = hostAndParams.search(/[;:?]/);
  return (end === -1 ? hostAndParams : hostAndParams.slice(0, end)).trim();
}

function parseParams(text: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const part of text.split(';').slice(0, 32)) {
    const eq = part.indexOf('=');
    const name = (eq === -1 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (name === '') continue;
    const value =
      eq === -1
        ? ''
        : part
            .slice(eq + 1)
            .trim()
            .replace(/^"(.*)"$/, '$1');
    if (!params.has(name)) params.set(name, value);
  }
  return params;
}

/** `verstat` may sit in the user part, the URI parameters or the header parameters depending on the carrier. */
function findVerstat(entry: string): Verstat | null {
  const match = /verstat=([A-Za-z-]+)/i.exec(entry);
  if (match === null) return null;
  const value = (match[1] ?? '').toLowerCase();
  return VERSTATS.find((verstat) => verstat.toLowerCase() === value) ?? null;
}

function percentDecode(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

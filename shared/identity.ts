/**
 * Who is calling (SPEC §3.2–3.3a), read from an inbound SIP request's headers. Pure and defensive: this
 * runs on every inbound call before anything rings, so it never throws and does bounded work whatever a
 * caller puts into its headers. Here: the public readers and the rules that pick the caller; one header
 * value is taken apart in `identity-entry.ts`, the PASSporT in `stir-shaken.ts`, and the header names
 * (with their compact forms) are the table in `sip-headers.ts`.
 */
import { errorMessage } from './error-message';
import { attestationOf } from './stir-shaken';
import { parseEntries, type IdentityEntry } from './identity-entry';
import type { Attestation, CallerIdentity, CallerVerification } from './identity.types';
import { isSupportedCountryCode, type CountryCode } from './numbers';
import {
  IDENTITY_HEADERS,
  MAX_HEADER_VALUES,
  MAX_HEADER_VALUE_LENGTH,
  canonicalHeaderName,
  compactFormOf,
  parseRawHeaders,
} from './sip-headers';

export { MAX_HEADER_VALUE_LENGTH } from './sip-headers';

/** Any source of header values: name lookup is the implementation's business (case, compact forms). */
export interface HeaderSource {
  get(name: string): string[];
}

/** The part of sip.js's `IncomingRequestMessage` this module needs (shared/ does not import sip.js). */
export interface SipRequestLike {
  getHeaders(name: string): string[];
}

// ---------------------------------------------------------------------------------------------------------
// Public API.

/** Caller identity from any header source. Never throws. */
export function identityFromHeaders(headers: HeaderSource, country: string): CallerIdentity {
  try {
    return readIdentity(headers, country);
  } catch (error) {
    return {
      kind: 'unknown',
      raw: null,
      problem: `could not read the caller identity: ${errorMessage(error)}`,
      verification: null,
    };
  }
}

/** Caller identity from a sip.js `IncomingRequestMessage` (or anything with its `getHeaders`). Never throws. */
export function identityFromSipJsRequest(request: SipRequestLike, country: string): CallerIdentity {
  const source: HeaderSource = {
    get(name) {
      const values = safeHeaderValues(() => request.getHeaders(name));
      if (values.length > 0) return values;
      const compact = compactFormOf(name);
      return compact === undefined ? [] : safeHeaderValues(() => request.getHeaders(compact));
    },
  };
  return identityFromHeaders(source, country);
}

/** Caller identity from the text of a raw SIP request (start line, headers, optional body). Never throws. */
export function identityFromRawMessage(text: string, country: string): CallerIdentity {
  try {
    if (typeof text !== 'string') return unknown('the SIP message is not text');
    const parsed = parseRawHeaders(text);
    if (parsed.problem !== null) return unknown(parsed.problem);
    return identityFromHeaders(
      { get: (name) => parsed.headers.get(canonicalHeaderName(name)) ?? [] },
      country,
    );
  } catch (error) {
    return unknown(`could not read the SIP message: ${errorMessage(error)}`);
  }
}

/** Verification in one word: `failed` only for an explicit TN-Validation-Failed. */
export function verificationStatus(verification: CallerVerification | null): 'passed' | 'failed' | 'none' {
  switch (verification?.verstat) {
    case 'TN-Validation-Passed':
      return 'passed';
    case 'TN-Validation-Failed':
      return 'failed';
    default:
      // An attestation alone is not a verdict: this app does not verify the PASSporT's signature.
      return 'none';
  }
}

// ---------------------------------------------------------------------------------------------------------
// The identity rules.

function readIdentity(headers: HeaderSource, country: string): CallerIdentity {
  if (!isSupportedCountryCode(country)) return unknown(`unknown country ${JSON.stringify(String(country))}`);

  const asserted = entriesOf(headers, IDENTITY_HEADERS.assertedIdentity.name, country);
  const remoteParty = entriesOf(headers, IDENTITY_HEADERS.remotePartyId.name, country);
  const fromValues = boundedValues(headers, IDENTITY_HEADERS.from.name);
  const from = fromValues.length > 0 ? parseEntries(fromValues[0] ?? '', country)[0] : undefined;
  const privacyHeader = privacyRequested(boundedValues(headers, IDENTITY_HEADERS.privacy.name));

  const verification = verificationOf(
    [...asserted, ...remoteParty, ...(from === undefined ? [] : [from])],
    attestationOf(boundedValues(headers, IDENTITY_HEADERS.identity.name)),
  );

  const assertedEntry =
    asserted.find((entry) => entry.kind === 'number') ?? remoteParty.find((entry) => entry.kind === 'number');
  const withheldSignals =
    privacyHeader ||
    from?.kind === 'anonymous' ||
    remoteParty.some((entry) => entry.privacyRequested) ||
    asserted.some((entry) => entry.kind === 'anonymous');

  // A network-asserted number decides even when the caller asked for privacy (SPEC §3.3: an anonymous
  // From with a listed asserted number is still blocked as that number).
  if (assertedEntry?.e164 != null) {
    return {
      kind: 'number',
      e164: assertedEntry.e164,
      withheld: withheldSignals,
      verification: verificationFor(assertedEntry, verification),
    };
  }
  // Withheld with no asserted number: From is only what the caller claims, so it does not count.
  if (
    privacyHeader ||
    asserted.some((entry) => entry.kind === 'anonymous') ||
    remoteParty.some((entry) => entry.kind === 'anonymous' || entry.privacyRequested)
  ) {
    return { kind: 'anonymous', verification };
  }
  if (from === undefined) {
    const other = asserted[0] ?? remoteParty[0];
    if (other !== undefined) return { kind: 'unknown', raw: other.user, verification };
    return { kind: 'unknown', raw: null, problem: 'the request has no From header', verification };
  }
  if (from.kind === 'anonymous') return { kind: 'anonymous', verification };
  if (from.kind === 'number' && from.e164 !== null) {
    return {
      kind: 'number',
      e164: from.e164,
      withheld: false,
      verification: verificationFor(from, verification),
    };
  }
  const identity: CallerIdentity = { kind: 'unknown', raw: from.user, verification };
  if (from.problem !== null) identity.problem = from.problem;
  return identity;
}

/** The chosen identity's own verstat wins over one found on another header. */
function verificationFor(entry: IdentityEntry, found: CallerVerification | null): CallerVerification | null {
  if (entry.verstat === null || found === null) return found;
  return { verstat: entry.verstat, attestation: found.attestation };
}

function verificationOf(
  entries: readonly IdentityEntry[],
  attestation: Attestation | null,
): CallerVerification | null {
  const verstat = entries.find((entry) => entry.verstat !== null)?.verstat ?? null;
  return verstat === null && attestation === null ? null : { verstat, attestation };
}

function privacyRequested(values: readonly string[]): boolean {
  for (const value of values) {
    for (const token of value.split(/[;,\s]+/).slice(0, MAX_HEADER_VALUES)) {
      const lower = token.toLowerCase();
      if (lower === 'id' || lower === 'user') return true;
    }
  }
  return false;
}

function unknown(problem: string): CallerIdentity {
  return { kind: 'unknown', raw: null, problem, verification: null };
}

// ---------------------------------------------------------------------------------------------------------
// Header values.

function safeHeaderValues(read: () => unknown): string[] {
  try {
    const values = read();
    if (!Array.isArray(values)) return [];
    return values.filter((value): value is string => typeof value === 'string');
  } catch {
    return [];
  }
}

/** The header's values that are strings of a sane length, at most MAX_HEADER_VALUES of them. */
function boundedValues(headers: HeaderSource, name: string): string[] {
  return safeHeaderValues(() => headers.get(name))
    .filter((value) => value.length <= MAX_HEADER_VALUE_LENGTH)
    .slice(0, MAX_HEADER_VALUES);
}

function entriesOf(headers: HeaderSource, name: string, country: CountryCode): IdentityEntry[] {
  const entries: IdentityEntry[] = [];
  for (const value of boundedValues(headers, name)) {
    for (const entry of parseEntries(value, country)) {
      if (entries.length >= MAX_HEADER_VALUES) return entries;
      entries.push(entry);
    }
  }
  return entries;
}

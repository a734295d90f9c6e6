/**
 * SIP header names in one place: RFC 3261 §7.3.3 compact forms, the table of headers the caller-identity
 * reader uses (each with its compact form and its role), and reading headers out of a raw message's
 * text by canonical name. Pure: shared by the identity reader, the CLI and the phone's raw-message guard.
 */

/** A header as the reader looks it up: full name, and its compact form when it has one. */
export interface SipHeaderName {
  readonly name: string;
  readonly compact: string | null;
}

/** RFC 3261 §7.3.3 compact header names (and RFC 8224's `y` for Identity): [compact, full lower case]. */
const COMPACT_FORMS: ReadonlyArray<readonly [string, string]> = [
  ['f', 'from'],
  ['t', 'to'],
  ['i', 'call-id'],
  ['m', 'contact'],
  ['v', 'via'],
  ['l', 'content-length'],
  ['c', 'content-type'],
  ['e', 'content-encoding'],
  ['k', 'supported'],
  ['s', 'subject'],
  ['y', 'identity'],
];
const FULL_NAME_BY_COMPACT = new Map(COMPACT_FORMS);
const COMPACT_BY_NAME = new Map(COMPACT_FORMS.map(([compact, full]) => [full, compact] as const));

/** A header's table entry: its name as written in RFCs and its compact form, if any. */
export function sipHeader(name: string): SipHeaderName {
  return { name, compact: COMPACT_BY_NAME.get(name.toLowerCase()) ?? null };
}

/** The compact form of a full header name (`From` → `f`), if it has one. */
export function compactFormOf(name: string): string | undefined {
  return COMPACT_BY_NAME.get(name.toLowerCase());
}

/** A header name in lower case with compact forms spelled out (`f` → `from`). */
export function canonicalHeaderName(name: string): string {
  const lower = name.trim().toLowerCase();
  return FULL_NAME_BY_COMPACT.get(lower) ?? lower;
}

/** The headers the caller-identity reader (`identity.ts`) uses, by role (SPEC §3.2–3.3a). */
export const IDENTITY_HEADERS = {
  /** The network-asserted caller (RFC 3325): its number decides, even when the caller asks for privacy. */
  assertedIdentity: sipHeader('P-Asserted-Identity'),
  /** The older asserted form: a number, and `privacy=` to withhold it. */
  remotePartyId: sipHeader('Remote-Party-ID'),
  /** What the caller claims: the caller only when nothing is asserted and nothing is withheld. */
  from: sipHeader('From'),
  /** `Privacy: id` / `user` (RFC 3323): the caller withholds its identity. */
  privacy: sipHeader('Privacy'),
  /** The STIR/SHAKEN PASSporT (RFC 8224), read for its attestation. */
  identity: sipHeader('Identity'),
} as const satisfies Record<string, SipHeaderName>;

/** The identity headers whose values are caller URIs (name-addr or addr-spec). */
export const CALLER_URI_HEADERS: readonly SipHeaderName[] = [
  IDENTITY_HEADERS.assertedIdentity,
  IDENTITY_HEADERS.remotePartyId,
  IDENTITY_HEADERS.from,
];

/** Whether a raw header line (`Name: value`) is one of `headers`, by full or compact name, any case. */
export function isHeaderLine(line: string, headers: readonly SipHeaderName[]): boolean {
  const colon = line.indexOf(':');
  if (colon <= 0) return false;
  const name = line.slice(0, colon).trimEnd().toLowerCase();
  return headers.some((header) => header.name.toLowerCase() === name || header.compact === name);
}

/** Header values longer than this are ignored: no legitimate identity header comes close. */
export const MAX_HEADER_VALUE_LENGTH = 8 * 1024;
/** At most this many values of one header, and entries of one comma-separated value, are looked at. */
export const MAX_HEADER_VALUES = 16;
/** A raw message longer than this is only read up to this length (its headers come first). */
const MAX_RAW_MESSAGE_LENGTH = 64 * 1024;

/** Headers of a raw SIP request by canonical name; folded (continuation) lines are joined. */
export function parseRawHeaders(text: string): { headers: Map<string, string[]>; problem: string | null } {
  const headers = new Map<string, string[]>();
  const bounded = text.length > MAX_RAW_MESSAGE_LENGTH ? text.slice(0, MAX_RAW_MESSAGE_LENGTH) : text;
  const lines = bounded.split(/\r\n|\n|\r/);
  let first = 0;
  while (first < lines.length && (lines[first] ?? '').trim() === '') first++;
  const startLine = lines[first];
  if (startLine === undefined) return { headers, problem: 'the SIP message is empty' };
  if (!/^[A-Za-z]+\s+\S+\s+SIP\/2\.0\s*$/i.test(startLine.trim())) {
    return {
      headers,
      problem: 'the SIP message does not start with a request line such as "INVITE sip:… SIP/2.0"',
    };
  }
  let current: { name: string; value: string } | null = null;
  const flush = (): void => {
    if (current === null) return;
    const list = headers.get(current.name) ?? [];
    if (list.length < 4 * MAX_HEADER_VALUES) list.push(current.value.trim());
    headers.set(current.name, list);
    current = null;
  };
  for (let i = first + 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '') break; // end of headers; the body follows
    if ((line.startsWith(' ') || line.startsWith('\t')) && current !== null) {
      if (current.value.length <= MAX_HEADER_VALUE_LENGTH) current.value += ` ${line.trim()}`;
      continue;
    }
    flush();
    const colon = line.indexOf(':');
    if (colon <= 0) continue; // not a header line; ignore it rather than give up on the request
    current = { name: canonicalHeaderName(line.slice(0, colon)), value: line.slice(colon + 1) };
  }
  flush();
  return { headers, problem: null };
}

/**
 * A guard in front of sip.js's parser for incoming requests. sip.js 0.21 silently drops any message it
 * cannot parse — including an INVITE whose From is a `tel:` URI, which carriers send — so the caller
 * would wait for a final answer that never comes. Here `tel:` identities become equivalent
 * `sip:…;user=phone` URIs, and an INVITE that still cannot be parsed is answered `400` statelessly.
 * Pure string work: unit-tested in Node.
 */
import { CALLER_URI_HEADERS, isHeaderLine, sipHeader, type SipHeaderName } from '../../shared/sip-headers';

/**
 * Headers whose `tel:` URIs are rewritten, by role: every header the identity reader takes the caller
 * from (its table, so the two cannot drift apart), and two that sip.js parses too but that never name
 * the caller.
 */
export const TEL_REWRITTEN_HEADERS: readonly SipHeaderName[] = [
  ...CALLER_URI_HEADERS,
  /** The callee: sip.js drops the request if it cannot parse it. */
  sipHeader('To'),
  /** What the caller would like to be shown as (RFC 3325): the reader never uses it as the caller. */
  sipHeader('P-Preferred-Identity'),
];
/** The host given to numbers that arrived as `tel:` URIs (RFC 3261 §19.1.6: user=phone). */
export const TEL_HOST = 'tel.invalid';
const MAX_REWRITE_LENGTH = 256 * 1024;

function splitMessage(raw: string): { head: string; body: string; separator: string } | null {
  const index = raw.indexOf('\r\n\r\n');
  if (index === -1) return null;
  return { head: raw.slice(0, index), body: raw.slice(index + 4), separator: '\r\n\r\n' };
}

function telToSip(value: string): string {
  // <tel:+12125550100;verstat=…> → <sip:+12125550100;verstat=…@tel.invalid;user=phone>
  let rewritten = value.replace(
    /<\s*tel:([^>\s]*)>/gi,
    (_match, number: string) => `<sip:${number}@${TEL_HOST};user=phone>`,
  );
  // A bare tel: URI (no angle brackets): its parameters would be header parameters, so only the number moves.
  rewritten = rewritten.replace(
    /(^|[\s,])tel:([^;,\s>]+)/gi,
    (_match, before: string, number: string) => `${before}<sip:${number}@${TEL_HOST};user=phone>`,
  );
  return rewritten;
}

/** Rewrites `tel:` URIs in a request's identity headers; anything else is returned unchanged. */
export function rewriteTelIdentities(raw: string): string {
  if (raw.length > MAX_REWRITE_LENGTH || raw.startsWith('SIP/2.0') || !/tel:/i.test(raw)) return raw;
  const parts = splitMessage(raw);
  if (!parts) return raw;
  const lines = parts.head.split('\r\n');
  let changed = false;
  for (let position = 1; position < lines.length; position += 1) {
    const line = lines[position];
    if (line === undefined || !isHeaderLine(line, TEL_REWRITTEN_HEADERS) || !/tel:/i.test(line)) continue;
    const colon = line.indexOf(':');
    const rewritten = line.slice(0, colon + 1) + telToSip(line.slice(colon + 1));
    if (rewritten !== line) {
      lines[position] = rewritten;
      changed = true;
    }
  }
  return changed ? lines.join('\r\n') + parts.separator + parts.body : raw;
}

export function isInviteRequest(raw: string): boolean {
  return /^INVITE\s/i.test(raw);
}

/** The headers a response copies from its request (RFC 3261 §8.2.6.2), in order. */
const COPIED_HEADERS: Array<{ header: SipHeaderName; required: boolean }> = [
  { header: sipHeader('Via'), required: true },
  { header: sipHeader('From'), required: true },
  { header: sipHeader('To'), required: true },
  { header: sipHeader('Call-ID'), required: true },
  { header: sipHeader('CSeq'), required: true },
];

/**
 * A stateless `400 Bad Request` for a request sip.js could not parse, or null when even the headers a
 * response needs (Via, From, To, Call-ID, CSeq) cannot be found. The reason phrase is kept printable.
 */
export function badRequestResponse(raw: string, reason: string): string | null {
  return statelessResponse(raw, 400, reason);
}

/**
 * A final response to a request built from its raw text alone (RFC 3261 §8.2.6): every Via in order,
 * From, To (with a tag added when it has none), Call-ID and CSeq copied; null when one is missing.
 */
export function statelessResponse(raw: string, statusCode: number, reason: string): string | null {
  const head =
    (raw.length > MAX_REWRITE_LENGTH ? raw.slice(0, MAX_REWRITE_LENGTH) : raw).split('\r\n\r\n')[0] ?? '';
  // Unfold continuation lines first (RFC 3261 §7.3.1).
  const lines = head
    .replace(/\r\n[ \t]+/g, ' ')
    .split('\r\n')
    .slice(1);
  const out: string[] = [`SIP/2.0 ${statusCode} ` + reason.replace(/[^\x20-\x7e]/g, '').slice(0, 80)];
  for (const { header, required } of COPIED_HEADERS) {
    const found = lines.filter((line) => isHeaderLine(line, [header]));
    if (found.length === 0 && required) return null;
    for (const line of found) {
      let value = line.slice(line.indexOf(':') + 1).trim();
      if (header.name === 'To' && !/;\s*tag=/i.test(value))
        value += `;tag=bl${Math.random().toString(36).slice(2, 10)}`;
      out.push(`${header.name}: ${value}`);
    }
  }
  out.push('Content-Length: 0', '', '');
  return out.join('\r\n');
}

/**
 * A guard in front of sip.js's parser for incoming requests. sip.js 0.21 silently drops any message it
 * cannot parse — including an INVITE whose From is a `tel:` URI, which carriers send — so the caller
 * would wait for a final answer that never comes. Here `tel:` identities become equivalent
 * `sip:…;user=phone` URIs, and an INVITE that still cannot be parsed is answered `400` statelessly.
 * Pure string work: unit-tested in Node.
 */

/** Identity headers (full and compact names) whose `tel:` URIs are rewritten. */
const IDENTITY_HEADER = /^(from|f|to|t|p-asserted-identity|p-preferred-identity|remote-party-id)\s*:/i;
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
    if (line === undefined || !IDENTITY_HEADER.test(line) || !/tel:/i.test(line)) continue;
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

const COPIED_HEADERS: Array<{ names: RegExp; canonical: string; required: boolean }> = [
  { names: /^(via|v)\s*:/i, canonical: 'Via', required: true },
  { names: /^(from|f)\s*:/i, canonical: 'From', required: true },
  { names: /^(to|t)\s*:/i, canonical: 'To', required: true },
  { names: /^(call-id|i)\s*:/i, canonical: 'Call-ID', required: true },
  { names: /^cseq\s*:/i, canonical: 'CSeq', required: true },
];

/**
 * A stateless `400 Bad Request` for a request sip.js could not parse, or null when even the headers a
 * response needs (Via, From, To, Call-ID, CSeq) cannot be found. The reason phrase is kept printable.
 */
export function badRequestResponse(raw: string, reason: string): string | null {
  const head =
    (raw.length > MAX_REWRITE_LENGTH ? raw.slice(0, MAX_REWRITE_LENGTH) : raw).split('\r\n\r\n')[0] ?? '';
  // Unfold continuation lines first (RFC 3261 §7.3.1).
  const lines = head
    .replace(/\r\n[ \t]+/g, ' ')
    .split('\r\n')
    .slice(1);
  const out: string[] = ['SIP/2.0 400 ' + reason.replace(/[^\x20-\x7e]/g, '').slice(0, 80)];
  for (const header of COPIED_HEADERS) {
    const found = lines.filter((line) => header.names.test(line));
    if (found.length === 0 && header.required) return null;
    for (const line of found) {
      let value = line.slice(line.indexOf(':') + 1).trim();
      if (header.canonical === 'To' && !/;\s*tag=/i.test(value))
        value += `;tag=bl${Math.random().toString(36).slice(2, 10)}`;
      out.push(`${header.canonical}: ${value}`);
    }
  }
  out.push('Content-Length: 0', '', '');
  return out.join('\r\n');
}

/**
 * STIR/SHAKEN attestation (RFC 8224 Identity header, RFC 8588 PASSporT `attest` claim). The claim is
 * read, not trusted: this app does not verify the PASSporT's signature.
 */
import type { Attestation } from './identity.types';

/** The attestation (A, B or C) of the first Identity header value whose PASSporT carries one. */
export function attestationOf(values: readonly string[]): Attestation | null {
  for (const value of values) {
    const token = value.split(';', 1)[0]?.trim().replace(/^<|>$/g, '') ?? '';
    const payload = token.split('.')[1];
    if (payload === undefined) continue;
    const json = decodeBase64Url(payload);
    if (json === null) continue;
    try {
      const claims: unknown = JSON.parse(json);
      if (typeof claims === 'object' && claims !== null && 'attest' in claims) {
        const attest = claims.attest;
        if (attest === 'A' || attest === 'B' || attest === 'C') return attest;
      }
    } catch {
      // Not JSON: no attestation from this header.
    }
  }
  return null;
}

const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Decodes base64url (plain base64 characters accepted too) into a string of byte values. The claims
 * that matter are ASCII, so bytes are mapped one to one; `null` for characters outside the alphabet.
 */
function decodeBase64Url(text: string): string | null {
  const clean = text.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  let bits = 0;
  let bitCount = 0;
  let out = '';
  for (let i = 0; i < clean.length; i++) {
    const value = BASE64URL_ALPHABET.indexOf(clean.charAt(i));
    if (value === -1) return null;
    bits = ((bits << 6) | value) & 0xffffff;
    bitCount += 6;
    if (bitCount >= 8) {
      bitCount -= 8;
      out += String.fromCharCode((bits >> bitCount) & 0xff);
    }
  }
  return out;
}

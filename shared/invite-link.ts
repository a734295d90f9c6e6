/**
 * Invites (SPEC §12.4): the `blockline://invite?server=…&code=…` link an admin sends, or its code alone.
 * The code is what a person types: groups of unambiguous letters and digits; dashes and case are free.
 */

export const INVITE_SCHEME = 'blockline:';
/** Crockford's base32: no I, L, O or U, so nothing reads as another character. */
const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The canonical form of a typed code: upper case, no separators; null when it cannot be one. */
export function normalizeInviteCode(input: string): string | null {
  const code = input.toUpperCase().replace(/[\s-]/g, '');
  if (code.length < 10 || code.length > 40) return null;
  for (const char of code) if (!CODE_ALPHABET.includes(char)) return null;
  return code;
}

/** `XXXX-XXXX-XXXX` for people to read and type. */
export function formatInviteCode(code: string): string {
  return code.match(/.{1,4}/g)?.join('-') ?? code;
}

/** A random code from 15 random bytes' worth of alphabet (75 bits). */
export function inviteCodeFrom(randomBytes: Uint8Array): string {
  let code = '';
  for (const byte of randomBytes) code += CODE_ALPHABET[byte % 32] ?? '0';
  return code;
}

export function inviteLink(serverUrl: string, code: string): string {
  return `blockline://invite?${new URLSearchParams({ server: serverUrl, code: formatInviteCode(code) }).toString()}`;
}

export type ParsedInvite = { code: string; server: string | null };

/** A pasted invite link (server and code) or a bare code (server: null); null when it is neither. */
export function parseInvite(input: string): ParsedInvite | null {
  const text = input.trim();
  if (text.toLowerCase().startsWith(INVITE_SCHEME)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return null;
    }
    const path = `${url.host}${url.pathname}`.replace(/\/+$/, '');
    if (path !== 'invite') return null;
    const code = normalizeInviteCode(url.searchParams.get('code') ?? '');
    const server = url.searchParams.get('server');
    return code === null ? null : { code, server: server === null || server === '' ? null : server };
  }
  const code = normalizeInviteCode(text);
  return code === null ? null : { code, server: null };
}

/** This computer's own names: `http:` is allowed to them only (tests, a server on the same machine). */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * Whether an app may send anything to this server address: https only, http only to this computer, so
 * a link cannot lure an agent onto someone else's plain-text server. Returns the origin to show.
 */
export function checkInviteServer(
  server: string,
): { ok: true; origin: string } | { ok: false; message: string } {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    return { ok: false, message: `“${server}” is not a server address` };
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    return { ok: true, origin: url.origin };
  }
  return {
    ok: false,
    message: `The server address must start with https:// (http:// only for this computer): ${server}`,
  };
}

export type InviteLinkResult = { ok: true; server: string; code: string } | { ok: false; message: string };

/**
 * An opened `blockline://invite?server=…&code=…` link (the OS hands it to the app), checked before the
 * sign-in page shows it: both parts present, the code well formed, the server `https:` (loopback
 * `http:`). Nothing is sent to the server here: the person still confirms its address.
 */
export function parseInviteLink(link: string): InviteLinkResult {
  const text = link.trim();
  if (!text.toLowerCase().startsWith(`${INVITE_SCHEME}//`)) {
    return { ok: false, message: 'This is not a blockline://invite link.' };
  }
  const parsed = parseInvite(text);
  if (parsed === null) {
    return { ok: false, message: 'This invite link is damaged: ask your admin to send it again.' };
  }
  if (parsed.server === null) {
    return { ok: false, message: 'This invite link names no server: ask your admin to send it again.' };
  }
  const server = checkInviteServer(parsed.server);
  if (!server.ok) return server;
  return { ok: true, server: server.origin, code: formatInviteCode(parsed.code) };
}

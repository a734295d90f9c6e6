/**
 * STUN and TURN servers of a SIP account (SPEC §10.8). The URL forms are RFC 7064 (`stun:host[:port]`)
 * and RFC 7065 (`turn:host[:port][?transport=udp|tcp]`, `turns:host[:port][?transport=tcp]`); nothing
 * else reaches a peer connection. The TURN credential is not part of the account: it is kept with the
 * other secrets and joined to the server only when the phone builds its peer-connection configuration.
 */
import { z } from 'zod';

const HOST = String.raw`(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)`;
const ICE_URL = new RegExp(
  String.raw`^(stun|turns?):(${HOST})(?::(\d{1,5}))?(?:\?transport=(udp|tcp))?$`,
  'i',
);

/** Why `url` cannot be a STUN/TURN server, or null when it can. */
export function iceServerUrlProblem(url: string): string | null {
  const trimmed = url.trim();
  if (!/^(stun|turns?):/i.test(trimmed)) return 'Use a stun:, turn: or turns: URL';
  const match = ICE_URL.exec(trimmed);
  if (!match) return 'Write it as stun:host:port or turn:host:port?transport=udp';
  const [, scheme = '', , port, transport] = match;
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return 'The port must be 1–65535';
  if (transport !== undefined && scheme.toLowerCase() === 'stun') return 'A stun: URL takes no transport';
  if (transport?.toLowerCase() === 'udp' && scheme.toLowerCase() === 'turns')
    return 'turns: runs over TLS, so its transport can only be tcp';
  return null;
}

export function isTurnUrl(url: string): boolean {
  return /^turns?:/i.test(url.trim());
}

export const iceServerSchema = z
  .object({
    url: z
      .string()
      .trim()
      .max(300)
      .superRefine((url, context) => {
        const problem = iceServerUrlProblem(url);
        if (problem) context.addIssue({ code: 'custom', message: problem });
      }),
    /** TURN only: the long-term credential's user name (the credential itself is a secret). */
    username: z.string().max(256).optional(),
  })
  .strict();
export type IceServer = z.infer<typeof iceServerSchema>;

/** Accounts saved before servers had user names held bare URL strings. */
export const storedIceServerSchema = z.union([
  z
    .string()
    .transform((url) => ({ url: url.trim() }))
    .pipe(iceServerSchema),
  iceServerSchema,
]);

/** sip.js waits this long for candidates before sending the offer anyway (its default, 5 s, is slow). */
export const DEFAULT_ICE_GATHERING_TIMEOUT_MS = 500;
export const iceGatheringTimeoutSchema = z.number().int().min(100).max(10_000);

/** What a peer connection is given: the account's servers with their credentials joined in. */
export interface PeerIceServer {
  urls: string;
  username?: string;
  credential?: string;
}

export function peerIceServers(
  servers: readonly IceServer[],
  credentialFor: (url: string) => string | null | undefined,
): PeerIceServer[] {
  const result: PeerIceServer[] = [];
  for (const server of servers) {
    if (iceServerUrlProblem(server.url) !== null) continue;
    if (!isTurnUrl(server.url)) {
      result.push({ urls: server.url });
      continue;
    }
    const credential = credentialFor(server.url);
    // A TURN server without both halves would make Chromium throw on the whole configuration.
    if (!server.username || !credential) continue;
    result.push({ urls: server.url, username: server.username, credential });
  }
  return result;
}

/** One server as the settings form holds it: the credential typed now ('' = keep the saved one). */
export interface IceServerDraft {
  url: string;
  username: string;
  credential: string;
}

export interface IceServerDraftErrors {
  url?: string;
  username?: string;
  credential?: string;
}

export type IceSettingsResult =
  | {
      ok: true;
      servers: IceServer[];
      /** Credentials to save, by URL (only the ones typed now). */
      credentials: Record<string, string>;
      iceGatheringTimeoutMs: number;
    }
  | { ok: false; serverErrors: IceServerDraftErrors[]; timeoutError: string | null };

/** Checks the form's servers and timeout; `savedCredentialUrls` are the TURN URLs with a credential kept. */
export function validateIceSettings(
  drafts: readonly IceServerDraft[],
  timeoutText: string,
  savedCredentialUrls: readonly string[],
): IceSettingsResult {
  const servers: IceServer[] = [];
  const credentials: Record<string, string> = {};
  const seen = new Set<string>();
  const serverErrors = drafts.map((draft): IceServerDraftErrors => {
    const url = draft.url.trim();
    const errors: IceServerDraftErrors = {};
    const problem = iceServerUrlProblem(url);
    if (problem) errors.url = problem;
    else if (seen.has(url)) errors.url = 'This server is listed twice';
    seen.add(url);
    const username = draft.username.trim();
    if (isTurnUrl(url)) {
      if (username === '') errors.username = 'A TURN server needs a user name';
      if (draft.credential === '' && !savedCredentialUrls.includes(url))
        errors.credential = 'A TURN server needs a credential';
    }
    if (Object.keys(errors).length === 0) {
      servers.push(isTurnUrl(url) ? { url, username } : { url });
      if (isTurnUrl(url) && draft.credential !== '') credentials[url] = draft.credential;
    }
    return errors;
  });
  const timeout = Number(timeoutText.trim());
  const timeoutError = iceGatheringTimeoutSchema.safeParse(timeout).success
    ? null
    : 'Give a whole number of milliseconds from 100 to 10000';
  if (timeoutError !== null || serverErrors.some((errors) => Object.keys(errors).length > 0))
    return { ok: false, serverErrors, timeoutError };
  return { ok: true, servers, credentials, iceGatheringTimeoutMs: timeout };
}

/**
 * The reject fast path (SPEC §3.4 `reject`, §3.6): in reject mode a blocked caller's INVITE is read and
 * decided from the raw WebSocket message, before sip.js's full parse (its pegjs grammar parses every
 * header, and that was most of the app's share of a reject), and answered `603 Decline` statelessly
 * from the same text. Anything that is not plainly a blocked initial INVITE — a re-INVITE (To has a
 * tag), a message missing a header a response needs, one too large, any error — goes on to sip.js
 * untouched, where the ordinary path decides it again. Free of sip.js and the DOM: unit-tested in Node.
 */
import { canonicalHeaderName, parseRawHeaders } from '../../shared/sip-headers';
import type { SipRequestLike } from '../../shared/identity';
import { decideInbound, type InboundDecision } from './interception';
import { statelessResponse } from './raw-message';
import type { CallPolicySource } from './types';

/** Longer messages are left to sip.js: no INVITE a PBX sends comes close. */
const MAX_FAST_PATH_LENGTH = 64 * 1024;
const REQUIRED = ['via', 'from', 'to', 'call-id', 'cseq'] as const;

export interface RawInvite {
  callId: string;
  /** The headers by name, as the identity reader asks for them (full or compact names, any case). */
  request: SipRequestLike;
}

/** An initial INVITE's Call-ID and headers read from its raw text, or null for anything else. */
export function readRawInvite(raw: string): RawInvite | null {
  if (typeof raw !== 'string' || raw.length > MAX_FAST_PATH_LENGTH || !/^INVITE /.test(raw)) return null;
  const end = raw.indexOf('\r\n\r\n');
  if (end === -1) return null;
  const { headers, problem } = parseRawHeaders(raw.slice(0, end + 2));
  if (problem !== null) return null;
  for (const name of REQUIRED) {
    if ((headers.get(name) ?? []).length === 0) return null;
  }
  const single = (name: string) => {
    const values = headers.get(name) ?? [];
    return values.length === 1 ? (values[0] ?? '') : null;
  };
  const to = single('to');
  const callId = single('call-id');
  const cseq = single('cseq');
  const from = single('from');
  // A To tag means an established dialog (a re-INVITE): never the fast path's business.
  if (to === null || /;\s*tag\s*=/i.test(to)) return null;
  if (from === null || callId === null || callId === '' || cseq === null) return null;
  if (!/^\d{1,10}\s+INVITE$/i.test(cseq)) return null;
  return {
    callId,
    request: { getHeaders: (name) => [...(headers.get(canonicalHeaderName(name)) ?? [])] },
  };
}

export interface FastReject {
  /** The 603 to send on the WebSocket. */
  response: string;
  callId: string;
  decided: InboundDecision;
}

/**
 * The stateless 603 for a blocked INVITE in reject mode, or null to hand the message to sip.js. Never
 * throws: a failure here only means the ordinary path handles the call.
 */
export function fastReject(raw: string, line: string | null, policy: CallPolicySource): FastReject | null {
  try {
    if (policy.getSettings().inboundAction !== 'reject') return null;
    const invite = readRawInvite(raw);
    if (invite === null) return null;
    const decided = decideInbound(invite.request, line, policy);
    if (decided.handling !== 'reject') return null;
    const response = statelessResponse(raw, 603, 'Decline');
    return response === null ? null : { response, callId: invite.callId, decided };
  } catch {
    return null;
  }
}

/**
 * The call-interception decisions of the phone, free of sip.js and the DOM so they are unit-tested in
 * Node: read the caller, run the shared decision, and pick what to do with the call. Every function
 * here fails open (SPEC §3.7): an unexpected error lets the call through and says why.
 */
import { decide } from '../../shared/decision';
import type { Decision } from '../../shared/decision.types';
import { isEmergencyNumber } from '../../shared/emergency';
import { identityFromSipJsRequest, type SipRequestLike } from '../../shared/identity';
import type { CallerIdentity } from '../../shared/identity.types';
import { isSupportedCountryCode, normalizeNumber } from '../../shared/numbers';
import type { CallPolicySource } from './types';
import { errorMessage } from '../../shared/error-message';

export type InboundHandling = 'ring' | 'reject' | 'early-media' | 'answer';

export function failOpenDecision(error: unknown, number: string | null = null): Decision {
  const message = errorMessage(error);
  return {
    verdict: { action: 'allow', why: 'decision_failed', error: message },
    number,
    explanation: `The call was let through because the blocklist check failed: ${message}`,
  };
}

export interface InboundDecision {
  identity: CallerIdentity;
  decision: Decision;
  handling: InboundHandling;
}

/** Reads the caller from the INVITE and decides, never throwing. */
export function decideInbound(
  request: SipRequestLike,
  line: string | null,
  policy: CallPolicySource,
): InboundDecision {
  let identity: CallerIdentity = { kind: 'unknown', raw: null, problem: 'not read yet', verification: null };
  try {
    const settings = policy.getSettings();
    identity = identityFromSipJsRequest(request, settings.defaultCountry);
    const decision = decide(
      { direction: 'inbound', line, caller: identity },
      policy.getIndex(),
      settings,
      policy.getClock(),
    );
    const handling = inboundHandling(
      decision,
      settings.inboundAction,
      line === null ? null : policy.getLine(line),
    );
    return { identity, decision, handling };
  } catch (error) {
    const number = identity.kind === 'number' ? identity.e164 : null;
    return { identity, decision: failOpenDecision(error, number), handling: 'ring' };
  }
}

/** SPEC §3.4: reject, or announce by early media or — on lines set so — by answering. */
export function inboundHandling(
  decision: Decision,
  inboundAction: 'announce' | 'reject',
  line: { announcementMode: 'early-media' | 'answer' } | null,
): InboundHandling {
  if (decision.verdict.action !== 'block') return 'ring';
  if (inboundAction === 'reject') return 'reject';
  return line?.announcementMode === 'answer' ? 'answer' : 'early-media';
}

export type OutboundDecision =
  | { kind: 'emergency'; target: string }
  | {
      kind: 'allow';
      target: string;
      decision: Decision;
      number: string | null;
      /** Digits written after the number (`x 2041`): sent as DTMF once the call connects (§1.1a). */
      extension?: string;
    }
  | { kind: 'block'; decision: Decision }
  | { kind: 'refused'; message: string };

/**
 * Decides an outbound call BEFORE any INVITE exists (SPEC §3.5). Emergency numbers always go out, whatever
 * the list or any error says (§1.3). `domain` is the host part for numbers dialled as digits.
 */
export function decideOutbound(
  dialed: string,
  line: string | null,
  domain: string,
  policy: CallPolicySource,
): OutboundDecision {
  const trimmed = typeof dialed === 'string' ? dialed.trim() : '';
  if (trimmed === '') return { kind: 'refused', message: 'Enter a number to call.' };
  let country = 'US';
  try {
    country = policy.getSettings().defaultCountry;
  } catch {
    // Keep the fallback country: emergency numbers must still go out.
  }
  const emergencyCountry = isSupportedCountryCode(country) ? country : 'US';
  try {
    if (isEmergencyNumber(trimmed, emergencyCountry)) {
      return { kind: 'emergency', target: `sip:${digitsOnly(trimmed)}@${domain}` };
    }
  } catch {
    if (/^\d{2,3}$/.test(digitsOnly(trimmed)))
      return { kind: 'emergency', target: `sip:${digitsOnly(trimmed)}@${domain}` };
  }

  const normalized = isSupportedCountryCode(country) ? normalizeNumber(trimmed, country) : null;
  const number = normalized?.ok ? normalized.e164 : null;
  const target = dialTarget(trimmed, number, domain);
  if (target === null) {
    return {
      kind: 'refused',
      message: normalized && !normalized.ok ? normalized.message : `Cannot call "${trimmed}".`,
    };
  }
  let decision: Decision;
  try {
    decision = decide(
      { direction: 'outbound', line, dialed: trimmed },
      policy.getIndex(),
      policy.getSettings(),
      policy.getClock(),
    );
  } catch (error) {
    decision = failOpenDecision(error, number);
  }
  if (decision.verdict.action === 'block') return { kind: 'block', decision };
  const extension = normalized?.ok === true ? normalized.extension : undefined;
  return extension === undefined
    ? { kind: 'allow', target, decision, number }
    : { kind: 'allow', target, decision, number, extension };
}

function digitsOnly(text: string): string {
  return text.replace(/[^\d+*#]/g, '');
}

/** The request-URI for a dialled string: a SIP URI as given, otherwise the number at the line's domain. */
export function dialTarget(dialed: string, e164: string | null, domain: string): string | null {
  if (/^sips?:/i.test(dialed)) return /^sips?:[^@\s]+@[^@\s]+$/i.test(dialed) ? dialed : null;
  if (e164 !== null) return `sip:${e164}@${domain}`;
  const digits = digitsOnly(dialed.replace(/^tel:/i, ''));
  // Extensions and service codes (no valid E.164) still go out as dialled digits.
  return /^\+?[\d*#]{1,20}$/.test(digits) ? `sip:${digits}@${domain}` : null;
}

/** True when the INVITE names 100rel in Require or Supported (then the 183 is sent reliably). */
export function invitesReliableProvisional(request: SipRequestLike): boolean {
  const names = ['Require', 'Supported', 'k'];
  return names.some((name) => {
    try {
      return request
        .getHeaders(name)
        .some((value) => value.split(',').some((option) => option.trim().toLowerCase() === '100rel'));
    } catch {
      return false;
    }
  });
}

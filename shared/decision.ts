/**
 * The call decision (SPEC §3.1, §3.4–3.7, §1.3–1.4, §2.1a, §2.6): pure, synchronous, no I/O, and it
 * never throws — a decision that fails lets the call through (§3.7).
 *
 * Order, first that applies wins:
 * 1. outbound to an emergency number → allow (§1.3), whatever the list, settings or any error;
 * 2. inbound within `psapWindowMinutes` after this machine's last emergency call → allow (§1.4);
 * 3. an exception (`allow` rule) covering the number on this line or all lines → allow (§2.1a);
 * 4. a `block` rule covering the number on this line or all lines → block;
 * 5. anonymous caller and `blockAnonymous` → block. A number the caller withheld but the network asserted
 *    (`withheld: true`) that no rule covers is treated as anonymous too: the caller asked not to be
 *    identified, and the org asked to refuse such callers;
 * 6. verification failed and `blockFailedVerification` → block;
 * 7. otherwise allow.
 */
import type { CallerIdentity } from './identity.types';
import type { CallToDecide, Decision, DecisionClock, Verdict } from './decision.types';
import { isEmergencyNumber } from './emergency';
import { verificationStatus } from './identity';
import { isSupportedCountryCode, normalizeNumber } from './numbers';
import type { CountryCode, NormalizeResult } from './numbers';
import { findMatchingRuleByKey, numberKey } from './rule-index';
import type { RuleIndex } from './rule-index';
import { E164_PATTERN } from './rules';
import type { Rule } from './rules';
import type { OrgSettings } from './settings';
import { errorMessage } from './error-message';

export { buildRuleIndex, findMatchingRule } from './rule-index';
export type { RuleIndex } from './rule-index';

const MINUTE_MS = 60_000;

/** Decides one call. Never throws: any unexpected failure allows the call (`decision_failed`). */
export function decide(
  call: CallToDecide,
  index: RuleIndex,
  settings: OrgSettings,
  clock: DecisionClock,
): Decision {
  try {
    if (call.direction === 'outbound') {
      // First, before the list is even looked at (§1.3).
      if (isEmergencySafe(call.dialed, settings)) return emergencyDecision(call.dialed);
      return decideOutbound(call.dialed, call.line, index, settings, clock);
    }
    return decideInbound(call.caller, call.line, index, settings, clock);
  } catch (error) {
    return failedDecision(error);
  }
}

/**
 * "Test a number" (§2.6): the verdict an inbound call from `input` would get on `line` right now.
 * `input` is anything a person types; an emergency number is reported as never blocked, `anonymous`
 * (or another withheld form) tests the anonymous policy. Never throws.
 */
export function testNumber(
  input: string,
  line: string | null,
  index: RuleIndex,
  settings: OrgSettings,
  clock: DecisionClock,
): Decision {
  try {
    if (isEmergencySafe(input, settings)) return emergencyDecision(input);
    const trimmed = input.trim();
    if (WITHHELD_WORDS.has(trimmed.toLowerCase())) {
      return decide(
        { direction: 'inbound', line, caller: { kind: 'anonymous', verification: null } },
        index,
        settings,
        clock,
      );
    }
    const country = countryOf(settings);
    const normalized = normalizeForMatching(trimmed, country);
    if (!normalized.ok) {
      return {
        verdict: { action: 'allow', why: 'not_a_number' },
        number: null,
        explanation: normalized.message,
      };
    }
    const caller: CallerIdentity = {
      kind: 'number',
      e164: normalized.e164,
      withheld: false,
      verification: null,
    };
    return decide({ direction: 'inbound', line, caller }, index, settings, clock);
  } catch (error) {
    return failedDecision(error);
  }
}

const WITHHELD_WORDS = new Set(['anonymous', 'unknown', 'unavailable', 'restricted', 'private', 'withheld']);

// ---------------------------------------------------------------------------------------------------------

function decideOutbound(
  dialed: string,
  line: string | null,
  index: RuleIndex,
  settings: OrgSettings,
  clock: DecisionClock,
): Decision {
  const normalized = normalizeForMatching(dialed, countryOf(settings));
  if (!normalized.ok) {
    return {
      verdict: { action: 'allow', why: 'not_a_number' },
      number: null,
      explanation: `${quote(dialed)} is not a phone number, so no rule can match it; the call is allowed.`,
    };
  }
  return decideNumber(normalized.e164, line, 'outbound', index, clock.nowMs) ?? noMatch(normalized.e164);
}

function decideInbound(
  caller: CallerIdentity,
  line: string | null,
  index: RuleIndex,
  settings: OrgSettings,
  clock: DecisionClock,
): Decision {
  const number = caller.kind === 'number' ? caller.e164 : null;
  const last = clock.lastEmergencyCallAtMs;
  if (last !== null) {
    const untilMs = last + settings.psapWindowMinutes * MINUTE_MS;
    // A last call "in the future" (the clock went back) still suspends blocking: that is the safe side.
    if (clock.nowMs < untilMs) {
      return {
        verdict: { action: 'allow', why: 'callback_window', untilMs },
        number,
        explanation: `Inbound blocking is suspended until ${new Date(untilMs).toISOString()} after an emergency call from this phone, so the emergency service can call back.`,
      };
    }
  }
  if (number !== null) {
    const byRule = decideNumber(number, line, 'inbound', index, clock.nowMs);
    if (byRule !== null) return byRule;
  }
  const anonymous = caller.kind === 'anonymous' || (caller.kind === 'number' && caller.withheld);
  if (anonymous && settings.blockAnonymous) {
    return {
      verdict: { action: 'block', why: 'anonymous' },
      number,
      explanation:
        number === null
          ? 'The caller withheld their number, and the organization blocks anonymous callers.'
          : `The caller asked to withhold their number (${number}, asserted by the network), and the organization blocks anonymous callers.`,
    };
  }
  if (settings.blockFailedVerification && verificationStatus(caller.verification) === 'failed') {
    return {
      verdict: { action: 'block', why: 'failed_verification' },
      number,
      explanation: `The caller${number === null ? '' : ` ${number}`} failed caller verification (TN-Validation-Failed), and the organization blocks calls that fail verification.`,
    };
  }
  if (caller.kind === 'unknown') {
    return {
      verdict: { action: 'allow', why: 'not_a_number' },
      number: null,
      explanation: `The caller ${caller.raw === null ? 'could not be identified' : `${quote(caller.raw)} is not a phone number`}, so no rule can match; the call is allowed.`,
    };
  }
  if (caller.kind === 'anonymous') {
    return {
      verdict: { action: 'allow', why: 'no_match' },
      number: null,
      explanation: 'The caller withheld their number; anonymous callers are allowed by the organization.',
    };
  }
  return noMatch(caller.e164);
}

/** The rule-based part of a decision: an exception, else a block rule, else null. */
function decideNumber(
  e164: string,
  line: string | null,
  direction: 'inbound' | 'outbound',
  index: RuleIndex,
  nowMs: number,
): Decision | null {
  const key = numberKey(e164);
  if (key === -1) return null;
  const digits = e164.length - 1;
  const exception = findMatchingRuleByKey(index, key, digits, 'allow', line, nowMs);
  if (exception !== null)
    return ruleDecision({ action: 'allow', why: 'exception', rule: exception }, e164, direction);
  const block = findMatchingRuleByKey(index, key, digits, 'block', line, nowMs);
  if (block !== null) return ruleDecision({ action: 'block', why: 'rule', rule: block }, e164, direction);
  return null;
}

/** A decision made by a rule, with a sentence that names the rule and its reason. */
function ruleDecision(verdict: RuleVerdict, number: string, direction: 'inbound' | 'outbound'): Decision {
  const explanation =
    verdict.why === 'exception'
      ? `${number} is allowed by the exception ${describeRule(verdict.rule)}.`
      : `${direction === 'inbound' ? 'Calls from' : 'Calls to'} ${number} are blocked by the rule ${describeRule(verdict.rule)}.`;
  return { verdict, number, explanation };
}

type RuleVerdict = Extract<Verdict, { rule: Rule }>;

function describeRule(rule: Rule): string {
  const where = rule.scope === 'all' ? 'on all lines' : `on line ${rule.scope}`;
  const temporary = rule.expiresAt === null ? '' : `, until ${rule.expiresAt}`;
  // No quoting work here: this runs on every blocked call, and reasons are trimmed, bounded text.
  return `${rule.number} ${where}${temporary} (reason: “${rule.reason}”)`;
}

function noMatch(e164: string): Decision {
  return {
    verdict: { action: 'allow', why: 'no_match' },
    number: e164,
    explanation: `No rule or policy blocks ${e164}; the call is allowed.`,
  };
}

function emergencyDecision(dialed: string): Decision {
  return {
    verdict: { action: 'allow', why: 'emergency' },
    number: null,
    explanation: `${quote(dialed)} is an emergency number: calls to emergency numbers are never blocked.`,
  };
}

function failedDecision(error: unknown): Decision {
  const message = errorMessage(error);
  const verdict: Verdict = { action: 'allow', why: 'decision_failed', error: message };
  return {
    verdict,
    number: null,
    explanation: `The decision failed (${message}), so the call is allowed: blocking must never stop calling.`,
  };
}

/** Emergency check that cannot fail: if even this throws, the dialed string is treated as emergency. */
function isEmergencySafe(dialed: string, settings: OrgSettings): boolean {
  try {
    return isEmergencyNumber(dialed, countryOf(settings));
  } catch {
    return true;
  }
}

/**
 * Normalizes a dialed or typed number for matching. A string already in E.164 form is matched as it is even
 * when libphonenumber does not know its numbering plan: a rule stored for exactly that string must apply.
 */
function normalizeForMatching(input: string, country: CountryCode): NormalizeResult {
  const normalized = normalizeNumber(input, country, { acceptUnassigned: true });
  if (normalized.ok) return normalized;
  const trimmed = input.trim();
  return E164_PATTERN.test(trimmed) ? { ok: true, e164: trimmed } : normalized;
}

/** Settings are validated upstream; a country libphonenumber does not know must still not stop calls. */
function countryOf(settings: OrgSettings): CountryCode {
  const country = settings.defaultCountry;
  return isSupportedCountryCode(country) ? country : 'US';
}

function quote(text: string): string {
  const oneLine = String(text).replace(/\s+/g, ' ').trim();
  return JSON.stringify(oneLine.length > 60 ? `${oneLine.slice(0, 57)}...` : oneLine);
}

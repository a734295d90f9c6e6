/**
 * Auto-block (SPEC §4): a pure evaluator the server runs over the call-attempt reports of all agents.
 * When one number made N distinct inbound call attempts within M minutes (outside working hours, if the
 * org asks for that), it proposes a `block` rule on all lines with `source: 'auto'`.
 */
import { isEmergencyNumber } from './emergency';
import { isSupportedCountryCode } from './numbers';
import { buildRuleIndex, findMatchingRule } from './rule-index';
import type { RuleIndex } from './rule-index';
import { E164_PATTERN } from './rules';
import type { Rule } from './rules';
import { localWeekdayAndTime } from './local-time';
import type { AutoBlockSettings, WorkingHours } from './settings';

/** What the evaluator needs of a call report (a `CallReport` fits). */
export interface CallAttempt {
  /** The SIP Call-ID: several agents reporting the same attempt count once (§4.2). */
  callId: string;
  number: string | null;
  /** ISO date-time or epoch milliseconds. */
  at: string | number;
  direction: 'inbound' | 'outbound';
  anonymous: boolean;
}

export interface AutoBlockProposal {
  number: string;
  scope: 'all';
  kind: 'block';
  source: 'auto';
  reason: string;
  expiresAt: null;
  /** Distinct call attempts that counted. */
  attempts: number;
}

/** Reports dated up to this far after `nowMs` still count: agents' clocks are not perfectly in step. */
const CLOCK_SKEW_MS = 60_000;

/**
 * Every number that qualifies right now, most attempts first. Attempts count when they are inbound, not
 * anonymous, from an E.164 number, dated within the last `windowMinutes` before `nowMs` and — with
 * `outsideWorkingHoursOnly` — outside working hours. Numbers that are emergency numbers, or that a live
 * rule on all lines already blocks or excepts, are never proposed. Never throws (returns [] on bad input).
 */
export function autoBlockCandidates(
  reports: readonly CallAttempt[],
  settings: AutoBlockSettings,
  nowMs: number,
  existingRules: readonly Rule[] | RuleIndex,
  country = 'US',
): AutoBlockProposal[] {
  try {
    if (!settings.enabled) return [];
    const windowMs = settings.windowMinutes * 60_000;
    const earliest = nowMs - windowMs;
    const attemptsByNumber = new Map<string, Set<string>>();
    for (const report of reports) {
      if (report.direction !== 'inbound' || report.anonymous) continue;
      const number = report.number;
      if (typeof number !== 'string' || !E164_PATTERN.test(number)) continue;
      if (typeof report.callId !== 'string' || report.callId === '') continue;
      const at = typeof report.at === 'number' ? report.at : Date.parse(report.at);
      if (!Number.isFinite(at) || at <= earliest || at > nowMs + CLOCK_SKEW_MS) continue;
      if (settings.outsideWorkingHoursOnly && isWithinWorkingHours(at, settings)) continue;
      const callIds = attemptsByNumber.get(number) ?? new Set<string>();
      callIds.add(report.callId);
      attemptsByNumber.set(number, callIds);
    }

    const qualifying = [...attemptsByNumber].filter(([, callIds]) => callIds.size >= settings.threshold);
    if (qualifying.length === 0) return [];
    const index = isRuleIndex(existingRules) ? existingRules : buildRuleIndex(existingRules);
    const emergencyCountry = isSupportedCountryCode(country) ? country : 'US';
    const suffix = settings.outsideWorkingHoursOnly ? ' outside working hours' : '';
    return qualifying
      .filter(
        ([number]) =>
          !isEmergencyNumber(number, emergencyCountry) &&
          findMatchingRule(index, number, 'block', null, nowMs) === null &&
          findMatchingRule(index, number, 'allow', null, nowMs) === null,
      )
      .map(([number, callIds]) => ({
        number,
        scope: 'all' as const,
        kind: 'block' as const,
        source: 'auto' as const,
        reason: `Auto-blocked: ${callIds.size} calls within ${settings.windowMinutes} minutes${suffix}`,
        expiresAt: null,
        attempts: callIds.size,
      }))
      .sort((a, b) => b.attempts - a.attempts || (a.number < b.number ? -1 : 1));
  } catch {
    // A broken report or setting must not take the server's report intake down; nothing is proposed.
    return [];
  }
}

function isRuleIndex(rules: readonly Rule[] | RuleIndex): rules is RuleIndex {
  return !Array.isArray(rules);
}

/** The rule to create now (the number with the most attempts), or null. See {@link autoBlockCandidates}. */
export function evaluateAutoBlock(
  reports: readonly CallAttempt[],
  settings: AutoBlockSettings,
  nowMs: number,
  existingRules: readonly Rule[] | RuleIndex,
  country = 'US',
): AutoBlockProposal | null {
  return autoBlockCandidates(reports, settings, nowMs, existingRules, country)[0] ?? null;
}

// ---------------------------------------------------------------------------------------------------------
// Working hours (the org's wall clock: shared/local-time.ts).

/** Whether the instant falls within that weekday's working hours (start inclusive, end exclusive). */
export function isWithinWorkingHours(
  ms: number,
  settings: { workingHours: WorkingHours; timeZone: string },
): boolean {
  const { weekday, time } = localWeekdayAndTime(ms, settings.timeZone);
  const day = settings.workingHours[weekday];
  return day !== null && time >= day.start && time < day.end;
}

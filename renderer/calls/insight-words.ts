import type { InsightResponse } from '../../shared/contracts/oversight';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function day(iso: string): string {
  const date = new Date(iso);
  return `${date.getDate()} ${MONTHS[date.getMonth()] ?? ''}`;
}

type InsightRule = InsightResponse['rules'][number];

function describeRule(rule: InsightRule): string {
  const what = rule.kind === 'block' ? 'blocked' : 'allowed as an exception';
  const scope = rule.number.endsWith('*') ? ` (prefix ${rule.number})` : '';
  if (rule.status === 'active') {
    const until = rule.expiresAt === null ? '' : ` until ${day(rule.expiresAt)}`;
    return `${what[0]?.toUpperCase() ?? ''}${what.slice(1)}${until}${scope} by ${rule.createdBy}: ${rule.reason}`;
  }
  if (rule.status === 'expired') {
    const until = rule.endedAt ?? rule.expiresAt;
    return `Was ${what}${until === null ? '' : ` until ${day(until)}`}${scope} by ${rule.createdBy}: ${rule.reason}`;
  }
  const ended =
    rule.endedAt === null
      ? ''
      : `, rule deleted ${day(rule.endedAt)}${rule.endedBy ? ` by ${rule.endedBy}` : ''}`;
  return `Was ${what}${scope} by ${rule.createdBy}: ${rule.reason}${ended}`;
}

const VERIFICATION_WORDS: Record<string, string> = {
  'TN-Validation-Passed': 'verified',
  'TN-Validation-Failed': 'failed verification',
  'No-TN-Validation': 'not verified',
};

/**
 * Rings spread over minutes say how fast they came ("in 10 minutes"); rings within one minute (one
 * report, or one queue call ringing several agents) say how long ago they were.
 */
function describeRings(agents: number, firstAt: string | null, lastAt: string | null, now: number): string {
  const who = agents === 1 ? '1 agent' : `${agents} agents`;
  if (firstAt === null || lastAt === null) return `Rang ${who} in the last hour`;
  const spanMinutes = Math.ceil((Date.parse(lastAt) - Date.parse(firstAt)) / 60_000);
  if (spanMinutes >= 1) return `Rang ${who} in ${spanMinutes} min`;
  const agoMinutes = Math.floor((now - Date.parse(lastAt)) / 60_000);
  return agoMinutes >= 1 ? `Rang ${who} ${agoMinutes} min ago` : `Rang ${who} just now`;
}

/**
 * What the org knows of a caller, as short phrases (SPEC §12.3): "rang 4 agents in 10 minutes",
 * "blocked until 3 May by Lee: abusive". At most two rules: the newest say the most.
 */
export function describeInsight(insight: InsightResponse, now = Date.now()): string[] {
  const parts = insight.rules.slice(0, 2).map(describeRule);
  const { agents, firstAt, lastAt } = insight.lastHour;
  if (agents > 0) parts.push(describeRings(agents, firstAt, lastAt, now));
  if (insight.lastVerification !== null) {
    const words = VERIFICATION_WORDS[insight.lastVerification.verstat] ?? insight.lastVerification.verstat;
    parts.push(`Last call ${words}`);
  }
  return parts;
}

/**
 * What a blocked call leaves behind (SPEC §3.4, §3.5): the history entry (inbound ones only when the org
 * logs them) and the report for the server. Pure functions over the phone's BlockedCallEvent.
 */
import type { CallReport } from '../../shared/contracts/api';
import type { HistoryEntry } from '../../shared/contracts/ipc';
import { verificationStatus } from '../../shared/identity';
import { formatForDisplay, isSupportedCountryCode } from '../../shared/numbers';
import type { OrgSettings } from '../../shared/settings';
import type { BlockedCallEvent } from './types';

function isAnonymous(event: BlockedCallEvent): boolean {
  const identity = event.identity;
  return (
    identity !== null && (identity.kind === 'anonymous' || (identity.kind === 'number' && identity.withheld))
  );
}

/** The rule's reason when a rule decided, otherwise the decision's own sentence. */
export function blockedReason(event: BlockedCallEvent): string {
  const verdict = event.decision.verdict;
  return verdict.action === 'block' && verdict.why === 'rule'
    ? verdict.rule.reason
    : event.decision.explanation;
}

export function callReportFor(event: BlockedCallEvent): CallReport {
  const verdict = event.decision.verdict;
  const verstat = event.identity?.verification?.verstat ?? null;
  return {
    id: event.id,
    callId: event.sipCallId ?? event.id,
    direction: event.direction,
    line: event.line,
    number: event.decision.number,
    anonymous: isAnonymous(event),
    action: verdict.action,
    why: verdict.why,
    ruleId: 'rule' in verdict ? verdict.rule.id : null,
    at: new Date(event.at).toISOString(),
    verstat,
  };
}

/**
 * The call-history entry for a blocked call, or null when none is due: blocked inbound calls appear only
 * with `logBlockedInbound` on ("Hung up: blocked"); blocked outbound attempts always appear.
 */
export function historyEntryForBlocked(event: BlockedCallEvent, settings: OrgSettings): HistoryEntry | null {
  if (event.direction === 'inbound' && !settings.logBlockedInbound) return null;
  const number = event.decision.number;
  const country = settings.defaultCountry;
  let display: string;
  if (number !== null) display = isSupportedCountryCode(country) ? formatForDisplay(number, country) : number;
  else if (event.direction === 'outbound') display = event.dialed ?? 'Unknown';
  else display = isAnonymous(event) ? 'Anonymous' : 'Unknown';
  return {
    id: event.id,
    direction: event.direction,
    number,
    display,
    line: event.line,
    startedAt: new Date(event.at).toISOString(),
    durationSeconds: 0,
    result: 'blocked',
    blockedReason: blockedReason(event),
    verification: event.identity ? verificationStatus(event.identity.verification) : null,
  };
}

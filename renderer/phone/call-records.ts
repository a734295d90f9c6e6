/**
 * What a call leaves behind, in one place (SPEC §3.4, §3.5): the call-history entry, the report the
 * server counts for rule hits and auto-block, the words for why a call was blocked, and the caller's
 * verification in one word. Pure functions over the phone's plain events and snapshots; the app's phone
 * controller only hands their results to the stores and the host.
 */
import type { CallReport } from '../../shared/contracts/api';
import type { HistoryEntry } from '../../shared/contracts/ipc';
import type { Decision } from '../../shared/decision.types';
import type { CallerIdentity } from '../../shared/identity.types';
import type { BlockedCallEvent, CallSnapshot, IncomingCallEvent, RefusedCallEvent } from './types';

/** Words for the history and the dialer: why the decision blocked. */
export function blockedReason(decision: Decision): string {
  const verdict = decision.verdict;
  if (verdict.action !== 'block') return '';
  switch (verdict.why) {
    case 'rule':
      return verdict.rule.reason;
    case 'anonymous':
      return 'Anonymous caller';
    case 'failed_verification':
      return 'Caller verification failed';
  }
}

/** The dialer's notice for an outbound number the organization blocks. */
export function blockedDialNotice(event: BlockedCallEvent): string {
  return `Blocked by your organization: ${blockedReason(event.decision)}`;
}

/** The caller's verification in one word for the history; null when there was no caller (outbound). */
export function verificationOf(identity: CallerIdentity | null): HistoryEntry['verification'] {
  const verstat = identity?.verification?.verstat ?? null;
  if (verstat === 'TN-Validation-Passed') return 'passed';
  if (verstat === 'TN-Validation-Failed') return 'failed';
  return identity === null ? null : 'none';
}

/** Report ids carry their kind (`blk-`, `in-`) and are at least 8 characters, as the server's schema wants. */
export function reportId(prefix: string, id: string): string {
  return `${prefix}-${id}`.padEnd(8, '0').slice(0, 100);
}

/** The report for a blocked call (SPEC §3.4, §4.2). */
export function reportForBlocked(event: BlockedCallEvent): CallReport {
  const verdict = event.decision.verdict;
  const identity = event.identity;
  return {
    id: reportId('blk', event.id),
    callId: event.sipCallId ?? event.id,
    direction: event.direction,
    line: event.line,
    number: event.decision.number,
    anonymous: identity?.kind === 'anonymous' || (identity?.kind === 'number' && identity.withheld),
    action: 'block',
    why: verdict.why,
    ruleId: verdict.action === 'block' && verdict.why === 'rule' ? verdict.rule.id : null,
    at: new Date(event.at).toISOString(),
    verstat: identity?.verification?.verstat ?? null,
  };
}

/** The report for an inbound call that was allowed to ring (exception rules count as hits too). */
export function reportForAllowed({ call, decision, identity }: IncomingCallEvent): CallReport {
  return {
    id: reportId('in', call.id),
    callId: call.sipCallId ?? call.id,
    direction: 'inbound',
    line: call.line,
    number: decision.number,
    anonymous: identity.kind === 'anonymous',
    action: 'allow',
    why: decision.verdict.why,
    ruleId:
      decision.verdict.action === 'allow' && decision.verdict.why === 'exception'
        ? decision.verdict.rule.id
        : null,
    at: new Date(call.startedAt).toISOString(),
    verstat: identity.verification?.verstat ?? null,
  };
}

/** Blocked outbound attempts always go into the history; blocked inbound calls only when the org logs them. */
export function blockedCallIsLogged(event: BlockedCallEvent, logBlockedInbound: boolean): boolean {
  return event.direction === 'outbound' || logBlockedInbound;
}

/** The history entry for a blocked call (the History view formats the number for display). */
export function historyForBlocked(event: BlockedCallEvent): HistoryEntry {
  return {
    id: event.id,
    direction: event.direction,
    number: event.decision.number,
    display:
      event.decision.number ??
      event.dialed ??
      (event.identity?.kind === 'anonymous' ? 'Anonymous' : 'Unknown caller'),
    line: event.line,
    startedAt: new Date(event.at).toISOString(),
    durationSeconds: 0,
    result: 'blocked',
    blockedReason: blockedReason(event.decision),
    verification: verificationOf(event.identity),
  };
}

/** The history entry for a call that rang or was placed, once it has ended. */
export function historyForCall(call: CallSnapshot): HistoryEntry {
  const connected = call.connectedAt !== null;
  const reason = call.endReason ?? '';
  let result: HistoryEntry['result'];
  if (connected) result = 'answered';
  else if (reason === 'declined') result = 'declined';
  else if (reason.startsWith('failed')) result = 'failed';
  else if (call.direction === 'inbound') result = 'missed';
  else result = 'cancelled';
  return {
    id: call.id,
    direction: call.direction,
    number: call.number,
    display: call.remote,
    line: call.line,
    startedAt: new Date(call.startedAt).toISOString(),
    durationSeconds:
      connected && call.connectedAt !== null
        ? Math.max(0, ((call.endedAt ?? Date.now()) - call.connectedAt) / 1000)
        : 0,
    result,
    blockedReason: null,
    verification: call.verification,
    quality: call.quality?.worst ?? null,
  };
}

/** The history entry for an allowed call refused for the agent (Do not disturb, busy): a missed call. */
export function historyForRefused(event: RefusedCallEvent): HistoryEntry {
  return {
    id: `refused-${event.at}-${event.statusCode}-${event.remote}`.slice(0, 100),
    direction: 'inbound',
    number: event.number,
    display: event.remote,
    line: event.line,
    startedAt: new Date(event.at).toISOString(),
    durationSeconds: 0,
    result: 'missed',
    blockedReason: null,
    verification: null,
  };
}

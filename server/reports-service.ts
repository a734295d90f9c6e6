/**
 * Call reports from the apps (SPEC §3.4, §3.5, §4): idempotent by report id, counted once per call
 * attempt however many agents saw it — an attempt is one Call-ID, or the same caller on the same line
 * arriving within a few seconds (PBX queues give each agent's leg its own Call-ID). They advance rule
 * hit counters and feed auto-block; an auto-block that rests on one user's reports is temporary and
 * waits for a lead's review (§11.4).
 */
import type { CallReport } from '../shared/contracts/api';
import { ApiError } from './errors';
import { evaluateAutoBlock } from '../shared/autoblock';
import { findRuleConflict, type Rule } from '../shared/rules';
import { insertRule } from './rules-service';
import { ruleFromRow, type AuthenticatedUser, type OrgWrite, type Repository } from './repository';
import { recordBlockedAttempts } from './stats-recorder';

export const AUTO_BLOCK_CREATOR = 'Auto-block';

/** Legs of one call reach the agents this close together. */
export const ATTEMPT_MERGE_MS = 5_000;
/** How far in the future a report may be dated (agents' clocks drift); queued offline reports are older. */
export const MAX_REPORT_CLOCK_SKEW_MS = 5 * 60_000;
/** How long an auto-block resting on one user's reports lasts unless a lead keeps it. */
export const REVIEW_RULE_LIFETIME_MS = 24 * 3_600_000;

/** The attempt a report belongs to: an existing one (same Call-ID, or caller and line within seconds). */
async function existingAttempt(write: OrgWrite, report: CallReport): Promise<string | null> {
  const byCallId = await write.tx
    .selectFrom('call_attempts')
    .select('call_id')
    .where('org_id', '=', write.org.id)
    .where('call_id', '=', report.callId)
    .executeTakeFirst();
  if (byCallId !== undefined) return byCallId.call_id;
  if (report.number === null) return null;
  const atMs = Date.parse(report.at);
  let query = write.tx
    .selectFrom('call_attempts')
    .select('call_id')
    .where('org_id', '=', write.org.id)
    .where('number', '=', report.number)
    .where('direction', '=', report.direction)
    .where('at', '>=', new Date(atMs - ATTEMPT_MERGE_MS).toISOString())
    .where('at', '<=', new Date(atMs + ATTEMPT_MERGE_MS).toISOString());
  query = report.line === null ? query.where('line', 'is', null) : query.where('line', '=', report.line);
  const near = await query.orderBy('at').limit(1).executeTakeFirst();
  return near?.call_id ?? null;
}

function refuseFutureReports(reports: readonly CallReport[], nowMs: number): void {
  const issues = reports.flatMap((report, index) =>
    Date.parse(report.at) > nowMs + MAX_REPORT_CLOCK_SKEW_MS
      ? [{ path: ['reports', index, 'at'], message: 'lies in the future beyond the allowed clock skew' }]
      : [],
  );
  if (issues.length > 0) {
    throw new ApiError(422, 'unprocessable', 'a report may not be dated in the future', { issues });
  }
}

export async function receiveCallReports(
  store: Repository,
  user: AuthenticatedUser,
  reports: readonly CallReport[],
): Promise<{ accepted: number; duplicates: number }> {
  refuseFutureReports(reports, store.now());
  return store.writeOrg(user.orgId, async (write) => {
    const orgId = write.org.id;
    let accepted = 0;
    const hits = new Map<string, { count: number; lastHitAt: string }>();
    const newInboundNumbers = new Set<string>();
    const newAttempts: CallReport[] = [];
    for (const report of reports) {
      const inserted = await write.tx
        .insertInto('call_reports')
        .values({
          org_id: orgId,
          id: report.id,
          call_id: report.callId,
          user_id: user.id,
          received_at: write.nowIso,
          ...reportOutcome(report),
          direction: report.direction,
          number: report.number,
          at: new Date(report.at).toISOString(),
        })
        .onConflict((conflict) => conflict.columns(['org_id', 'id']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (inserted === undefined) continue;
      accepted += 1;
      // Several agents report one attempt (the same Call-ID, or their own legs of it): counted once.
      const known = await existingAttempt(write, report);
      await write.tx
        .updateTable('call_reports')
        .set({ attempt_id: known ?? report.callId })
        .where('org_id', '=', orgId)
        .where('id', '=', report.id)
        .execute();
      // Another user's report of a counted attempt is more evidence for auto-block, not another attempt.
      if (report.direction === 'inbound' && report.number !== null) newInboundNumbers.add(report.number);
      if (known !== null) continue;
      await write.tx
        .insertInto('call_attempts')
        .values({
          org_id: orgId,
          call_id: report.callId,
          direction: report.direction,
          number: report.number,
          line: report.line,
          anonymous: report.anonymous ? 1 : 0,
          at: new Date(report.at).toISOString(),
          ...reportOutcome(report),
        })
        .execute();
      newAttempts.push(report);
      if (report.ruleId !== null) {
        const hit = hits.get(report.ruleId) ?? { count: 0, lastHitAt: report.at };
        hit.count += 1;
        if (Date.parse(report.at) >= Date.parse(hit.lastHitAt))
          hit.lastHitAt = new Date(report.at).toISOString();
        hits.set(report.ruleId, hit);
      }
    }
    await recordHits(write, hits);
    await recordBlockedAttempts(write, newAttempts);
    if (write.org.settings.autoBlock.enabled) {
      for (const number of newInboundNumbers) await considerAutoBlock(write, number);
    }
    return { accepted, duplicates: reports.length - accepted };
  });
}

/** What the app decided, kept with each report and attempt (SPEC §12.2, §12.3). */
function reportOutcome(report: CallReport) {
  return { action: report.action, why: report.why, rule_id: report.ruleId, verstat: report.verstat ?? null };
}

async function recordHits(
  write: OrgWrite,
  hits: Map<string, { count: number; lastHitAt: string }>,
): Promise<void> {
  for (const [ruleId, hit] of hits) {
    const row = await write.tx
      .selectFrom('rules')
      .select(['hit_count', 'last_hit_at'])
      .where('org_id', '=', write.org.id)
      .where('id', '=', ruleId)
      .executeTakeFirst();
    // A report may name a rule deleted since: its hits have nowhere to go.
    if (row === undefined) continue;
    const hitCount = Number(row.hit_count) + hit.count;
    const lastHitAt =
      row.last_hit_at !== null && row.last_hit_at > hit.lastHitAt ? row.last_hit_at : hit.lastHitAt;
    await write.tx
      .updateTable('rules')
      .set({ hit_count: hitCount, last_hit_at: lastHitAt })
      .where('org_id', '=', write.org.id)
      .where('id', '=', ruleId)
      .execute();
    write.addChange({ type: 'rule_hits', ruleId, hitCount, lastHitAt });
  }
}

async function considerAutoBlock(write: OrgWrite, number: string): Promise<void> {
  const settings = write.org.settings.autoBlock;
  const windowStart = new Date(write.nowMs - settings.windowMinutes * 60_000).toISOString();
  const attempts = await write.tx
    .selectFrom('call_attempts')
    .select(['call_id', 'anonymous', 'at'])
    .where('org_id', '=', write.org.id)
    .where('number', '=', number)
    .where('direction', '=', 'inbound')
    .where('at', '>=', windowStart)
    .execute();
  // The number's own rules (any scope, for the conflict check) and every all-lines prefix rule: a prefix
  // that already covers the number, or an exception for it, means there is nothing to auto-block.
  const existing = (
    await write.tx
      .selectFrom('rules')
      .selectAll()
      .where('org_id', '=', write.org.id)
      .where((eb) =>
        eb.or([eb('number', '=', number), eb.and([eb('scope', '=', 'all'), eb('number', 'like', '%*')])]),
      )
      .execute()
  ).map(ruleFromRow);
  const proposal = evaluateAutoBlock(
    attempts.map((attempt) => ({
      callId: attempt.call_id,
      number,
      at: attempt.at,
      direction: 'inbound' as const,
      anonymous: Number(attempt.anonymous) === 1,
    })),
    settings,
    write.nowMs,
    existing,
    write.org.settings.defaultCountry,
  );
  const reporters = await reportersOf(
    write,
    attempts.map((attempt) => attempt.call_id),
  );
  if (proposal === null) {
    await confirmReviewedRule(write, number, reporters);
    return;
  }
  if (findRuleConflict({ number, scope: 'all', kind: 'block' }, existing) !== null) return;
  // One user's reports alone may be made up: the rule is temporary and a lead decides (§11.4).
  const single = reporters.length < 2;
  const rule: Rule = {
    id: write.newRuleId(),
    kind: 'block',
    number: proposal.number,
    scope: 'all',
    reason: single ? `${proposal.reason} (reported by one user: for review)` : proposal.reason,
    expiresAt: single ? new Date(write.nowMs + REVIEW_RULE_LIFETIME_MS).toISOString() : null,
    source: 'auto',
    createdBy: AUTO_BLOCK_CREATOR,
    createdAt: write.nowIso,
    updatedAt: write.nowIso,
    hitCount: 0,
    lastHitAt: null,
  };
  await insertRule(write, rule, null, single ? 'rule.auto_created_for_review' : 'rule.auto_created');
  if (single) {
    await write.tx
      .insertInto('rule_reviews')
      .values({
        org_id: write.org.id,
        rule_id: rule.id,
        number: rule.number,
        reporter_id: reporters[0] ?? '',
        created_at: write.nowIso,
      })
      .execute();
  }
}

/** The distinct users whose reports these attempts rest on. */
async function reportersOf(write: OrgWrite, attemptIds: readonly string[]): Promise<string[]> {
  if (attemptIds.length === 0) return [];
  const rows = await write.tx
    .selectFrom('call_reports')
    .select('user_id')
    .distinct()
    .where('org_id', '=', write.org.id)
    .where('attempt_id', 'in', [...attemptIds])
    .execute();
  return rows.map((row) => row.user_id);
}

/**
 * A number already auto-blocked for review that now has attempts from two or more users: its rule
 * becomes an ordinary auto-block (no expiry), as if the evidence had come together at once.
 */
async function confirmReviewedRule(
  write: OrgWrite,
  number: string,
  reporters: readonly string[],
): Promise<void> {
  if (reporters.length < 2) return;
  const review = await write.tx
    .selectFrom('rule_reviews')
    .innerJoin('rules', (join) =>
      join.onRef('rules.org_id', '=', 'rule_reviews.org_id').onRef('rules.id', '=', 'rule_reviews.rule_id'),
    )
    .selectAll('rules')
    .where('rule_reviews.org_id', '=', write.org.id)
    .where('rule_reviews.number', '=', number)
    .executeTakeFirst();
  if (review === undefined) return;
  const before = ruleFromRow(review);
  const after: Rule = { ...before, expiresAt: null, updatedAt: write.nowIso };
  await write.tx
    .updateTable('rules')
    .set({ expires_at: null, updated_at: write.nowIso })
    .where('org_id', '=', write.org.id)
    .where('id', '=', before.id)
    .execute();
  await write.tx
    .deleteFrom('rule_reviews')
    .where('org_id', '=', write.org.id)
    .where('rule_id', '=', before.id)
    .execute();
  write.addChange({ type: 'rule_upserted', rule: after });
  write.audit(null, 'rule.auto_confirmed', before.id, before, after);
}

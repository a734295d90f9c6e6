/**
 * Call reports from the apps (SPEC §3.4, §3.5, §4): idempotent by report id, counted once per call
 * attempt (Call-ID) however many agents saw it; they advance rule hit counters and feed auto-block.
 */
import type { CallReport } from '../shared/contracts/api';
import { evaluateAutoBlock } from '../shared/autoblock';
import { findRuleConflict, type Rule } from '../shared/rules';
import { insertRule } from './rules-service';
import { ruleFromRow, type AuthenticatedUser, type OrgWrite, type Repository } from './repository';

export const AUTO_BLOCK_CREATOR = 'Auto-block';

export async function receiveCallReports(
  store: Repository,
  user: AuthenticatedUser,
  reports: readonly CallReport[],
): Promise<{ accepted: number; duplicates: number }> {
  return store.writeOrg(user.orgId, async (write) => {
    const orgId = write.org.id;
    let accepted = 0;
    const hits = new Map<string, { count: number; lastHitAt: string }>();
    const newInboundNumbers = new Set<string>();
    for (const report of reports) {
      const inserted = await write.tx
        .insertInto('call_reports')
        .values({
          org_id: orgId,
          id: report.id,
          call_id: report.callId,
          user_id: user.id,
          received_at: write.nowIso,
        })
        .onConflict((conflict) => conflict.columns(['org_id', 'id']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (inserted === undefined) continue;
      accepted += 1;
      // Several agents report the same Call-ID: the attempt is stored, and counted, once.
      const attempt = await write.tx
        .insertInto('call_attempts')
        .values({
          org_id: orgId,
          call_id: report.callId,
          direction: report.direction,
          number: report.number,
          anonymous: report.anonymous ? 1 : 0,
          at: new Date(report.at).toISOString(),
        })
        .onConflict((conflict) => conflict.columns(['org_id', 'call_id']).doNothing())
        .returning('call_id')
        .executeTakeFirst();
      if (attempt === undefined) continue;
      if (report.ruleId !== null) {
        const hit = hits.get(report.ruleId) ?? { count: 0, lastHitAt: report.at };
        hit.count += 1;
        if (Date.parse(report.at) >= Date.parse(hit.lastHitAt))
          hit.lastHitAt = new Date(report.at).toISOString();
        hits.set(report.ruleId, hit);
      }
      if (report.direction === 'inbound' && report.number !== null) newInboundNumbers.add(report.number);
    }
    await recordHits(write, hits);
    if (write.org.settings.autoBlock.enabled) {
      for (const number of newInboundNumbers) await considerAutoBlock(write, number);
    }
    return { accepted, duplicates: reports.length - accepted };
  });
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
  if (proposal === null) return;
  if (findRuleConflict({ number, scope: 'all', kind: 'block' }, existing) !== null) return;
  const rule: Rule = {
    id: write.newRuleId(),
    kind: 'block',
    number: proposal.number,
    scope: 'all',
    reason: proposal.reason,
    expiresAt: null,
    source: 'auto',
    createdBy: AUTO_BLOCK_CREATOR,
    createdAt: write.nowIso,
    updatedAt: write.nowIso,
    hitCount: 0,
    lastHitAt: null,
  };
  await insertRule(write, rule, null, 'rule.auto_created');
}

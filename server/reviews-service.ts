/**
 * Auto-block rules that rest on one user's reports (SPEC §11.4): temporary (24 h) until a lead keeps
 * them (the rule loses its expiry) or drops them (the rule goes). A review whose rule is gone (expired,
 * deleted) is no longer listed.
 */
import type { AutoBlockReview, ReviewDecision } from '../shared/contracts/api';
import type { Rule } from '../shared/rules';
import { notFound } from './errors';
import { ruleFromRow, type Actor, type Repository } from './repository';
import { removeRule } from './rules-service';

export async function listReviews(store: Repository, orgId: string): Promise<AutoBlockReview[]> {
  const rows = await store.db
    .selectFrom('rule_reviews')
    .innerJoin('rules', (join) =>
      join.onRef('rules.org_id', '=', 'rule_reviews.org_id').onRef('rules.id', '=', 'rule_reviews.rule_id'),
    )
    .leftJoin('users', 'users.id', 'rule_reviews.reporter_id')
    .selectAll('rules')
    .select(['rule_reviews.reporter_id as reporter_id', 'users.name as reporter_name'])
    .where('rule_reviews.org_id', '=', orgId)
    .orderBy('rule_reviews.created_at', 'desc')
    .execute();
  return rows.map((row) => ({
    rule: ruleFromRow(row),
    reporter: { id: row.reporter_id, name: row.reporter_name ?? '' },
  }));
}

/** Keeps or drops a rule waiting for review: the kept rule, or null when dropped. */
export async function decideReview(
  store: Repository,
  orgId: string,
  ruleId: string,
  decision: ReviewDecision,
  actor: Actor,
): Promise<Rule | null> {
  return store.writeOrg(orgId, async (write) => {
    const review = await write.tx
      .selectFrom('rule_reviews')
      .select('rule_id')
      .where('org_id', '=', orgId)
      .where('rule_id', '=', ruleId)
      .executeTakeFirst();
    const rule = review === undefined ? null : await store.findRule(orgId, ruleId, write.tx);
    if (rule === null) throw notFound('the rule waiting for review');
    await write.tx
      .deleteFrom('rule_reviews')
      .where('org_id', '=', orgId)
      .where('rule_id', '=', ruleId)
      .execute();
    if (decision === 'drop') {
      await removeRule(write, rule, actor, 'rule.review_dropped');
      return null;
    }
    const kept: Rule = { ...rule, expiresAt: null, updatedAt: write.nowIso };
    await write.tx
      .updateTable('rules')
      .set({ expires_at: null, updated_at: write.nowIso })
      .where('org_id', '=', orgId)
      .where('id', '=', ruleId)
      .execute();
    write.addChange({ type: 'rule_upserted', rule: kept });
    write.audit(actor, 'rule.review_kept', ruleId, rule, kept);
    return kept;
  });
}

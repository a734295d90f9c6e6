/**
 * What the org knows of a number (SPEC §12.3): the rules that covered it, now or before (from the
 * rules and the audit log, so deleted and expired ones count), how many agents it rang in the last
 * hour, and its last verification result. Read by the apps in the background, never on a call's path.
 */
import type { InsightResponse } from '../shared/contracts/oversight';
import { ruleSchema, type Rule } from '../shared/rules';
import { ruleFromRow, type Repository } from './repository';

/** The rule numbers that cover `e164`: itself and each prefix of at least 3 digits. */
export function coveringRuleNumbers(e164: string): string[] {
  const digits = e164.slice(1);
  const prefixes: string[] = [];
  for (let length = 3; length <= digits.length; length++) prefixes.push(`+${digits.slice(0, length)}*`);
  return [e164, ...prefixes];
}

type InsightRule = InsightResponse['rules'][number];

function fromRule(rule: Rule, nowMs: number): InsightRule {
  const expired = rule.expiresAt !== null && Date.parse(rule.expiresAt) <= nowMs;
  return {
    ruleId: rule.id,
    kind: rule.kind,
    number: rule.number,
    reason: rule.reason,
    createdBy: rule.createdBy,
    createdAt: rule.createdAt,
    expiresAt: rule.expiresAt,
    status: expired ? 'expired' : 'active',
    endedAt: expired ? rule.expiresAt : null,
    endedBy: null,
  };
}

export async function numberInsight(
  store: Repository,
  orgId: string,
  e164: string,
): Promise<InsightResponse> {
  const nowMs = store.now();
  const candidates = coveringRuleNumbers(e164);
  const hourAgo = new Date(nowMs - 3_600_000).toISOString();
  const [liveRows, auditRows, lastHour, verification] = await Promise.all([
    store.db
      .selectFrom('rules')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('number', 'in', candidates)
      .execute(),
    store.db
      .selectFrom('audit')
      .select(['at', 'action', 'actor_name', 'target', 'before', 'after'])
      .where('org_id', '=', orgId)
      .where('number', 'in', candidates)
      .where('action', 'like', 'rule.%')
      .orderBy('at', 'desc')
      .limit(200)
      .execute(),
    store.db
      .selectFrom('call_reports')
      .select((eb) => [
        eb.fn.count<number | string>('user_id').distinct().as('agents'),
        eb.fn.count<number | string>('call_id').distinct().as('attempts'),
        eb.fn.min<string | null>('at').as('first_at'),
        eb.fn.max<string | null>('at').as('last_at'),
      ])
      .where('org_id', '=', orgId)
      .where('number', '=', e164)
      .where('direction', '=', 'inbound')
      .where('at', '>=', hourAgo)
      .executeTakeFirst(),
    store.db
      .selectFrom('call_reports')
      .select(['verstat', 'at'])
      .where('org_id', '=', orgId)
      .where('number', '=', e164)
      .where('verstat', 'is not', null)
      .orderBy('at', 'desc')
      .limit(1)
      .executeTakeFirst(),
  ]);

  const rules = new Map<string, InsightRule>();
  for (const row of liveRows) rules.set(row.id, fromRule(ruleFromRow(row), nowMs));
  // Oldest first, so a rule's end (deleted, expired) lands on the rule its creation described.
  const liveIds = new Set(liveRows.map((row) => row.id));
  for (const row of [...auditRows].reverse()) {
    // Rules still stored speak for themselves; the audit tells of the ones that are gone.
    if (row.target === null || liveIds.has(row.target)) continue;
    const side = row.action === 'rule.deleted' || row.action === 'rule.expired' ? row.before : row.after;
    const parsed = ruleSchema.safeParse(side === null ? null : JSON.parse(side));
    if (!parsed.success) continue;
    const entry = rules.get(row.target) ?? { ...fromRule(parsed.data, nowMs), status: 'deleted' as const };
    if (row.action === 'rule.deleted' || row.action === 'rule.expired') {
      entry.status = row.action === 'rule.expired' ? 'expired' : 'deleted';
      entry.endedAt = row.at;
      entry.endedBy = row.actor_name;
    } else {
      entry.reason = parsed.data.reason;
      entry.expiresAt = parsed.data.expiresAt;
    }
    rules.set(row.target, entry);
  }

  return {
    number: e164,
    rules: [...rules.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt)),
    lastHour: {
      agents: Number(lastHour?.agents ?? 0),
      attempts: Number(lastHour?.attempts ?? 0),
      firstAt: lastHour?.first_at ?? null,
      lastAt: lastHour?.last_at ?? null,
    },
    lastVerification:
      verification?.verstat === null || verification === undefined
        ? null
        : { verstat: verification.verstat, at: verification.at ?? '' },
  };
}

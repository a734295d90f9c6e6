/** Creating, editing and deleting rules (SPEC §2), each inside the org's write transaction. */
import { sql } from 'kysely';
import type { BulkEntryResult } from '../shared/contracts/api';
import { isEmergencyNumber } from '../shared/emergency';
import { normalizeNumberOrPrefix } from '../shared/numbers';
import {
  findRuleConflict,
  ruleCreateInputSchema,
  type Rule,
  type RuleCreate,
  type RuleKind,
  type RulePatch,
  type RuleScope,
  type RuleSource,
} from '../shared/rules';
import type { OrgSettings } from '../shared/settings';
import { ApiError, notFound } from './errors';
import {
  countryOf,
  isUniqueViolation,
  ruleFromRow,
  ruleToRow,
  type Actor,
  type OrgWrite,
  type Repository,
} from './repository';

export interface RuleCandidate {
  number: string;
  scope: RuleScope;
  kind: RuleKind;
  reason: string;
  expiresAt: string | null;
}

export type CandidateCheck =
  | { ok: true; candidate: RuleCandidate }
  | { ok: false; status: 'invalid'; reason: string; message: string }
  | { ok: false; status: 'emergency'; message: string };

/** Validates one rule input against the org: emergency numbers, number format, known line, future expiry. */
export function checkCandidate(
  input: RuleCreate,
  settings: OrgSettings,
  lineNumbers: ReadonlySet<string>,
  nowMs: number,
): CandidateCheck {
  const country = countryOf(settings);
  const emergencyMessage = `${input.number} is an emergency number: it can never be blocked`;
  // `911*` and `9-1-1` alike must never reach the list.
  if (isEmergencyNumber(input.number.replace(/\*\s*$/, ''), country))
    return { ok: false, status: 'emergency', message: emergencyMessage };
  const normalized = normalizeNumberOrPrefix(input.number, country);
  if (!normalized.ok)
    return { ok: false, status: 'invalid', reason: normalized.reason, message: normalized.message };
  const number = normalized.kind === 'number' ? normalized.e164 : normalized.prefix;
  if (normalized.kind === 'number' && isEmergencyNumber(number, country)) {
    return { ok: false, status: 'emergency', message: emergencyMessage };
  }
  if (input.scope !== 'all' && !lineNumbers.has(input.scope)) {
    return {
      ok: false,
      status: 'invalid',
      reason: 'unknown_line',
      message: `${input.scope} is not one of the org's lines: use "all" or a line's number`,
    };
  }
  const expiresAt = input.expiresAt ?? null;
  if (expiresAt !== null && Date.parse(expiresAt) <= nowMs) {
    return { ok: false, status: 'invalid', reason: 'expired', message: 'expiresAt must be in the future' };
  }
  return {
    ok: true,
    candidate: {
      number,
      scope: input.scope,
      kind: input.kind,
      reason: input.reason,
      expiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString(),
    },
  };
}

function candidateError(check: Exclude<CandidateCheck, { ok: true }>): ApiError {
  if (check.status === 'emergency') return new ApiError(422, 'emergency_number', check.message);
  const field =
    check.reason === 'unknown_line' ? 'scope' : check.reason === 'expired' ? 'expiresAt' : 'number';
  return new ApiError(422, 'unprocessable', check.message, {
    issues: [{ path: [field], message: check.message }],
    reason: check.reason,
  });
}

function newRule(write: OrgWrite, candidate: RuleCandidate, source: RuleSource, createdBy: string): Rule {
  const nowIso = write.nowIso;
  return {
    id: write.newRuleId(),
    ...candidate,
    source,
    createdBy,
    createdAt: nowIso,
    updatedAt: nowIso,
    hitCount: 0,
    lastHitAt: null,
  };
}

async function lineNumbersOf(store: Repository, write: OrgWrite): Promise<Set<string>> {
  const lines = await store.listLines(write.org.id, write.tx);
  return new Set(lines.map((line) => line.number));
}

async function rulesWithNumbers(write: OrgWrite, numbers: readonly string[]): Promise<Rule[]> {
  if (numbers.length === 0) return [];
  const rows = await write.tx
    .selectFrom('rules')
    .selectAll()
    .where('org_id', '=', write.org.id)
    .where('number', 'in', [...new Set(numbers)])
    .execute();
  return rows.map(ruleFromRow);
}

/** Inserts a rule the caller has checked for conflicts; records the change and the audit entry. */
export async function insertRule(
  write: OrgWrite,
  rule: Rule,
  actor: Actor | null,
  action = 'rule.created',
): Promise<void> {
  await write.tx.insertInto('rules').values(ruleToRow(write.org.id, rule)).execute();
  write.addChange({ type: 'rule_upserted', rule });
  write.audit(actor, action, rule.id, null, rule);
}

export type NewRuleInput = Omit<RuleCreate, 'source'> & { source?: RuleCreate['source'] };

/** Checks and inserts one rule inside an open write; throws the API's 422 or 409 when it cannot be made. */
export async function createRuleInWrite(
  store: Repository,
  write: OrgWrite,
  input: NewRuleInput,
  actor: Actor,
): Promise<Rule> {
  const lines = input.scope === 'all' ? new Set<string>() : await lineNumbersOf(store, write);
  const check = checkCandidate(
    { ...input, source: input.source ?? 'manual' },
    write.org.settings,
    lines,
    write.nowMs,
  );
  if (!check.ok) throw candidateError(check);
  const conflict = findRuleConflict(check.candidate, await rulesWithNumbers(write, [check.candidate.number]));
  if (conflict !== null) {
    throw new ApiError(409, 'already_blocked', conflict.message, {
      ruleId: conflict.existing.id,
      conflict: conflict.kind,
    });
  }
  const rule = newRule(write, check.candidate, input.source ?? 'manual', actor.name);
  await insertRule(write, rule, actor);
  return rule;
}

export async function createRule(
  store: Repository,
  orgId: string,
  input: NewRuleInput,
  actor: Actor,
): Promise<Rule> {
  try {
    return await store.writeOrg(orgId, (write) => createRuleInWrite(store, write, input, actor));
  } catch (error) {
    // The unique index is the last word should two writers ever pass the check together.
    if (isUniqueViolation(error))
      throw new ApiError(409, 'already_blocked', `${input.number} is already on the list`);
    throw error;
  }
}

/** SPEC §2.4: one result per entry; the valid entries are created even when others fail. */
export async function bulkCreateRules(
  store: Repository,
  orgId: string,
  entries: readonly unknown[],
  source: 'bulk' | 'import',
  actor: Actor,
): Promise<BulkEntryResult[]> {
  return store.writeOrg(orgId, async (write) => {
    const lines = await lineNumbersOf(store, write);
    const checks = entries.map((entry): CandidateCheck => {
      const parsed = ruleCreateInputSchema.safeParse(entry);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const path = issue?.path.join('.') ?? '';
        return {
          ok: false,
          status: 'invalid',
          reason: 'invalid_entry',
          message: `${path === '' ? 'entry' : path}: ${issue?.message ?? 'invalid entry'}`,
        };
      }
      return checkCandidate(parsed.data, write.org.settings, lines, write.nowMs);
    });
    const numbers = checks.flatMap((check) => (check.ok ? [check.candidate.number] : []));
    // By number, so each entry is compared with its own number's rules, not with every rule made so far.
    const known = new Map<string, Rule[]>();
    for (const rule of await rulesWithNumbers(write, numbers)) {
      known.set(rule.number, [...(known.get(rule.number) ?? []), rule]);
    }
    const created: Rule[] = [];
    const results = checks.map((check, index): BulkEntryResult => {
      if (!check.ok) {
        return check.status === 'emergency'
          ? { index, status: 'emergency', message: check.message }
          : { index, status: 'invalid', reason: check.reason, message: check.message };
      }
      const sameNumber = known.get(check.candidate.number) ?? [];
      const conflict = findRuleConflict(check.candidate, sameNumber);
      if (conflict !== null) return { index, status: 'already_blocked', message: conflict.message };
      const rule = newRule(write, check.candidate, source, actor.name);
      known.set(rule.number, [...sameNumber, rule]);
      created.push(rule);
      return { index, status: 'created', rule };
    });
    await write.insertRows(
      'rules',
      created.map((rule) => ruleToRow(write.org.id, rule)),
    );
    for (const rule of created) {
      write.addChange({ type: 'rule_upserted', rule });
      write.audit(actor, `rule.created`, rule.id, null, rule);
    }
    return results;
  });
}

export async function patchRule(
  store: Repository,
  orgId: string,
  ruleId: string,
  patch: RulePatch,
  actor: Actor,
): Promise<Rule> {
  return store.writeOrg(orgId, async (write) => {
    const before = await store.findRule(orgId, ruleId, write.tx);
    if (before === null) throw notFound('the rule');
    const expiresAt =
      patch.expiresAt === undefined
        ? before.expiresAt
        : patch.expiresAt === null
          ? null
          : new Date(patch.expiresAt).toISOString();
    if (patch.expiresAt !== undefined && expiresAt !== null && Date.parse(expiresAt) <= write.nowMs) {
      const message = 'expiresAt must be in the future';
      throw new ApiError(422, 'unprocessable', message, {
        issues: [{ path: ['expiresAt'], message }],
        reason: 'expired',
      });
    }
    const after: Rule = {
      ...before,
      reason: patch.reason ?? before.reason,
      expiresAt,
      updatedAt: write.nowIso,
    };
    await write.tx
      .updateTable('rules')
      .set({ reason: after.reason, expires_at: after.expiresAt, updated_at: after.updatedAt })
      .where('org_id', '=', orgId)
      .where('id', '=', ruleId)
      .execute();
    write.addChange({ type: 'rule_upserted', rule: after });
    write.audit(actor, 'rule.updated', ruleId, before, after);
    return after;
  });
}

/** Deletes a rule inside an open write; the caller has checked that it exists. */
export async function removeRule(
  write: OrgWrite,
  rule: Rule,
  actor: Actor | null,
  action: string,
): Promise<void> {
  await write.tx.deleteFrom('rules').where('org_id', '=', write.org.id).where('id', '=', rule.id).execute();
  write.addChange({ type: 'rule_deleted', ruleId: rule.id, number: rule.number, scope: rule.scope });
  write.audit(actor, action, rule.id, rule, null);
}

export async function deleteRule(
  store: Repository,
  orgId: string,
  ruleId: string,
  actor: Actor,
): Promise<void> {
  await store.writeOrg(orgId, async (write) => {
    const rule = await store.findRule(orgId, ruleId, write.tx);
    if (rule === null) throw notFound('the rule');
    await removeRule(write, rule, actor, 'rule.deleted');
  });
}

/** Removes every rule whose expiry has passed, each removal a `rule_deleted` change. Returns how many. */
export async function sweepExpiredRules(store: Repository): Promise<number> {
  const nowIso = new Date(store.now()).toISOString();
  const expired = await store.db
    .selectFrom('rules')
    .select(['org_id'])
    .distinct()
    .where('expires_at', 'is not', null)
    .where('expires_at', '<=', nowIso)
    .execute();
  let removed = 0;
  for (const { org_id: orgId } of expired) {
    removed += await store.writeOrg(orgId, async (write) => {
      const rows = await write.tx
        .selectFrom('rules')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('expires_at', 'is not', null)
        .where('expires_at', '<=', write.nowIso)
        .execute();
      for (const row of rows) await removeRule(write, ruleFromRow(row), null, 'rule.expired');
      return rows.length;
    });
  }
  return removed;
}

/** `LIKE` with the pattern's own wildcards escaped, case-insensitive on both dialects. */
export function likeInsensitive(column: 'reason' | 'number', text: string, dialect: 'sqlite' | 'pg') {
  const pattern = `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
  return dialect === 'pg'
    ? sql<boolean>`${sql.ref(column)} ilike ${pattern} escape '\\'`
    : sql<boolean>`${sql.ref(column)} like ${pattern} escape '\\'`;
}

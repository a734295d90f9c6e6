/** Reads (list, snapshot, changes, audit) and the org-level writes (settings, lines). */
import { sql } from 'kysely';
import { z } from 'zod';
import {
  fieldIssuesOf,
  type ChangesResponse,
  type Line,
  type LinePatch,
  type ListRulesQuery,
  type Snapshot,
} from '../shared/contracts/api';
import { normalizeNumberOrPrefix } from '../shared/numbers';
import { unsafeTextProblem } from '../shared/text';
import type { Rule } from '../shared/rules';
import { applySettingsPatch, type OrgSettings, type OrgSettingsPatch } from '../shared/settings';
import { announcementInfos } from './announcements-service';
import { ApiError, notFound } from './errors';
import { likeInsensitive } from './rules-service';
import { settingsToStore } from './stored-settings';
import { countryOf, ruleFromRow, type Actor, type Repository } from './repository';

interface Cursor {
  value: string | number;
  id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.value, cursor.id]), 'utf8').toString('base64url');
}

export function decodeCursor(text: string): Cursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2) {
      const [value, id] = parsed as unknown[];
      const safe =
        typeof value === 'number' || (typeof value === 'string' && unsafeTextProblem(value) === null);
      if (safe && typeof id === 'string' && unsafeTextProblem(id) === null) return { value, id };
    }
  } catch {
    // Falls through to the error below.
  }
  throw new ApiError(400, 'bad_request', 'the cursor is not one this server issued');
}

const SORT_COLUMNS = { created: 'created_at', number: 'number', hits: 'hit_count' } as const;

export async function listRules(
  store: Repository,
  orgId: string,
  settings: OrgSettings,
  query: ListRulesQuery,
): Promise<{ items: Rule[]; nextCursor: string | null; total: number }> {
  const dialect = store.database.dialect;
  let filtered = store.db.selectFrom('rules').where('org_id', '=', orgId);
  if (query.scope !== undefined) filtered = filtered.where('scope', '=', query.scope);
  if (query.kind !== undefined) filtered = filtered.where('kind', '=', query.kind);
  const search = query.search?.trim() ?? '';
  if (search !== '') {
    const parsed = normalizeNumberOrPrefix(search, countryOf(settings));
    const digits = search.replace(/\D/g, '');
    filtered = filtered.where((eb) => {
      const alternatives = [likeInsensitive('reason', search, dialect)];
      if (parsed.ok)
        alternatives.push(
          sql<boolean>`${sql.ref('number')} = ${parsed.kind === 'number' ? parsed.e164 : parsed.prefix}`,
        );
      if (digits.length >= 2) alternatives.push(likeInsensitive('number', digits, dialect));
      return eb.or(alternatives);
    });
  }
  const totalRow = await filtered.select((eb) => eb.fn.countAll().as('total')).executeTakeFirst();
  const total = Number(totalRow?.total ?? 0);

  const column = SORT_COLUMNS[query.sort];
  const descending = query.order === 'desc';
  let page = filtered.selectAll();
  if (query.cursor !== undefined) {
    const cursor = decodeCursor(query.cursor);
    const value = column === 'hit_count' ? Number(cursor.value) : String(cursor.value);
    const op = sql.raw(descending ? '<' : '>');
    page = page.where(
      sql<boolean>`(${sql.ref(column)} ${op} ${value} or (${sql.ref(column)} = ${value} and ${sql.ref('id')} ${op} ${cursor.id}))`,
    );
  }
  const direction = descending ? 'desc' : 'asc';
  const rows = await page
    .orderBy(column, direction)
    .orderBy('id', direction)
    .limit(query.limit + 1)
    .execute();
  const items = rows.slice(0, query.limit).map(ruleFromRow);
  const last = rows.length > query.limit ? rows[query.limit - 1] : undefined;
  const nextCursor = last === undefined ? null : encodeCursor({ value: last[column], id: last.id });
  return { items, nextCursor, total };
}

/** Pages of rules for the CSV export, oldest first, so a large list is streamed and not held whole. */
export async function* rulePages(store: Repository, orgId: string, pageSize = 2000): AsyncGenerator<Rule[]> {
  let after: { createdAt: string; id: string } | null = null;
  for (;;) {
    let query = store.db.selectFrom('rules').selectAll().where('org_id', '=', orgId);
    if (after !== null) {
      const { createdAt, id } = after;
      query = query.where((eb) =>
        eb.or([
          eb('created_at', '>', createdAt),
          eb.and([eb('created_at', '=', createdAt), eb('id', '>', id)]),
        ]),
      );
    }
    const rows = await query.orderBy('created_at').orderBy('id').limit(pageSize).execute();
    if (rows.length === 0) return;
    yield rows.map(ruleFromRow);
    const last = rows[rows.length - 1];
    if (last === undefined || rows.length < pageSize) return;
    after = { createdAt: last.created_at, id: last.id };
  }
}

/** The whole list, settings, lines and revision, read consistently. */
export async function snapshot(store: Repository, orgId: string): Promise<Snapshot> {
  return JSON.parse(await snapshotJson(store, orgId)) as Snapshot;
}

/** Rule columns under their API names, in the order of the Rule type. */
const RULE_JSON_FIELDS: ReadonlyArray<[string, string]> = [
  ['id', 'id'],
  ['kind', 'kind'],
  ['number', 'number'],
  ['scope', 'scope'],
  ['reason', 'reason'],
  ['expiresAt', 'expires_at'],
  ['source', 'source'],
  ['createdBy', 'created_by'],
  ['createdAt', 'created_at'],
  ['updatedAt', 'updated_at'],
  ['hitCount', 'hit_count'],
  ['lastHitAt', 'last_hit_at'],
];

/**
 * The snapshot as JSON text. The database builds the rules array itself (json_agg / json_group_array):
 * for 100,000 rules that avoids creating and re-serializing 100,000 objects in the request.
 */
export async function snapshotJson(store: Repository, orgId: string): Promise<string> {
  const pg = store.database.dialect === 'pg';
  let transaction = store.db.transaction();
  // REPEATABLE READ: the rules and the revision come from one moment even while writes go on.
  if (pg) transaction = transaction.setIsolationLevel('repeatable read');
  return transaction.execute(async (tx) => {
    const org = await store.getOrg(orgId, tx);
    if (org === null) throw notFound('the org');
    let rules: string;
    if (pg) {
      // One small JSON text per row: node-postgres handles 100,000 of those far faster than a single
      // 25 MB value.
      const columns = sql.join(
        RULE_JSON_FIELDS.map(([key, column]) => sql`${sql.ref(column)} as ${sql.id(key)}`),
      );
      const result = await sql<{ rule: string }>`select row_to_json(r)::text as rule
        from (select ${columns} from rules where org_id = ${orgId}) r`.execute(tx);
      rules = `[${result.rows.map((row) => row.rule).join(',')}]`;
    } else {
      const pairs = sql.join(
        RULE_JSON_FIELDS.map(([key, column]) => sql`${sql.lit(key)}, ${sql.ref(column)}`),
      );
      const result = await sql<{
        rules: string;
      }>`select coalesce(json_group_array(json_object(${pairs})), '[]') as rules
        from rules where org_id = ${orgId}`.execute(tx);
      rules = result.rows[0]?.rules ?? '[]';
    }
    const lines = await store.listLines(orgId, tx);
    const announcements = await announcementInfos(tx, orgId);
    const head = JSON.stringify({ revision: org.revision, settings: org.settings, lines, announcements });
    return `${head.slice(0, -1)},"rules":${rules}}`;
  });
}

export async function changesSince(
  store: Repository,
  orgId: string,
  since: number,
): Promise<ChangesResponse> {
  const org = await store.getOrg(orgId);
  if (org === null) throw notFound('the org');
  if (since < org.logFloor || since > org.revision) {
    throw new ApiError(
      410,
      'snapshot_required',
      since > org.revision
        ? `revision ${since} is ahead of the server's ${org.revision}: take a snapshot`
        : `the change log no longer reaches back to revision ${since}: take a snapshot`,
      { revision: org.revision, oldestAvailable: org.logFloor },
    );
  }
  const changes = await store.changesBetween(orgId, since, org.revision);
  return { revision: org.revision, changes };
}

export async function patchSettings(
  store: Repository,
  orgId: string,
  patch: OrgSettingsPatch,
  actor: Actor,
): Promise<OrgSettings> {
  return store.writeOrg(orgId, async (write) => {
    const before = write.org.settings;
    let after: OrgSettings;
    try {
      after = applySettingsPatch(before, patch);
    } catch (error) {
      if (!(error instanceof z.ZodError)) throw error;
      throw new ApiError(422, 'unprocessable', 'the settings are not valid after this change', {
        issues: fieldIssuesOf(error.issues),
      });
    }
    if (JSON.stringify(before) === JSON.stringify(after)) return after;
    // Fields this version does not know, and stored values it refuses, stay as they were.
    const stored = settingsToStore(write.org.storedSettings, before, after);
    await write.tx
      .updateTable('orgs')
      .set({ settings: JSON.stringify(stored) })
      .where('id', '=', orgId)
      .execute();
    write.org.settings = after;
    write.org.storedSettings = stored;
    write.addChange({ type: 'settings_updated', settings: after });
    write.audit(actor, 'settings.updated', null, before, after);
    return after;
  });
}

/** A line's settings (SPEC §3.4 announcement mode, §10.4 auto-answer when the PBX asks). */
export async function updateLine(
  store: Repository,
  orgId: string,
  lineNumber: string,
  patch: LinePatch,
  actor: Actor,
): Promise<Line> {
  return store.writeOrg(orgId, async (write) => {
    const lines = await store.listLines(orgId, write.tx);
    const before = lines.find((line) => line.number === lineNumber);
    if (before === undefined) throw notFound('the line');
    const after: Line = {
      ...before,
      ...(patch.announcementMode === undefined ? {} : { announcementMode: patch.announcementMode }),
      ...(patch.pbxAutoAnswer === undefined ? {} : { pbxAutoAnswer: patch.pbxAutoAnswer }),
    };
    if (
      before.announcementMode === after.announcementMode &&
      Boolean(before.pbxAutoAnswer) === Boolean(after.pbxAutoAnswer)
    )
      return after;
    await write.tx
      .updateTable('lines')
      .set({ announcement_mode: after.announcementMode, pbx_auto_answer: after.pbxAutoAnswer ? 1 : 0 })
      .where('org_id', '=', orgId)
      .where('number', '=', lineNumber)
      .execute();
    write.addChange({
      type: 'lines_updated',
      lines: lines.map((line) => (line.number === lineNumber ? after : line)),
    });
    write.audit(actor, 'line.updated', lineNumber, before, after);
    return after;
  });
}

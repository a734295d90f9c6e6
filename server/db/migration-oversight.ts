/**
 * Migration 0005 (SPEC §12): what the oversight views need. Call reports keep their outcome (action,
 * why, rule, verification) from now on, attempts their verification (0004 gave them the rest); blocked calls are rolled up per local hour and why, per day and number, and
 * per day and rule, in tables that outlive the raw reports; audit entries name the number they are
 * about; invites for the people admin. Reports stored before it count as "unknown".
 */
import type { Kysely } from 'kysely';
import { hourOfWeek, localHourKey } from '../../shared/local-time';
import { auditNumberOf } from '../audit-number';
import { blockedWhyFrom } from '../blocked-why';

// Kysely<any>: a migration runs against the schema as it was then, not as schema.ts says now.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function oversightUp(db: AnyDb): Promise<void> {
  for (const column of ['number', 'direction', 'action', 'why', 'rule_id', 'at', 'verstat']) {
    await db.schema.alterTable('call_reports').addColumn(column, 'text').execute();
  }
  await db.schema
    .createIndex('call_reports_number')
    .on('call_reports')
    .columns(['org_id', 'number', 'at'])
    .execute();
  // 0004_report_rollups gave attempts their action, why and rule; the verification result is new.
  await db.schema.alterTable('call_attempts').addColumn('verstat', 'text').execute();

  await db.schema.alterTable('audit').addColumn('number', 'text').execute();
  await db.schema.createIndex('audit_org_number').on('audit').columns(['org_id', 'number', 'at']).execute();
  await db.schema.createIndex('audit_org_actor').on('audit').columns(['org_id', 'actor_id', 'at']).execute();

  await db.schema
    .createTable('stats_blocked_hourly')
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    /** `YYYY-MM-DDTHH` in the org's time zone when the call came. */
    .addColumn('hour', 'text', (c) => c.notNull())
    /** 0 = Monday 00:00 … 167 = Sunday 23:00 (local): the heat map sums by it. */
    .addColumn('hour_of_week', 'integer', (c) => c.notNull())
    .addColumn('why', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('stats_blocked_hourly_pk', ['org_id', 'hour', 'why'])
    .execute();
  // Top numbers and rules: per day, and per month so a year's top list sums 12 rows per key, not 365.
  for (const [table, period] of [
    ['stats_top_daily', 'day'],
    ['stats_top_monthly', 'month'],
  ] as const) {
    await db.schema
      .createTable(table)
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
      .addColumn(period, 'text', (c) => c.notNull())
      /** `number` (key: the caller's E.164) or `rule` (key: the rule id). */
      .addColumn('dimension', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint(`${table}_pk`, ['org_id', 'dimension', period, 'key'])
      .execute();
  }
  await createStatsTopIndexes(db);
  /** What each counted rule blocked, kept after the rule is deleted. */
  await db.schema
    .createTable('stats_rule_numbers')
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('number', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('stats_rule_numbers_pk', ['org_id', 'rule_id'])
    .execute();

  await db.schema
    .createTable('invites')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    /** sha256 of the one-time code: the code itself is never stored. */
    .addColumn('code_hash', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('redeemed_at', 'text')
    .addColumn('user_id', 'text')
    .execute();

  await backfillAuditNumbers(db);
  await backfillUnknownBlocked(db);
}

async function backfillAuditNumbers(db: AnyDb): Promise<void> {
  const rows = (await db.selectFrom('audit').select(['id', 'before', 'after']).execute()) as {
    id: string;
    before: string | null;
    after: string | null;
  }[];
  for (const row of rows) {
    const parse = (text: string | null): unknown => (text === null ? null : JSON.parse(text));
    const number = auditNumberOf(parse(row.before), parse(row.after));
    if (number !== null) await db.updateTable('audit').set({ number }).where('id', '=', row.id).execute();
  }
}

/**
 * Inbound attempts stored before this migration, rolled up into the hourly counts: blocked ones (0004
 * kept their action and why) by their why, those stored before 0004 as "unknown". Attempts already
 * pruned by the retention job are not counted: their daily rollup has no hour to place them in.
 */
async function backfillUnknownBlocked(db: AnyDb): Promise<void> {
  const orgs = (await db.selectFrom('orgs').select(['id', 'time_zone']).execute()) as {
    id: string;
    time_zone: string;
  }[];
  for (const org of orgs) {
    const hours = new Map<string, number>();
    const attempts = (await db
      .selectFrom('call_attempts')
      .select(['at', 'action', 'why', 'rule_id'])
      .where('org_id', '=', org.id)
      .where('direction', '=', 'inbound')
      .where((eb) => eb.or([eb('action', 'is', null), eb('action', '=', 'block')]))
      .execute()) as { at: string; action: string | null; why: string | null; rule_id: string | null }[];
    const rules = new Map(
      (
        (await db
          .selectFrom('rules')
          .select(['id', 'number', 'source'])
          .where('org_id', '=', org.id)
          .execute()) as { id: string; number: string; source: string }[]
      ).map((rule) => [rule.id, rule]),
    );
    for (const attempt of attempts) {
      const why =
        attempt.action === null
          ? 'unknown'
          : blockedWhyFrom(
              attempt.why ?? '',
              attempt.rule_id === null ? undefined : rules.get(attempt.rule_id),
            );
      const key = `${localHourKey(Date.parse(attempt.at), org.time_zone)}|${why}`;
      hours.set(key, (hours.get(key) ?? 0) + 1);
    }
    const rows = [...hours].map(([key, count]) => {
      const [hour = '', why = ''] = key.split('|');
      return { org_id: org.id, hour, hour_of_week: hourOfWeek(hour), why, count };
    });
    for (let start = 0; start < rows.length; start += 200) {
      await db
        .insertInto('stats_blocked_hourly')
        .values(rows.slice(start, start + 200))
        .execute();
    }
  }
}

const STATS_TOP_TABLES = [
  ['stats_top_daily', 'day'],
  ['stats_top_monthly', 'month'],
] as const;

/**
 * A period's top keys are read by count (stats-service: the threshold walk), a key's own periods by key
 * (its exact total and its trend); both carry every column those reads need, so no read touches the table
 * itself. Exported for bulk loads (the benchmark), which build them afterwards.
 */
export async function createStatsTopIndexes(db: AnyDb): Promise<void> {
  for (const [table, period] of STATS_TOP_TABLES) {
    await db.schema
      .createIndex(`${table}_rank`)
      .on(table)
      .columns(['org_id', 'dimension', period, 'count', 'key'])
      .execute();
    await db.schema
      .createIndex(`${table}_key`)
      .on(table)
      .columns(['org_id', 'dimension', 'key', period, 'count'])
      .execute();
  }
}

export async function dropStatsTopIndexes(db: AnyDb): Promise<void> {
  for (const [table] of STATS_TOP_TABLES) {
    await db.schema.dropIndex(`${table}_rank`).execute();
    await db.schema.dropIndex(`${table}_key`).execute();
  }
}

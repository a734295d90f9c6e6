/**
 * Migration 0005 (oversight) on a database already at 0004 (the report rollups), with data in it: it
 * applies cleanly, keeps what is there, and files the attempts stored before it on the dashboard.
 * Run on SQLite (unit project) and on a real PostgreSQL (integration project).
 */
import { Migrator } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase } from '../../server/db/database';
import { migrationProvider } from '../../server/db/migrations';
import type { SuiteDatabase } from './suite-server';

export function defineMigrationUpgradeSuite(label: string, provide: () => Promise<SuiteDatabase>): void {
  describe(`migration 0005 on ${label}`, () => {
    it('upgrades a database at 0004 with data: columns added, audit numbers and blocked calls filed', async () => {
      const suiteDb = await provide();
      const database = await openDatabase(suiteDb.url, { migrate: false });
      try {
        const migrator = new Migrator({ db: database.kysely, provider: migrationProvider });
        const upTo4 = await migrator.migrateTo('0004_report_rollups');
        expect(upTo4.error).toBeUndefined();
        expect(upTo4.results?.map((result) => result.migrationName)).toEqual([
          '0001_initial',
          '0002_token_ids_user_disabled',
          '0003_attempts_by_caller_reviews',
          '0004_report_rollups',
        ]);
        const db = database.kysely;
        const now = '2030-01-08T17:00:00.000Z';
        await db
          .insertInto('orgs')
          .values({
            id: 'o1',
            name: 'Org',
            time_zone: 'America/New_York',
            settings: '{}',
            created_at: now,
            revision: 0,
            log_floor: 0,
          })
          .execute();
        const rule = {
          org_id: 'o1',
          kind: 'block',
          scope: 'all',
          reason: 'r',
          expires_at: null,
          created_by: 'Lee',
          created_at: now,
          updated_at: now,
          hit_count: 0,
          last_hit_at: null,
        };
        await db
          .insertInto('rules')
          .values([
            { ...rule, id: 'r-number', number: '+12125550111', source: 'manual' },
            { ...rule, id: 'r-prefix', number: '+1900*', source: 'manual' },
          ])
          .execute();
        const attempt = { org_id: 'o1', direction: 'inbound', anonymous: 0, line: '+12125550100' };
        // Monday 22:30 in New York (Tuesday 03:30 UTC), before 0004 kept outcomes: "unknown".
        // Tuesday 10:10 local: one blocked by number, one by prefix, one allowed (not on the dashboard).
        await db
          .insertInto('call_attempts')
          .values([
            { ...attempt, call_id: 'c1', number: '+13125550000', at: '2030-01-08T03:30:00.000Z' },
            {
              ...attempt,
              call_id: 'c2',
              number: '+12125550111',
              at: '2030-01-08T15:10:00.000Z',
              action: 'block',
              why: 'rule',
              rule_id: 'r-number',
            },
            {
              ...attempt,
              call_id: 'c3',
              number: '+19005550123',
              at: '2030-01-08T15:10:00.000Z',
              action: 'block',
              why: 'rule',
              rule_id: 'r-prefix',
            },
            {
              ...attempt,
              call_id: 'c4',
              number: '+13125550001',
              at: '2030-01-08T15:10:00.000Z',
              action: 'allow',
              why: 'no_match',
            },
          ])
          .execute();
        await db
          .insertInto('audit')
          .values({
            id: 'a1',
            org_id: 'o1',
            at: now,
            actor_id: null,
            actor_name: 'Lee',
            action: 'rule.created',
            target: 'r-number',
            before: null,
            after: JSON.stringify({ id: 'r-number', number: '+12125550111' }),
          })
          .execute();

        await migrateToLatest(db);

        const hourly = await db
          .selectFrom('stats_blocked_hourly')
          .select(['hour', 'hour_of_week', 'why', 'count'])
          .where('org_id', '=', 'o1')
          .orderBy('hour')
          .orderBy('why')
          .execute();
        expect(
          hourly.map((row) => ({ ...row, hour_of_week: Number(row.hour_of_week), count: Number(row.count) })),
        ).toEqual([
          { hour: '2030-01-07T22', hour_of_week: 22, why: 'unknown', count: 1 },
          { hour: '2030-01-08T10', hour_of_week: 34, why: 'number', count: 1 },
          { hour: '2030-01-08T10', hour_of_week: 34, why: 'prefix', count: 1 },
        ]);
        const audit = await db.selectFrom('audit').select('number').where('id', '=', 'a1').executeTakeFirst();
        expect(audit?.number).toBe('+12125550111');
        const attempts = await db
          .selectFrom('call_attempts')
          .select(['call_id', 'verstat', 'why'])
          .orderBy('call_id')
          .execute();
        expect(attempts.map((row) => [row.call_id, row.verstat, row.why])).toEqual([
          ['c1', null, null],
          ['c2', null, 'rule'],
          ['c3', null, 'rule'],
          ['c4', null, 'no_match'],
        ]);
        expect(await db.selectFrom('invites').selectAll().execute()).toEqual([]);
        // Nothing left to apply, and applying again changes nothing.
        await migrateToLatest(db);
        const known = await migrator.getMigrations();
        const names = known.filter((m) => m.executedAt !== undefined).map((m) => m.name);
        expect(names).toContain('0005_oversight');
        expect(names).toEqual(known.map((m) => m.name));
      } finally {
        await database.close();
        await suiteDb.cleanup();
      }
    });
  });
}

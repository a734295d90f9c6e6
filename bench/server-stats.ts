/**
 * The dashboard's year (SPEC §12.2): `npm run bench -- server-stats [sqlite|pg]`, and part of
 * `npm run bench -- server`. Prints `server.<dialect>.stats_1y.ms`: one year's charts — the per-day
 * chart with the heat map (GET /v1/stats/blocked) and the top numbers and rules with their trends
 * (GET /v1/stats/top) — for a 500-agent org with 40 blocked calls per agent per day (7.3 million calls).
 *
 * The year is generated as the call stream it stands for and rolled up here with the server's own
 * keys (its local hours and days); the rollup rows are then bulk-inserted, since posting 7.3 million
 * reports one batch at a time would take an hour. The API suite proves the recorder writes these rows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { buildServer } from '../server/app';
import { createOrg, createToken, createUser, standaloneStore } from '../server/admin-ops';
import { openDatabase } from '../server/db/database';
import { createStatsTopIndexes, dropStatsTopIndexes } from '../server/db/migration-oversight';
import type { DB } from '../server/db/schema';
import { addDays, hourOfWeek, localHourKey } from '../shared/local-time';
import { postgresAvailable, startPostgres, type PostgresCluster } from '../test/helpers/postgres';
import { ensureLoopbackNamespace, metric, percentile, seededRandom } from './lib';

/** BENCH_STATS_AGENTS scales the org down for a quick look; the figures are for 500. */
const AGENTS = Number(process.env.BENCH_STATS_AGENTS ?? 500);
const BLOCKED_PER_AGENT_PER_DAY = 40;
const DAYS = 365;
const TIME_ZONE = 'America/New_York';
/** The last day of the benchmark's year. */
const LAST_DAY = '2030-12-31';
const RUNS = 7;

/** Index in [0, n) with a Zipf-like skew: a few callers call very often, most rarely. */
function skewed(next: () => number, n: number): number {
  return Math.min(n - 1, Math.floor(n ** next()) - 1);
}

interface Year {
  hourly: Map<string, number>;
  daily: Map<string, number>;
  monthly: Map<string, number>;
  calls: number;
}

/**
 * 55 % by 3,000 listed numbers, 20 % by 30 prefix rules (callers from a pool of 20,000), 10 %
 * anonymous, 10 % failed verification (a pool of 10,000), 5 % by 500 auto-block rules; calls spread
 * over working hours, more on weekdays.
 */
function generateYear(): Year {
  const next = seededRandom(20301231);
  const year: Year = { hourly: new Map(), daily: new Map(), monthly: new Map(), calls: 0 };
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  const firstDay = addDays(LAST_DAY, -(DAYS - 1));
  for (let day = 0; day < DAYS; day++) {
    const date = addDays(firstDay, day);
    const startMs = Date.parse(`${date}T05:00:00Z`);
    const hourKeys = Array.from({ length: 24 }, (_, hour) =>
      localHourKey(startMs + hour * 3_600_000, TIME_ZONE),
    );
    const month = date.slice(0, 7);
    for (let call = 0; call < AGENTS * BLOCKED_PER_AGENT_PER_DAY; call++) {
      const hour = Math.min(23, Math.floor(3 + next() * 10 + next() * 8));
      const hourKey = hourKeys[hour] ?? `${date}T00`;
      const dayKey = hourKey.slice(0, 10);
      const pick = next();
      let why: string;
      let number: string | null;
      let rule: string | null;
      if (pick < 0.55) {
        const index = skewed(next, 3000);
        why = 'number';
        number = `+1212555${String(index).padStart(4, '0')}`;
        rule = `n${index}`;
      } else if (pick < 0.75) {
        why = 'prefix';
        const index = Math.floor(next() * 20_000);
        number = `+1900${String(2_000_000 + index)}`;
        rule = `p${index % 30}`;
      } else if (pick < 0.85) {
        why = 'anonymous';
        number = null;
        rule = null;
      } else if (pick < 0.95) {
        why = 'verification';
        number = `+1646${String(3_000_000 + Math.floor(next() * 10_000))}`;
        rule = null;
      } else {
        why = 'auto';
        const index = skewed(next, 500);
        number = `+1718555${String(index).padStart(4, '0')}`;
        rule = `a${index}`;
      }
      year.calls += 1;
      bump(year.hourly, `${hourKey}|${why}`);
      if (number !== null) {
        bump(year.daily, `${dayKey}|number|${number}`);
        bump(year.monthly, `${month}|number|${number}`);
      }
      if (rule !== null) {
        bump(year.daily, `${dayKey}|rule|${rule}`);
        bump(year.monthly, `${month}|rule|${rule}`);
      }
    }
  }
  return year;
}

/** Rows in (dimension, period, key) order: the primary key's, so each insert appends to its B-tree. */
function byPrimaryKey(d1: string, p1: string, k1: string, d2: string, p2: string, k2: string): number {
  const a = `${d1}|${p1}|${k1}`;
  const b = `${d2}|${p2}|${k2}`;
  return a < b ? -1 : a > b ? 1 : 0;
}

async function insertChunks<T extends Record<string, unknown>>(
  db: Kysely<DB>,
  table: 'stats_blocked_hourly' | 'stats_top_daily' | 'stats_top_monthly',
  rows: T[],
): Promise<void> {
  const size = 1000;
  for (let start = 0; start < rows.length; start += size) {
    await db
      .insertInto(table)
      .values(rows.slice(start, start + size) as never)
      .execute();
  }
}

export async function benchStats(dialect: 'sqlite' | 'pg', url: string, year: Year): Promise<void> {
  const database = await openDatabase(url);
  try {
    const store = standaloneStore(database);
    const { id: orgId } = await createOrg(store, { name: 'Stats bench', country: 'US', timeZone: TIME_ZONE });
    const lead = await createUser(store, { orgId, name: 'Lead', role: 'lead' });
    const { token } = await createToken(store, lead.id);
    const loadStarted = performance.now();
    // A bulk load builds the secondary indexes once at the end, not row by row.
    await dropStatsTopIndexes(database.kysely);
    await database.kysely.transaction().execute(async (tx) => {
      await insertChunks(
        tx,
        'stats_blocked_hourly',
        [...year.hourly].map(([key, count]) => {
          const [hour = '', why = ''] = key.split('|');
          return { org_id: orgId, hour, hour_of_week: hourOfWeek(hour), why, count };
        }),
      );
      await insertChunks(
        tx,
        'stats_top_daily',
        [...year.daily]
          .map(([key, count]) => {
            const [day = '', dimension = '', value = ''] = key.split('|');
            return { org_id: orgId, day, dimension, key: value, count };
          })
          .sort((a, b) => byPrimaryKey(a.dimension, a.day, a.key, b.dimension, b.day, b.key)),
      );
      await insertChunks(
        tx,
        'stats_top_monthly',
        [...year.monthly]
          .map(([key, count]) => {
            const [month = '', dimension = '', value = ''] = key.split('|');
            return { org_id: orgId, month, dimension, key: value, count };
          })
          .sort((a, b) => byPrimaryKey(a.dimension, a.month, a.key, b.dimension, b.month, b.key)),
      );
    });
    await createStatsTopIndexes(database.kysely);
    // PostgreSQL plans from statistics: a freshly loaded table has none until it is analyzed.
    if (dialect === 'pg') await sql`analyze`.execute(database.kysely);
    metric(`server.${dialect}.stats_load_1y.s`, (performance.now() - loadStarted) / 1000, 's');

    const app = await buildServer({
      db: database,
      rateLimit: false,
      sweepIntervalMs: false,
      externalWritePollMs: false,
    });
    try {
      const from = addDays(LAST_DAY, -(DAYS - 1));
      const get = async (path: string) => {
        const started = performance.now();
        const reply = await app.inject({
          method: 'GET',
          url: path,
          headers: { authorization: `Bearer ${token}` },
        });
        if (reply.statusCode !== 200) throw new Error(`${path}: ${reply.statusCode} ${reply.body}`);
        return { ms: performance.now() - started, body: reply.json<{ total?: number }>() };
      };
      const blocked: number[] = [];
      const top: number[] = [];
      const both: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const started = performance.now();
        const [a, b] = await Promise.all([
          get(`/v1/stats/blocked?from=${from}&to=${LAST_DAY}&bucket=day`),
          get(`/v1/stats/top?from=${from}&to=${LAST_DAY}&limit=10`),
        ]);
        both.push(performance.now() - started);
        blocked.push(a.ms);
        top.push(b.ms);
        if (run === 0 && a.body.total !== year.calls) {
          throw new Error(`the dashboard counted ${a.body.total ?? 'nothing'} of ${year.calls} calls`);
        }
      }
      // The first run warms caches (statement cache, buffers); the median of the runs is the figure.
      metric(`server.${dialect}.stats_1y.ms`, percentile(both, 0.5), 'ms');
      metric(`server.${dialect}.stats_blocked_1y.ms`, percentile(blocked, 0.5), 'ms');
      metric(`server.${dialect}.stats_top_1y.ms`, percentile(top, 0.5), 'ms');
    } finally {
      await app.close();
    }
  } finally {
    await database.close();
  }
}

let generated: Year | null = null;
/** One year of calls, generated once per process for every dialect. */
export function yearOfCalls(): Year {
  generated ??= generateYear();
  return generated;
}

export async function benchStatsDialects(dialects: readonly ('sqlite' | 'pg')[]): Promise<void> {
  const year = yearOfCalls();
  metric('server.stats_1y.calls', year.calls, 'calls');
  metric('server.stats_1y.rollup_rows', year.hourly.size + year.daily.size + year.monthly.size, 'rows');
  if (dialects.includes('sqlite')) {
    const dir = mkdtempSync(join(tmpdir(), 'blockline-bench-stats-'));
    try {
      await benchStats('sqlite', join(dir, 'stats.sqlite'), year);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (dialects.includes('pg')) {
    if (!postgresAvailable()) {
      console.error('PostgreSQL binaries not found: skipping the pg stats figures');
      return;
    }
    let cluster: PostgresCluster | null = null;
    try {
      cluster = await startPostgres();
      await benchStats('pg', await cluster.createDatabase('bench_stats'), year);
    } finally {
      await cluster?.stop();
    }
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  ensureLoopbackNamespace(import.meta.url);
  const wanted = process.argv
    .slice(2)
    .filter((arg): arg is 'sqlite' | 'pg' => arg === 'sqlite' || arg === 'pg');
  benchStatsDialects(wanted.length > 0 ? wanted : ['sqlite', 'pg']).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}

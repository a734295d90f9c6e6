/**
 * The blocked-calls dashboard's reads (SPEC §12.2), from the rollups `stats-recorder.ts` keeps: counts
 * per bucket and why, the hour-of-week heat map, auto-block events, and the top numbers and rules with
 * their trend. Days and hours are the org's own (its time zone).
 */
import {
  BLOCKED_WHYS,
  MAX_STATS_DAYS,
  type BlockedWhy,
  type StatsBlockedQuery,
  type StatsBlockedResponse,
  type StatsTopQuery,
  type StatsTopResponse,
  type WhyCounts,
} from '../shared/contracts/oversight';
import { addDays, daysBetween, startOfLocalDay, weekdayOf } from '../shared/local-time';
import { ApiError } from './errors';
import type { Store } from './store';

const emptyCounts = (): WhyCounts =>
  Object.fromEntries(BLOCKED_WHYS.map((why) => [why, 0])) as Record<BlockedWhy, number>;

const isWhy = (value: string): value is BlockedWhy => (BLOCKED_WHYS as readonly string[]).includes(value);

function checkRange(from: string, to: string): number {
  const days = daysBetween(from, to) + 1;
  if (days < 1) throw new ApiError(400, 'bad_request', `from (${from}) must not be after to (${to})`);
  if (days > MAX_STATS_DAYS) {
    throw new ApiError(
      400,
      'bad_request',
      `one request covers at most ${MAX_STATS_DAYS} days (got ${days})`,
      {
        max: MAX_STATS_DAYS,
        got: days,
      },
    );
  }
  return days;
}

export async function blockedStats(
  store: Store,
  org: { id: string; timeZone: string },
  query: StatsBlockedQuery,
): Promise<StatsBlockedResponse> {
  const days = checkRange(query.from, query.to);
  const rows = await store.db
    .selectFrom('stats_blocked_hourly')
    .select(['hour', 'why', 'count'])
    .where('org_id', '=', org.id)
    .where('hour', '>=', `${query.from}T00`)
    .where('hour', '<=', `${query.to}T23`)
    .execute();

  const buckets = new Map<string, WhyCounts>();
  const keyLength = query.bucket === 'day' ? 10 : 13;
  for (let day = 0; day < days; day++) {
    const date = addDays(query.from, day);
    if (query.bucket === 'day') buckets.set(date, emptyCounts());
    else
      for (let hour = 0; hour < 24; hour++)
        buckets.set(`${date}T${String(hour).padStart(2, '0')}`, emptyCounts());
  }
  const totals = emptyCounts();
  const hourOfWeek = Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => 0));
  for (const row of rows) {
    const count = Number(row.count);
    const why = isWhy(row.why) ? row.why : 'unknown';
    const bucket = buckets.get(row.hour.slice(0, keyLength));
    if (bucket !== undefined) bucket[why] += count;
    totals[why] += count;
    const weekday = hourOfWeek[weekdayOf(row.hour.slice(0, 10))];
    const hour = Number(row.hour.slice(11, 13));
    if (weekday !== undefined && weekday[hour] !== undefined) weekday[hour] += count;
  }

  const fromMs = startOfLocalDay(query.from, org.timeZone);
  const toMs = startOfLocalDay(addDays(query.to, 1), org.timeZone);
  const autoRows = await store.db
    .selectFrom('audit')
    .select(['at', 'target', 'number', 'after'])
    .where('org_id', '=', org.id)
    .where('action', '=', 'rule.auto_created')
    .where('at', '>=', new Date(fromMs).toISOString())
    .where('at', '<', new Date(toMs).toISOString())
    .orderBy('at', 'desc')
    .limit(500)
    .execute();

  const sum = (counts: WhyCounts) => BLOCKED_WHYS.reduce((total, why) => total + counts[why], 0);
  return {
    timeZone: org.timeZone,
    from: query.from,
    to: query.to,
    bucket: query.bucket,
    buckets: [...buckets].map(([start, counts]) => ({ start, counts, total: sum(counts) })),
    totals,
    total: sum(totals),
    hourOfWeek,
    autoBlocks: autoRows.map((row) => {
      const after: unknown = row.after === null ? null : JSON.parse(row.after);
      const reason = typeof after === 'object' && after !== null ? Reflect.get(after, 'reason') : null;
      return {
        at: row.at,
        ruleId: row.target,
        number: row.number ?? '',
        reason: typeof reason === 'string' ? reason : '',
      };
    }),
  };
}

/** Splits [from, to] into whole local months and the days at either edge that are not. */
export function monthsAndEdges(
  from: string,
  to: string,
): { months: [string, string] | null; edges: [string, string][] } {
  const firstFullMonthStart = from.endsWith('-01')
    ? from
    : addDays(`${from.slice(0, 7)}-01`, 40).slice(0, 7) + '-01';
  const nextDay = addDays(to, 1);
  const lastFullMonthEnd = nextDay.endsWith('-01') ? to : addDays(`${to.slice(0, 7)}-01`, -1);
  if (firstFullMonthStart > lastFullMonthEnd) return { months: null, edges: [[from, to]] };
  const edges: [string, string][] = [];
  if (from < firstFullMonthStart) edges.push([from, addDays(firstFullMonthStart, -1)]);
  if (lastFullMonthEnd < to) edges.push([addDays(lastFullMonthEnd, 1), to]);
  return { months: [firstFullMonthStart.slice(0, 7), lastFullMonthEnd.slice(0, 7)], edges };
}

async function topKeys(
  store: Store,
  orgId: string,
  dimension: 'number' | 'rule',
  from: string,
  to: string,
  limit: number,
): Promise<{ key: string; count: number }[]> {
  const { months, edges } = monthsAndEdges(from, to);
  const db = store.db;
  const daily = db
    .selectFrom('stats_top_daily')
    .select(['key', 'count'])
    .where('org_id', '=', orgId)
    .where('dimension', '=', dimension)
    .where((eb) =>
      eb.or(edges.map(([start, end]) => eb.and([eb('day', '>=', start), eb('day', '<=', end)]))),
    );
  const monthly = db
    .selectFrom('stats_top_monthly')
    .select(['key', 'count'])
    .where('org_id', '=', orgId)
    .where('dimension', '=', dimension)
    .where('month', '>=', months?.[0] ?? '9999')
    .where('month', '<=', months?.[1] ?? '0000');
  const parts = edges.length === 0 ? monthly : months === null ? daily : daily.unionAll(monthly);
  const rows = await db
    .selectFrom(parts.as('part'))
    .select((eb) => ['part.key', eb.fn.sum<number | string>('part.count').as('total')])
    .groupBy('part.key')
    .orderBy('total', 'desc')
    .orderBy('part.key')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ key: row.key, count: Number(row.total) }));
}

async function trends(
  store: Store,
  orgId: string,
  dimension: 'number' | 'rule',
  keys: string[],
  from: string,
  to: string,
  bucketDays: number,
  bucketCount: number,
): Promise<Map<string, number[]>> {
  const result = new Map(keys.map((key) => [key, Array.from({ length: bucketCount }, () => 0)]));
  if (keys.length === 0) return result;
  const rows = await store.db
    .selectFrom('stats_top_daily')
    .select(['key', 'day', 'count'])
    .where('org_id', '=', orgId)
    .where('dimension', '=', dimension)
    .where('key', 'in', keys)
    .where('day', '>=', from)
    .where('day', '<=', to)
    .execute();
  for (const row of rows) {
    const series = result.get(row.key);
    const index = Math.floor(daysBetween(from, row.day) / bucketDays);
    if (series !== undefined && series[index] !== undefined) series[index] += Number(row.count);
  }
  return result;
}

export async function topStats(
  store: Store,
  org: { id: string; timeZone: string },
  query: StatsTopQuery,
): Promise<StatsTopResponse> {
  const days = checkRange(query.from, query.to);
  const bucketDays = days <= 31 ? 1 : 7;
  const bucketCount = Math.ceil(days / bucketDays);
  const [numbers, rules] = await Promise.all([
    topKeys(store, org.id, 'number', query.from, query.to, query.limit),
    topKeys(store, org.id, 'rule', query.from, query.to, query.limit),
  ]);
  const ruleIds = rules.map((rule) => rule.key);
  const [numberTrends, ruleTrends, ruleRows, knownNumbers] = await Promise.all([
    trends(
      store,
      org.id,
      'number',
      numbers.map((entry) => entry.key),
      query.from,
      query.to,
      bucketDays,
      bucketCount,
    ),
    trends(store, org.id, 'rule', ruleIds, query.from, query.to, bucketDays, bucketCount),
    ruleIds.length === 0
      ? Promise.resolve([])
      : store.db
          .selectFrom('rules')
          .select(['id', 'number', 'reason'])
          .where('org_id', '=', org.id)
          .where('id', 'in', ruleIds)
          .execute(),
    ruleIds.length === 0
      ? Promise.resolve([])
      : store.db
          .selectFrom('stats_rule_numbers')
          .select(['rule_id', 'number'])
          .where('org_id', '=', org.id)
          .where('rule_id', 'in', ruleIds)
          .execute(),
  ]);
  const live = new Map(ruleRows.map((row) => [row.id, row]));
  const numberOfRule = new Map(knownNumbers.map((row) => [row.rule_id, row.number]));
  return {
    timeZone: org.timeZone,
    from: query.from,
    to: query.to,
    trendBucket: bucketDays === 1 ? 'day' : 'week',
    numbers: numbers.map(({ key, count }) => ({ number: key, count, trend: numberTrends.get(key) ?? [] })),
    rules: rules.map(({ key, count }) => {
      const rule = live.get(key);
      return {
        ruleId: key,
        number: rule?.number ?? numberOfRule.get(key) ?? '',
        reason: rule?.reason ?? null,
        deleted: rule === undefined,
        count,
        trend: ruleTrends.get(key) ?? [],
      };
    }),
  };
}

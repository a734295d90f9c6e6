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
import { addDays, daysBetween, startOfLocalDay } from '../shared/local-time';
import { ApiError } from './errors';
import type { Repository } from './repository';

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
  store: Repository,
  org: { id: string; timeZone: string },
  query: StatsBlockedQuery,
): Promise<StatsBlockedResponse> {
  const days = checkRange(query.from, query.to);
  const inRange = store.db
    .selectFrom('stats_blocked_hourly')
    .where('org_id', '=', org.id)
    .where('hour', '>=', `${query.from}T00`)
    .where('hour', '<=', `${query.to}T23`);
  // The database sums: a year is 8,760 hours times the whys, but only 366 days and 168 hours of the week.
  const [rows, weekRows] = await Promise.all([
    query.bucket === 'hour'
      ? inRange.select(['hour as bucket', 'why', 'count as total']).execute()
      : inRange
          .select((eb) => [
            eb.fn<string>('substr', ['hour', eb.val(1), eb.val(10)]).as('bucket'),
            'why',
            eb.fn.sum<number | string>('count').as('total'),
          ])
          .groupBy(['bucket', 'why'])
          .execute(),
    inRange
      .select((eb) => ['hour_of_week', eb.fn.sum<number | string>('count').as('total')])
      .groupBy('hour_of_week')
      .execute(),
  ]);

  const buckets = new Map<string, WhyCounts>();
  for (let day = 0; day < days; day++) {
    const date = addDays(query.from, day);
    if (query.bucket === 'day') buckets.set(date, emptyCounts());
    else
      for (let hour = 0; hour < 24; hour++)
        buckets.set(`${date}T${String(hour).padStart(2, '0')}`, emptyCounts());
  }
  const totals = emptyCounts();
  for (const row of rows) {
    const count = Number(row.total);
    const why = isWhy(row.why) ? row.why : 'unknown';
    const bucket = buckets.get(row.bucket);
    if (bucket !== undefined) bucket[why] += count;
    totals[why] += count;
  }
  const hourOfWeek = Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => 0));
  for (const row of weekRows) {
    const slot = Number(row.hour_of_week);
    const weekday = hourOfWeek[Math.floor(slot / 24)];
    const hour = slot % 24;
    if (weekday !== undefined) weekday[hour] = (weekday[hour] ?? 0) + Number(row.total);
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

type Dimension = 'number' | 'rule';

/** One period of the range: a whole month (monthly rollup) or a single day (daily rollup). */
type Segment = { table: 'daily'; day: string } | { table: 'monthly'; month: string };

function segmentsOf(from: string, to: string): Segment[] {
  const { months, edges } = monthsAndEdges(from, to);
  const segments: Segment[] = [];
  for (const [start, end] of edges) {
    for (let day = start; day <= end; day = addDays(day, 1)) segments.push({ table: 'daily', day });
  }
  if (months !== null) {
    for (let month = months[0]; month <= months[1]; month = addDays(`${month}-01`, 40).slice(0, 7)) {
      segments.push({ table: 'monthly', month });
    }
  }
  return segments;
}

/** The `depth` largest counts of one period, largest first (an index walk on `…_rank`). */
async function segmentTop(
  store: Repository,
  orgId: string,
  dimension: Dimension,
  segment: Segment,
  depth: number,
) {
  if (segment.table === 'daily') {
    return store.db
      .selectFrom('stats_top_daily')
      .select(['key', 'count'])
      .where('org_id', '=', orgId)
      .where('dimension', '=', dimension)
      .where('day', '=', segment.day)
      .orderBy('count', 'desc')
      .limit(depth)
      .execute();
  }
  return store.db
    .selectFrom('stats_top_monthly')
    .select(['key', 'count'])
    .where('org_id', '=', orgId)
    .where('dimension', '=', dimension)
    .where('month', '=', segment.month)
    .orderBy('count', 'desc')
    .limit(depth)
    .execute();
}

/** Exact totals over the range for the given keys. */
async function totalsOf(
  store: Repository,
  orgId: string,
  dimension: Dimension,
  keys: string[],
  segments: Segment[],
): Promise<Map<string, number>> {
  const days = segments.flatMap((segment) => (segment.table === 'daily' ? [segment.day] : []));
  const months = segments.flatMap((segment) => (segment.table === 'monthly' ? [segment.month] : []));
  const totals = new Map<string, number>();
  for (let start = 0; start < keys.length; start += 400) {
    const chunk = keys.slice(start, start + 400);
    const parts = await Promise.all([
      days.length === 0
        ? []
        : store.db
            .selectFrom('stats_top_daily')
            .select((eb) => ['key', eb.fn.sum<number | string>('count').as('total')])
            .where('org_id', '=', orgId)
            .where('dimension', '=', dimension)
            .where('key', 'in', chunk)
            .where('day', 'in', days)
            .groupBy('key')
            .execute(),
      months.length === 0
        ? []
        : store.db
            .selectFrom('stats_top_monthly')
            .select((eb) => ['key', eb.fn.sum<number | string>('count').as('total')])
            .where('org_id', '=', orgId)
            .where('dimension', '=', dimension)
            .where('key', 'in', chunk)
            .where('month', '>=', months[0] ?? '')
            .where('month', '<=', months[months.length - 1] ?? '')
            .groupBy('key')
            .execute(),
    ]);
    for (const row of parts.flat()) totals.set(row.key, (totals.get(row.key) ?? 0) + Number(row.total));
  }
  return totals;
}

/**
 * The `limit` keys with the most blocked calls in [from, to], exactly, without summing every key of a
 * year (a year has hundreds of thousands of number-months). A threshold walk (Fagin's): take each
 * period's top `depth` keys as candidates and sum them exactly; no other key can total more than the
 * sum of each period's `depth`-th count, so once the `limit`-th candidate reaches that bound the answer
 * is exact. Otherwise look deeper.
 */
async function topKeys(
  store: Repository,
  orgId: string,
  dimension: Dimension,
  from: string,
  to: string,
  limit: number,
): Promise<{ key: string; count: number }[]> {
  const segments = segmentsOf(from, to);
  for (let depth = Math.max(50, limit * 5); ; depth *= 4) {
    const tops = await Promise.all(
      segments.map((segment) => segmentTop(store, orgId, dimension, segment, depth)),
    );
    let bound = 0;
    const candidates = new Set<string>();
    for (const rows of tops) {
      for (const row of rows) candidates.add(row.key);
      const last = rows[depth - 1];
      if (last !== undefined) bound += Number(last.count);
    }
    const totals = await totalsOf(store, orgId, dimension, [...candidates], segments);
    const ranked = [...totals]
      .map(([key, count]) => ({ key, count }))
      .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const kth = ranked[limit - 1];
    // Exact once no period was cut short, or the limit-th total beats anything left unseen.
    if (bound === 0 || (kth !== undefined && kth.count > bound)) return ranked.slice(0, limit);
  }
}

async function trends(
  store: Repository,
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
  store: Repository,
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

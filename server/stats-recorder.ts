/**
 * Rolls blocked inbound calls up as they are reported (SPEC §12.2): per local hour and why, per local
 * day and month for each caller number and each rule. The rollups are written in the reports' own
 * transaction and never pruned, so the dashboard outlives the raw reports and a year reads a few
 * thousand rows instead of millions.
 */
import type { Kysely } from 'kysely';
import type { CallReport } from '../shared/contracts/api';
import { blockedWhyFrom, type RuleFacts } from './blocked-why';
import { hourOfWeek, localHourKey } from '../shared/local-time';
import type { DB } from './db/schema';
import type { OrgWrite } from './repository';

class Tally {
  readonly counts = new Map<string, number>();
  add(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
}

/** Counts the newly stored attempts among `reports` (each once, however many agents saw it). */
export async function recordBlockedAttempts(write: OrgWrite, attempts: readonly CallReport[]): Promise<void> {
  const blocked = attempts.filter((report) => report.direction === 'inbound' && report.action === 'block');
  if (blocked.length === 0) return;
  const { tx } = write;
  const orgId = write.org.id;
  const ruleIds = [...new Set(blocked.flatMap((report) => (report.ruleId === null ? [] : [report.ruleId])))];
  const rules = new Map<string, RuleFacts>();
  for (let start = 0; start < ruleIds.length; start += 200) {
    const rows = await tx
      .selectFrom('rules')
      .select(['id', 'number', 'source'])
      .where('org_id', '=', orgId)
      .where('id', 'in', ruleIds.slice(start, start + 200))
      .execute();
    for (const row of rows) rules.set(row.id, { number: row.number, source: row.source });
  }

  const hours = new Tally();
  const top = new Tally();
  for (const report of blocked) {
    const rule = report.ruleId === null ? undefined : rules.get(report.ruleId);
    const hour = localHourKey(Date.parse(report.at), write.org.timeZone);
    hours.add(`${hour}|${blockedWhyFrom(report.why, rule)}`);
    const day = hour.slice(0, 10);
    if (report.number !== null) top.add(`${day}|number|${report.number}`);
    if (report.ruleId !== null && rule !== undefined) top.add(`${day}|rule|${report.ruleId}`);
  }

  for (const [key, count] of hours.counts) {
    const [hour = '', why = ''] = key.split('|');
    await tx
      .insertInto('stats_blocked_hourly')
      .values({ org_id: orgId, hour, hour_of_week: hourOfWeek(hour), why, count })
      .onConflict((conflict) =>
        conflict
          .columns(['org_id', 'hour', 'why'])
          .doUpdateSet((eb) => ({ count: eb('stats_blocked_hourly.count', '+', eb.ref('excluded.count')) })),
      )
      .execute();
  }
  for (const [key, count] of top.counts) {
    const [day = '', dimension = '', value = ''] = key.split('|');
    await addTop(tx, orgId, day, dimension, value, count);
  }
  for (const [ruleId, rule] of rules) {
    await tx
      .insertInto('stats_rule_numbers')
      .values({ org_id: orgId, rule_id: ruleId, number: rule.number })
      .onConflict((conflict) => conflict.columns(['org_id', 'rule_id']).doNothing())
      .execute();
  }
}

async function addTop(
  tx: Kysely<DB>,
  orgId: string,
  day: string,
  dimension: string,
  key: string,
  count: number,
): Promise<void> {
  await tx
    .insertInto('stats_top_daily')
    .values({ org_id: orgId, day, dimension, key, count })
    .onConflict((conflict) =>
      conflict
        .columns(['org_id', 'dimension', 'day', 'key'])
        .doUpdateSet((eb) => ({ count: eb('stats_top_daily.count', '+', eb.ref('excluded.count')) })),
    )
    .execute();
  await tx
    .insertInto('stats_top_monthly')
    .values({ org_id: orgId, month: day.slice(0, 7), dimension, key, count })
    .onConflict((conflict) =>
      conflict
        .columns(['org_id', 'dimension', 'month', 'key'])
        .doUpdateSet((eb) => ({ count: eb('stats_top_monthly.count', '+', eb.ref('excluded.count')) })),
    )
    .execute();
}

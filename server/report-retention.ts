/**
 * Call reports do not grow without end (SPEC §11, §12.2): each finished UTC day of call attempts is
 * rolled up into per-day counts (kept for good, by direction, verdict, number and line), and raw
 * attempts and reports older than the retention period (90 days by default) are deleted once rolled
 * up. Rule hit counters live on the rules and are untouched.
 */
import { sql } from 'kysely';
import type { Repository } from './repository';

export const DEFAULT_REPORT_RETENTION_DAYS = 90;

export interface RetentionResult {
  rolledUp: number;
  prunedAttempts: number;
  prunedReports: number;
}

export async function rollUpAndPruneReports(
  store: Repository,
  retentionDays: number = DEFAULT_REPORT_RETENTION_DAYS,
): Promise<RetentionResult> {
  const nowMs = store.now();
  const today = new Date(nowMs).toISOString().slice(0, 10);
  const cutoff = new Date(nowMs - retentionDays * 86_400_000).toISOString();
  return store.db.transaction().execute(async (tx) => {
    // Claim the rows first (2), so an attempt committed meanwhile is neither counted nor marked.
    await tx
      .updateTable('call_attempts')
      .set({ rolled_up: 2 })
      .where('rolled_up', '=', 0)
      .where('at', '<', today)
      .execute();
    const groups = await tx
      .selectFrom('call_attempts')
      .select([
        'org_id',
        sql<string>`substr(at, 1, 10)`.as('day'),
        'direction',
        sql<string>`coalesce(action, '')`.as('action'),
        sql<string>`coalesce(why, '')`.as('why'),
        sql<string>`coalesce(number, '')`.as('number'),
        sql<string>`coalesce(line, '')`.as('line'),
        (eb) => eb.fn.countAll<number>().as('attempts'),
      ])
      .where('rolled_up', '=', 2)
      .groupBy(['org_id', sql`substr(at, 1, 10)`, 'direction', 'action', 'why', 'number', 'line'])
      .execute();
    let rolledUp = 0;
    for (const group of groups) {
      const attempts = Number(group.attempts);
      rolledUp += attempts;
      await tx
        .insertInto('call_daily_counts')
        .values({ ...group, attempts })
        .onConflict((conflict) =>
          conflict
            .columns(['org_id', 'day', 'direction', 'action', 'why', 'number', 'line'])
            .doUpdateSet({ attempts: sql`call_daily_counts.attempts + excluded.attempts` }),
        )
        .execute();
    }
    await tx.updateTable('call_attempts').set({ rolled_up: 1 }).where('rolled_up', '=', 2).execute();
    const attempts = await tx
      .deleteFrom('call_attempts')
      .where('rolled_up', '=', 1)
      .where('at', '<', cutoff)
      .executeTakeFirst();
    const reports = await tx.deleteFrom('call_reports').where('received_at', '<', cutoff).executeTakeFirst();
    // A wrap-up goes with its report: one written within the period outlives it by at most that.
    await tx.deleteFrom('call_wrap_ups').where('updated_at', '<', cutoff).execute();
    return {
      rolledUp,
      prunedAttempts: Number(attempts.numDeletedRows),
      prunedReports: Number(reports.numDeletedRows),
    };
  });
}

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { BlockedWhy, StatsBlockedResponse } from '../../../shared/contracts/oversight';
import { BLOCKED_WHYS, WHY_COLORS, WHY_LABELS } from './why';
import { ChartFrame } from './ChartFrame';
import { bucketLabel } from './labels';

/** The whys worth a series: every one that has a call in the range (all of them when it is empty). */
export function shownWhys(stats: StatsBlockedResponse): BlockedWhy[] {
  const present = BLOCKED_WHYS.filter((why) => stats.totals[why] > 0);
  return present.length > 0 ? present : BLOCKED_WHYS.filter((why) => why !== 'unknown');
}

/** Blocked calls per day (or hour), stacked by why. */
export function BlockedChart({ stats }: { stats: StatsBlockedResponse }) {
  const whys = shownWhys(stats);
  const data = stats.buckets.map((bucket) => ({ label: bucketLabel(bucket.start), ...bucket.counts }));
  const per = stats.bucket === 'day' ? 'day' : 'hour';
  return (
    <ChartFrame
      title={`Blocked calls per ${per}`}
      description={`${stats.total.toLocaleString('en-US')} blocked calls from ${stats.from} to ${stats.to} (${stats.timeZone}), by reason.`}
      chart={
        <ResponsiveContainer width="100%" height={260}>
          <BarChart data={data} accessibilityLayer={false} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" vertical={false} />
            <XAxis
              dataKey="label"
              tick={{ fill: 'var(--muted)', fontSize: 12 }}
              stroke="var(--border)"
              minTickGap={16}
            />
            <YAxis
              allowDecimals={false}
              tick={{ fill: 'var(--muted)', fontSize: 12 }}
              stroke="var(--border)"
              width={48}
            />
            <Tooltip
              cursor={{ fill: 'var(--surface-2)' }}
              contentStyle={{
                background: 'var(--surface)',
                border: '1px solid var(--border)',
                color: 'var(--text)',
              }}
              labelStyle={{ color: 'var(--text)' }}
            />
            <Legend wrapperStyle={{ color: 'var(--text)', fontSize: 13 }} />
            {whys.map((why) => (
              <Bar
                key={why}
                dataKey={why}
                name={WHY_LABELS[why]}
                stackId="why"
                fill={WHY_COLORS[why]}
                isAnimationActive={false}
              />
            ))}
          </BarChart>
        </ResponsiveContainer>
      }
      table={
        <table className="bl-table" data-testid="blocked-table">
          <caption className="bl-visually-hidden">Blocked calls per {per}, by reason</caption>
          <thead>
            <tr>
              <th scope="col">{per === 'day' ? 'Day' : 'Hour'}</th>
              {whys.map((why) => (
                <th key={why} scope="col">
                  {WHY_LABELS[why]}
                </th>
              ))}
              <th scope="col">Total</th>
            </tr>
          </thead>
          <tbody>
            {stats.buckets
              .filter((bucket) => stats.bucket === 'day' || bucket.total > 0)
              .map((bucket) => (
                <tr key={bucket.start} data-bucket={bucket.start}>
                  <th scope="row">{bucketLabel(bucket.start)}</th>
                  {whys.map((why) => (
                    <td key={why}>{bucket.counts[why]}</td>
                  ))}
                  <td data-testid="bucket-total">{bucket.total}</td>
                </tr>
              ))}
          </tbody>
        </table>
      }
    />
  );
}

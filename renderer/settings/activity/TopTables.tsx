import type { ReactNode } from 'react';
import { Line, LineChart } from 'recharts';
import type { StatsTopResponse } from '../../../shared/contracts/oversight';
import { displayNumber } from '../../app/format';

function Sparkline({ values, label }: { values: number[]; label: string }) {
  const data = values.map((value, index) => ({ index, value }));
  return (
    <span className="bl-spark">
      <span aria-hidden="true">
        <LineChart width={120} height={28} data={data} accessibilityLayer={false}>
          <Line
            type="monotone"
            dataKey="value"
            stroke="var(--accent)"
            strokeWidth={2}
            dot={false}
            isAnimationActive={false}
          />
        </LineChart>
      </span>
      <span className="bl-visually-hidden">
        {label}: {values.join(', ')}
      </span>
    </span>
  );
}

/** One of the two tables: its heading, its columns, and a row saying so when the period has none. */
function TopTable({
  id,
  title,
  testId,
  columns,
  empty,
  children,
}: {
  id: string;
  title: string;
  testId: string;
  columns: readonly string[];
  empty: string;
  children: ReactNode[];
}) {
  return (
    <section className="bl-chart" aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      <table className="bl-table" data-testid={testId}>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column} scope="col">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {children.length === 0 && (
            <tr>
              <td colSpan={columns.length} className="bl-muted">
                {empty}
              </td>
            </tr>
          )}
          {children}
        </tbody>
      </table>
    </section>
  );
}

/** The numbers blocked most and the rules that blocked most, each with its trend over the range. */
export function TopTables({ top, country }: { top: StatsTopResponse; country: string }) {
  const per = top.trendBucket === 'day' ? 'per day' : 'per week';
  const trend = `Trend (${per})`;
  return (
    <div className="bl-top">
      <TopTable
        id="top-numbers-heading"
        title="Top blocked numbers"
        testId="top-numbers"
        columns={['Number', 'Blocked', trend]}
        empty="No blocked calls in this period."
      >
        {top.numbers.map((entry) => (
          <tr key={entry.number} data-number={entry.number}>
            <th scope="row">{displayNumber(entry.number, country)}</th>
            <td data-testid="top-count">{entry.count.toLocaleString('en-US')}</td>
            <td>
              <Sparkline values={entry.trend} label={`Blocked ${per}`} />
            </td>
          </tr>
        ))}
      </TopTable>
      <TopTable
        id="top-rules-heading"
        title="Top rules"
        testId="top-rules"
        columns={['Rule', 'Reason', 'Blocked', trend]}
        empty="No rule blocked a call in this period."
      >
        {top.rules.map((entry) => (
          <tr key={entry.ruleId} data-rule-id={entry.ruleId}>
            <th scope="row">{displayNumber(entry.number, country)}</th>
            <td>{entry.deleted ? <span className="bl-muted">(deleted rule)</span> : entry.reason}</td>
            <td>{entry.count.toLocaleString('en-US')}</td>
            <td>
              <Sparkline values={entry.trend} label={`Blocked ${per}`} />
            </td>
          </tr>
        ))}
      </TopTable>
    </div>
  );
}

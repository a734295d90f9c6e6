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

/** The numbers blocked most and the rules that blocked most, each with its trend over the range. */
export function TopTables({ top, country }: { top: StatsTopResponse; country: string }) {
  const per = top.trendBucket === 'day' ? 'per day' : 'per week';
  return (
    <div className="bl-top">
      <section className="bl-chart" aria-labelledby="top-numbers-heading">
        <h3 id="top-numbers-heading">Top blocked numbers</h3>
        <table className="bl-table" data-testid="top-numbers">
          <thead>
            <tr>
              <th scope="col">Number</th>
              <th scope="col">Blocked</th>
              <th scope="col">Trend ({per})</th>
            </tr>
          </thead>
          <tbody>
            {top.numbers.length === 0 && (
              <tr>
                <td colSpan={3} className="bl-muted">
                  No blocked calls in this period.
                </td>
              </tr>
            )}
            {top.numbers.map((entry) => (
              <tr key={entry.number} data-number={entry.number}>
                <th scope="row">{displayNumber(entry.number, country)}</th>
                <td data-testid="top-count">{entry.count.toLocaleString('en-US')}</td>
                <td>
                  <Sparkline values={entry.trend} label={`Blocked ${per}`} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="bl-chart" aria-labelledby="top-rules-heading">
        <h3 id="top-rules-heading">Top rules</h3>
        <table className="bl-table" data-testid="top-rules">
          <thead>
            <tr>
              <th scope="col">Rule</th>
              <th scope="col">Reason</th>
              <th scope="col">Blocked</th>
              <th scope="col">Trend ({per})</th>
            </tr>
          </thead>
          <tbody>
            {top.rules.length === 0 && (
              <tr>
                <td colSpan={4} className="bl-muted">
                  No rule blocked a call in this period.
                </td>
              </tr>
            )}
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
          </tbody>
        </table>
      </section>
    </div>
  );
}

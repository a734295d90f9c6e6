import type { StatsBlockedResponse } from '../../../shared/contracts/oversight';
import { WEEKDAYS } from './labels';

/** Five steps of intensity, each with a text colour that keeps its contrast in both themes. */
function level(count: number, max: number): number {
  if (count === 0 || max === 0) return 0;
  return Math.min(4, 1 + Math.floor((count / max) * 3.999));
}

/**
 * Blocked calls by weekday and hour, a heat map that is itself a table: every cell says its number,
 * so screen readers read the same thing the eye sees.
 */
export function HourOfWeek({ stats }: { stats: StatsBlockedResponse }) {
  const max = Math.max(0, ...stats.hourOfWeek.flat());
  return (
    <section className="bl-chart" aria-labelledby="heatmap-heading">
      <header className="bl-chart__header">
        <h3 id="heatmap-heading">Per hour of the week</h3>
      </header>
      <p className="bl-muted bl-chart__description">
        When blocked calls come, by weekday and hour ({stats.timeZone}); the stronger the colour, the more
        calls.
      </p>
      <div className="bl-heatmap__scroll">
        <table className="bl-heatmap" data-testid="heatmap">
          <caption className="bl-visually-hidden">Blocked calls by weekday and hour</caption>
          <thead>
            <tr>
              <td />
              {Array.from({ length: 24 }, (_, hour) => (
                <th key={hour} scope="col" abbr={`${hour}:00`}>
                  {hour}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {stats.hourOfWeek.map((hours, weekday) => (
              <tr key={WEEKDAYS[weekday]}>
                <th scope="row">{WEEKDAYS[weekday]}</th>
                {hours.map((count, hour) => (
                  <td key={hour} className={`bl-heatmap__cell bl-heatmap__cell--${level(count, max)}`}>
                    {count === 0 ? <span className="bl-visually-hidden">0</span> : count}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

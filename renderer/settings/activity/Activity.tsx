import { useEffect, useState } from 'react';
import { formatDateTime, displayNumber } from '../../app/format';
import { useActivity, useSession, useStores } from '../../app/stores';
import type { ActivityPreset, ActivityRange } from '../../stores/activity';
import { Banner, Button, TextField } from '../../ui';
import { errorText } from '../errors';
import { BlockedChart } from './BlockedChart';
import { HourOfWeek } from './HourOfWeek';
import { TopTables } from './TopTables';
import { BLOCKED_WHYS, WHY_LABELS } from './why';
import '../../styles/oversight.css';

const PRESETS: { id: Exclude<ActivityPreset, 'custom'>; label: string }[] = [
  { id: '7', label: '7 days' },
  { id: '30', label: '30 days' },
  { id: '90', label: '90 days' },
];

/** Settings → Activity (SPEC §12.2): is blocking working, and against whom. Leads and admins. */
export function Activity() {
  const stores = useStores();
  const session = useSession((state) => state.session);
  const { preset, range, bucket, blocked, top, loading, error } = useActivity((state) => state);
  const me = session?.signedIn ? session.me : null;
  const timeZone = me?.org.timeZone ?? 'UTC';
  const country = me?.org.defaultCountry ?? 'US';

  useEffect(() => {
    void stores.activity.getState().choosePreset('30', timeZone);
  }, [stores, timeZone]);

  return (
    <section className="bl-panel bl-activity" aria-labelledby="activity-heading" aria-busy={loading}>
      <header className="bl-panel__header">
        <h2 id="activity-heading">Activity</h2>
        <div className="bl-toolbar" role="group" aria-label="Period">
          {PRESETS.map((choice) => (
            <Button
              key={choice.id}
              size="small"
              variant={preset === choice.id ? 'primary' : 'secondary'}
              aria-pressed={preset === choice.id}
              onClick={() => void stores.activity.getState().choosePreset(choice.id, timeZone)}
            >
              {choice.label}
            </Button>
          ))}
        </div>
      </header>
      <div className="bl-filters">
        <RangeForm key={`${range.from}/${range.to}`} range={range} />
        <div className="bl-toolbar" role="group" aria-label="Bars per">
          {(['day', 'hour'] as const).map((choice) => (
            <Button
              key={choice}
              size="small"
              variant={bucket === choice ? 'primary' : 'secondary'}
              aria-pressed={bucket === choice}
              onClick={() => void stores.activity.getState().chooseBucket(choice)}
            >
              {choice === 'day' ? 'Per day' : 'Per hour'}
            </Button>
          ))}
        </div>
        <span className="bl-muted">Times in {timeZone}</span>
      </div>
      {error && <Banner tone="error">The activity could not be loaded: {errorText(error)}</Banner>}
      {blocked && (
        <>
          <ul className="bl-tiles" aria-label="Blocked calls by reason">
            <li className="bl-tile">
              <span className="bl-tile__value" data-testid="total-blocked">
                {blocked.total.toLocaleString('en-US')}
              </span>
              <span className="bl-tile__label">Blocked calls</span>
            </li>
            {BLOCKED_WHYS.filter((why) => why !== 'unknown' || blocked.totals.unknown > 0).map((why) => (
              <li key={why} className={`bl-tile bl-tile--${why}`} data-why={why}>
                <span className="bl-tile__value">{blocked.totals[why].toLocaleString('en-US')}</span>
                <span className="bl-tile__label">{WHY_LABELS[why]}</span>
              </li>
            ))}
          </ul>
          <BlockedChart stats={blocked} />
          <HourOfWeek stats={blocked} />
        </>
      )}
      {top && <TopTables top={top} country={country} />}
      {blocked && (
        <section className="bl-chart" aria-labelledby="auto-heading">
          <h3 id="auto-heading">Auto-block events</h3>
          {blocked.autoBlocks.length === 0 ? (
            <p className="bl-muted">No number was auto-blocked in this period.</p>
          ) : (
            <table className="bl-table" data-testid="auto-blocks">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Number</th>
                  <th scope="col">Reason</th>
                </tr>
              </thead>
              <tbody>
                {blocked.autoBlocks.map((event) => (
                  <tr key={`${event.at}-${event.number}`}>
                    <td>{formatDateTime(event.at)}</td>
                    <th scope="row">{displayNumber(event.number, country)}</th>
                    <td>{event.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
    </section>
  );
}

/** A chosen range; keyed by the store's range, so choosing a preset shows its days here too. */
function RangeForm({ range }: { range: ActivityRange }) {
  const stores = useStores();
  const [from, setFrom] = useState(range.from);
  const [to, setTo] = useState(range.to);
  return (
    <form
      className="bl-range"
      onSubmit={(event) => {
        event.preventDefault();
        void stores.activity.getState().chooseRange({ from, to });
      }}
    >
      <TextField
        label="From"
        type="date"
        value={from}
        max={to}
        onChange={(event) => setFrom(event.target.value)}
      />
      <TextField
        label="To"
        type="date"
        value={to}
        min={from}
        onChange={(event) => setTo(event.target.value)}
      />
      <Button type="submit">Show period</Button>
    </form>
  );
}

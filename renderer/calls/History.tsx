import { useState } from 'react';
import type { HistoryEntry } from '../../shared/contracts/ipc';
import { usePhoneController } from '../app/controller';
import { displayNumber, formatDateTime } from '../app/format';
import { useWriteAccess } from '../app/permissions';
import { useBlocklist, useHistory, useStores } from '../app/stores';
import { describeResult, formatDuration } from '../stores/history';
import { Button } from '../ui';
import { BlockNumberDialog } from './BlockNumberDialog';
import { NumberInsight } from './NumberInsight';
import { VerificationBadge } from './VerificationBadge';
import { errorMessage } from '../../shared/error-message';

/** The newest entries get the org's insight; older ones would only add requests nobody reads. */
const INSIGHT_ENTRIES = 30;

/** Call history: direction, number, time, duration, verification, result; call back; block. */
export function History() {
  const { calls } = useStores();
  const controller = usePhoneController();
  const entries = useHistory((state) => state.entries);
  const error = useHistory((state) => state.error);
  const country = useBlocklist((state) => state.data?.settings.defaultCountry ?? 'US');
  const access = useWriteAccess();
  const [blocking, setBlocking] = useState<string | null>(null);

  const callBack = (entry: HistoryEntry) => {
    const number = entry.number ?? entry.display;
    calls.getState().setDialerText(number);
    controller.placeCall(number).catch((caught: unknown) =>
      calls.getState().setDialerNotice({
        tone: 'error',
        text: errorMessage(caught),
      }),
    );
  };
  return (
    <section className="bl-panel bl-history" aria-labelledby="history-heading">
      <h2 id="history-heading">History</h2>
      {error && <p className="bl-field__error">{error}</p>}
      {entries.length === 0 ? (
        <p className="bl-muted">No calls yet.</p>
      ) : (
        <ul className="bl-history__list">
          {entries.map((entry, index) => {
            const shown = entry.number ? displayNumber(entry.number, country) : entry.display;
            return (
              <li
                key={entry.id}
                className={`bl-history__entry bl-history__entry--${entry.result}`}
                data-testid="history-entry"
              >
                <span className="bl-history__direction">
                  {entry.direction === 'inbound' ? 'Incoming' : 'Outgoing'}
                </span>
                <span className="bl-history__who">
                  <span className="bl-history__number">{shown}</span>
                  <span className="bl-history__time">{formatDateTime(entry.startedAt)}</span>
                </span>
                <span className="bl-history__duration">
                  {entry.durationSeconds > 0 ? formatDuration(entry.durationSeconds) : '—'}
                </span>
                <span className="bl-history__verification">
                  <VerificationBadge verification={entry.verification} />
                </span>
                <span
                  className={`bl-history__result${entry.result === 'blocked' ? ' bl-history__result--blocked' : ''}`}
                >
                  {describeResult(entry)}
                </span>
                <span className="bl-history__actions">
                  {entry.number && (
                    <Button size="small" onClick={() => callBack(entry)} aria-label={`Call back ${shown}`}>
                      Call back
                    </Button>
                  )}
                  {entry.number && access.manager && entry.result !== 'blocked' && (
                    <Button
                      size="small"
                      variant="ghost"
                      onClick={() => setBlocking(entry.number)}
                      aria-label={`Block this number: ${shown}`}
                    >
                      Block this number
                    </Button>
                  )}
                </span>
                {entry.number && index < INSIGHT_ENTRIES && <NumberInsight number={entry.number} />}
              </li>
            );
          })}
        </ul>
      )}
      {blocking && <BlockNumberDialog number={blocking} onClose={() => setBlocking(null)} />}
    </section>
  );
}

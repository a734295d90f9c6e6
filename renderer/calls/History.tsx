import { memo, useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { HistoryEntry } from '../../shared/contracts/ipc';
import { usePhoneController } from '../app/controller';
import { displayNumber, formatCallTime } from '../app/format';
import { useWriteAccess } from '../app/permissions';
import { useBlocklist, useHistory, useStores } from '../app/stores';
import { describeResult, formatDuration } from '../stores/history';
import {
  HISTORY_FILTERS,
  isHistoryFilter,
  queryHistory,
  warmHistorySearch,
  type HistoryFilter,
} from '../stores/history-query';
import { Button, Dialog, Select, TextField } from '../ui';
import { BlockNumberDialog } from './BlockNumberDialog';
import { AskLeadToBlock } from './AskLeadToBlock';
import { NumberInsight } from './NumberInsight';
import { VerificationBadge } from './VerificationBadge';
import { errorMessage } from '../../shared/error-message';

const ROW_HEIGHT = 56;
/** The newest entries get the org's insight; older ones would only add requests nobody reads. */
const INSIGHT_ENTRIES = 30;
const rowHeight = () => ROW_HEIGHT;
const FILTER_LABELS: Record<HistoryFilter, string> = {
  all: 'All calls',
  missed: 'Missed',
  blocked: 'Blocked',
  inbound: 'Incoming',
  outbound: 'Outgoing',
};

/**
 * Call history (SPEC §10.10): search by number (typed any way) or name, filters, call back and block
 * from any entry, clear with a confirmation. Virtualized: 10,000 entries put a screenful in the DOM.
 */
export function History() {
  const { calls, history } = useStores();
  const controller = usePhoneController();
  const entries = useHistory((state) => state.entries);
  const error = useHistory((state) => state.error);
  const query = useHistory((state) => state.query);
  const filter = useHistory((state) => state.filter);
  const country = useBlocklist((state) => state.data?.settings.defaultCountry ?? 'US');
  const access = useWriteAccess();
  const [blocking, setBlocking] = useState<string | null>(null);
  const [confirmClear, setConfirmClear] = useState(false);
  const [clearError, setClearError] = useState<string | null>(null);
  // Typing stays responsive at 10,000 entries: the list follows the text a moment later.
  const deferredQuery = useDeferredValue(query);
  useEffect(() => warmHistorySearch(entries, country), [entries, country]);
  const shown = useMemo(
    () => queryHistory(entries, deferredQuery, filter, country),
    [entries, deferredQuery, filter, country],
  );

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
  const clear = () => {
    setClearError(null);
    history
      .getState()
      .clear()
      .then(() => setConfirmClear(false))
      .catch((caught: unknown) => setClearError(errorMessage(caught)));
  };
  const searching = query.trim() !== '' || filter !== 'all';
  return (
    <section className="bl-panel bl-history" aria-labelledby="history-heading">
      <h2 id="history-heading">History</h2>
      {error && <p className="bl-field__error">{error}</p>}
      <div className="bl-history__tools" role="search">
        <TextField
          label="Search history"
          hideLabel
          type="search"
          placeholder="Search number or name"
          value={query}
          onChange={(event) => history.getState().setQuery(event.target.value)}
        />
        <Select
          label="Show"
          value={filter}
          options={HISTORY_FILTERS.map((value) => ({ value, label: FILTER_LABELS[value] }))}
          onChange={(value) => {
            if (isHistoryFilter(value)) history.getState().setFilter(value);
          }}
        />
        <Button
          size="small"
          variant="ghost"
          disabled={entries.length === 0}
          onClick={() => setConfirmClear(true)}
        >
          Clear history
        </Button>
      </div>
      <p
        className="bl-muted bl-history__count"
        data-testid="history-count"
        data-query={deferredQuery}
        aria-live="polite"
      >
        {searching
          ? `${shown.length.toLocaleString('en-US')} of ${entries.length.toLocaleString('en-US')} calls`
          : `${entries.length.toLocaleString('en-US')} calls`}
      </p>
      {entries.length === 0 ? (
        <p className="bl-muted">No calls yet.</p>
      ) : shown.length === 0 ? (
        <p className="bl-muted">No calls match.</p>
      ) : (
        <HistoryList
          entries={shown}
          country={country}
          canBlock={access.manager}
          onCallBack={callBack}
          onBlock={setBlocking}
        />
      )}
      {blocking && <BlockNumberDialog number={blocking} onClose={() => setBlocking(null)} />}
      <Dialog
        open={confirmClear}
        title="Clear the call history?"
        onClose={() => setConfirmClear(false)}
        footer={
          <>
            <Button onClick={() => setConfirmClear(false)}>Keep it</Button>
            <Button variant="danger" onClick={clear}>
              Clear {entries.length.toLocaleString('en-US')} calls
            </Button>
          </>
        }
      >
        <p>Every call on this computer is removed from the history. Blocked numbers are not affected.</p>
        {clearError && (
          <p className="bl-field__error" role="alert">
            {clearError}
          </p>
        )}
      </Dialog>
    </section>
  );
}

interface HistoryListProps {
  entries: HistoryEntry[];
  country: string;
  canBlock: boolean;
  onCallBack(entry: HistoryEntry): void;
  onBlock(number: string): void;
}

function HistoryList({ entries, country, canBlock, onCallBack, onBlock }: HistoryListProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  // Stable callbacks: a new `getItemKey` makes the virtualizer recompute every row's offset.
  const getItemKey = useCallback((index: number) => entries[index]?.id ?? index, [entries]);
  const getScrollElement = useCallback(() => scrollRef.current, []);
  // The library keeps its own mutable measurements; it is not memoizable by design.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: entries.length,
    getScrollElement,
    estimateSize: rowHeight,
    getItemKey,
    overscan: 6,
  });
  const items = virtualizer.getVirtualItems();
  return (
    <div ref={scrollRef} className="bl-history__scroll" data-testid="history-scroll">
      <ul
        className="bl-history__list"
        aria-label="Calls"
        style={{ height: virtualizer.getTotalSize(), position: 'relative' }}
      >
        {items.map((item) => {
          const entry = entries[item.index];
          if (!entry) return null;
          return (
            <HistoryRow
              key={item.key}
              entry={entry}
              top={item.start}
              position={item.index + 1}
              total={entries.length}
              country={country}
              canBlock={canBlock}
              onCallBack={onCallBack}
              onBlock={onBlock}
            />
          );
        })}
      </ul>
    </div>
  );
}

const HistoryRow = memo(function HistoryRow({
  entry,
  top,
  position,
  total,
  country,
  canBlock,
  onCallBack,
  onBlock,
}: {
  entry: HistoryEntry;
  top: number;
  position: number;
  total: number;
  country: string;
  canBlock: boolean;
  onCallBack(entry: HistoryEntry): void;
  onBlock(number: string): void;
}) {
  const shown = entry.number ? displayNumber(entry.number, country) : entry.display;
  const named = entry.display !== '' && entry.display !== entry.number && entry.display !== shown;
  return (
    <li
      className={`bl-history__entry bl-history__entry--${entry.result}`}
      data-testid="history-entry"
      aria-posinset={position}
      aria-setsize={total}
      style={{
        position: 'absolute',
        top: 0,
        left: 0,
        right: 0,
        height: ROW_HEIGHT,
        transform: `translateY(${top}px)`,
      }}
    >
      <span className="bl-history__direction">{entry.direction === 'inbound' ? 'Incoming' : 'Outgoing'}</span>
      <span className="bl-history__who">
        <span className="bl-history__number">
          <span className="bl-history__direction-glyph" aria-hidden="true">
            {entry.direction === 'inbound' ? '↙' : '↗'}
          </span>
          {shown}
        </span>
        <span className="bl-history__time">
          {named ? `${entry.display} · ` : ''}
          {formatCallTime(entry.startedAt)}
        </span>
      </span>
      <span className="bl-history__duration">
        {entry.durationSeconds > 0 ? formatDuration(entry.durationSeconds) : '—'}
      </span>
      <span className="bl-history__verification">
        <VerificationBadge verification={entry.verification} />
      </span>
      {/* The insight is the outcome's second line, so every row keeps ROW_HEIGHT (virtualized). */}
      <span className="bl-history__outcome">
        <span
          className={`bl-history__result${entry.result === 'blocked' ? ' bl-history__result--blocked' : ''}`}
        >
          {describeResult(entry)}
          {entry.quality && (
            <span className="bl-history__quality" title="The call’s worst quality figures">
              {' '}
              · worst MOS {entry.quality.mos.toFixed(1)}, {entry.quality.lossPercent.toFixed(1)} % loss
            </span>
          )}
          {entry.wrapUp && (
            <span
              className="bl-history__wrapup"
              title={entry.wrapUp.note || undefined}
              data-testid="history-wrap-up"
            >
              {' '}
              · {entry.wrapUp.disposition}
            </span>
          )}
        </span>
        {entry.number && position <= INSIGHT_ENTRIES && <NumberInsight number={entry.number} />}
      </span>
      <span className="bl-history__actions">
        {entry.number && (
          <Button size="small" onClick={() => onCallBack(entry)} aria-label={`Call back ${shown}`}>
            Call back
          </Button>
        )}
        {entry.number && canBlock && entry.result !== 'blocked' && (
          <Button
            size="small"
            variant="ghost"
            onClick={() => entry.number && onBlock(entry.number)}
            aria-label={`Block this number: ${shown}`}
          >
            Block this number
          </Button>
        )}
        {entry.number && !canBlock && entry.result !== 'blocked' && (
          <AskLeadToBlock number={entry.number} size="small" />
        )}
      </span>
    </li>
  );
});

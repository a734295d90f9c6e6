import { useEffect, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { auditChanges, auditSummary, describeAction, describeChange } from '../../../shared/audit-diff';
import type { AuditListEntry } from '../../../shared/contracts/oversight';
import { addDays, startOfLocalDay } from '../../../shared/local-time';
import { downloadText } from '../../app/download';
import { displayNumber, formatDateTime } from '../../app/format';
import { useAudit, useSession, useStores } from '../../app/stores';
import type { AuditFilters } from '../../stores/audit';
import { Banner, Button, Select, TextField } from '../../ui';
import { errorText } from '../errors';
import '../../styles/oversight.css';

const ACTIONS = [
  { value: '', label: 'Every action' },
  { value: 'rule', label: 'Any rule change' },
  { value: 'rule.created', label: 'Rule added' },
  { value: 'rule.updated', label: 'Rule edited' },
  { value: 'rule.deleted', label: 'Rule deleted' },
  { value: 'rule.expired', label: 'Rule expired' },
  { value: 'rule.auto_created', label: 'Auto-blocked' },
  { value: 'settings.updated', label: 'Settings changed' },
  { value: 'line', label: 'Line changes' },
  { value: 'user', label: 'People changes' },
];

const ROW_HEIGHT = 64;

/** Settings → Audit (SPEC §12.1): who changed what, when, before → after. Leads and admins. */
export function AuditView() {
  const stores = useStores();
  const session = useSession((state) => state.session);
  const me = session?.signedIn ? session.me : null;
  const timeZone = me?.org.timeZone ?? 'UTC';
  const country = me?.org.defaultCountry ?? 'US';
  const { items, actors, nextCursor, loading, error } = useAudit((state) => state);
  const [person, setPerson] = useState('');
  const [action, setAction] = useState('');
  const [number, setNumber] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [exportError, setExportError] = useState<string | null>(null);

  useEffect(() => {
    void stores.audit.getState().setFilters({});
  }, [stores]);

  const filters = (): AuditFilters => ({
    ...(person === '' ? {} : { person }),
    ...(action === '' ? {} : { action }),
    ...(number.trim() === '' ? {} : { number: number.trim() }),
    ...(from === '' ? {} : { from: new Date(startOfLocalDay(from, timeZone)).toISOString() }),
    ...(to === '' ? {} : { to: new Date(startOfLocalDay(addDays(to, 1), timeZone)).toISOString() }),
  });
  const exportCsv = async () => {
    setExportError(null);
    const result = await stores.audit.getState().exportCsv();
    if (!result.ok) return setExportError(errorText(result));
    downloadText('audit.csv', result.value);
  };

  return (
    <section className="bl-panel bl-audit" aria-labelledby="audit-heading">
      <header className="bl-panel__header">
        <h2 id="audit-heading">Audit</h2>
        <div className="bl-toolbar">
          <Button onClick={() => void exportCsv()}>Export CSV</Button>
        </div>
      </header>
      <form
        className="bl-filters"
        onSubmit={(event) => {
          event.preventDefault();
          void stores.audit.getState().setFilters(filters());
        }}
      >
        <Select
          label="Person"
          value={person}
          options={[
            { value: '', label: 'Everyone' },
            ...actors.map((actor) => ({ value: actor.id, label: actor.name })),
          ]}
          onChange={setPerson}
        />
        <Select label="Action" value={action} options={ACTIONS} onChange={setAction} />
        <TextField
          label="Number"
          value={number}
          placeholder="e.g. (212) 555-1234"
          onChange={(event) => setNumber(event.target.value)}
        />
        <TextField label="From" type="date" value={from} onChange={(event) => setFrom(event.target.value)} />
        <TextField label="To" type="date" value={to} onChange={(event) => setTo(event.target.value)} />
        <Button type="submit" variant="primary">
          Filter
        </Button>
      </form>
      {error && <Banner tone="error">The audit log could not be loaded: {errorText(error)}</Banner>}
      {exportError && <Banner tone="error">Export failed: {exportError}</Banner>}
      <AuditList
        items={items}
        country={country}
        hasMore={nextCursor !== null}
        onNearEnd={() => void stores.audit.getState().loadMore()}
      />
      <p className="bl-muted" role="status">
        {loading
          ? 'Loading…'
          : `${items.length.toLocaleString('en-US')} entries${nextCursor === null ? '' : ' so far'}`}
      </p>
    </section>
  );
}

function AuditList({
  items,
  country,
  hasMore,
  onNearEnd,
}: {
  items: AuditListEntry[];
  country: string;
  hasMore: boolean;
  onNearEnd(): void;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  // The library keeps its own mutable measurements; it is not memoizable by design.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (index) => items[index]?.id ?? index,
    overscan: 8,
  });
  const visible = virtualizer.getVirtualItems();
  const lastVisible = visible[visible.length - 1]?.index ?? -1;
  useEffect(() => {
    if (hasMore && lastVisible >= items.length - 20) onNearEnd();
  }, [hasMore, lastVisible, items.length, onNearEnd]);

  return (
    <div className="bl-audit__list" role="table" aria-label="Audit log" aria-rowcount={items.length + 1}>
      <div role="rowgroup">
        <div role="row" aria-rowindex={1} className="bl-audit__row bl-audit__row--head">
          <span role="columnheader">When</span>
          <span role="columnheader">Who</span>
          <span role="columnheader">What</span>
          <span role="columnheader">Number</span>
          <span role="columnheader">Before → after</span>
        </div>
      </div>
      <div ref={scrollRef} className="bl-audit__scroll" data-testid="audit-scroll">
        <div role="rowgroup" className="bl-audit__body" style={{ height: virtualizer.getTotalSize() }}>
          {visible.map((item) => {
            const entry = items[item.index];
            if (!entry) return null;
            const summary = auditSummary(entry);
            const everyChange = auditChanges(entry).map(describeChange).join('\n');
            return (
              <div
                key={item.key}
                role="row"
                aria-rowindex={item.index + 2}
                className="bl-audit__row"
                data-testid="audit-entry"
                data-action={entry.action}
                style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
              >
                <span role="cell">{formatDateTime(entry.at)}</span>
                <span role="cell">{entry.actor?.name ?? 'System'}</span>
                <span role="cell">{describeAction(entry.action)}</span>
                <span role="cell">{entry.number === null ? '' : displayNumber(entry.number, country)}</span>
                <span
                  role="cell"
                  className="bl-audit__changes"
                  title={everyChange}
                  data-testid="audit-changes"
                >
                  {summary}
                </span>
              </div>
            );
          })}
        </div>
        {items.length === 0 && <p className="bl-rules__empty">No entries match.</p>}
      </div>
    </div>
  );
}

import { memo, useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { Line } from '../../shared/contracts/api';
import { REASON_MAX_LENGTH, isPrefix, type Rule, type RulePatch } from '../../shared/rules';
import { describeRemaining, describeScope, displayNumber, formatDateTime } from '../app/format';
import type { WriteOutcome } from '../app/api';
import { Button } from '../ui';
import { checkReason } from './block-input';
import { EXPIRY_OPTIONS, expiryFromChoice, isExpiryChoice, type ExpiryChoice } from './expiry';
import { errorText } from './errors';

export interface RuleListProps {
  rules: readonly Rule[];
  lines: readonly Line[];
  country: string;
  nowMs: number;
  /** Null when writes are allowed; otherwise edit and delete are disabled. */
  readOnlyReason: string | null;
  onSave(id: string, patch: RulePatch): Promise<WriteOutcome<Rule>>;
  onDelete(rule: Rule): void;
}

const ROW_HEIGHT = 52;
/** One formatter for every row (`toLocaleString` with a locale builds one per call). */
const HITS = new Intl.NumberFormat('en-US');
const EDIT_ROW_HEIGHT = 132;

/** The blocked-numbers table, virtualized: only the rows in view are in the DOM, at any list size. */
export function RuleList({ rules, lines, country, nowMs, readOnlyReason, onSave, onDelete }: RuleListProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [editingId, setEditingId] = useState<string | null>(null);
  // Stable callbacks: the virtualizer recomputes every row's offset (100,000 of them) whenever
  // `getItemKey` changes identity, which a fresh closure per render did on every scrolled frame.
  const getItemKey = useCallback((index: number) => rules[index]?.id ?? index, [rules]);
  const estimateSize = useCallback(
    (index: number) => (rules[index]?.id === editingId ? EDIT_ROW_HEIGHT : ROW_HEIGHT),
    [rules, editingId],
  );
  const getScrollElement = useCallback(() => scrollRef.current, []);
  // The library keeps its own mutable measurements; it is not memoizable by design.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rules.length,
    getScrollElement,
    estimateSize,
    getItemKey,
    overscan: 8,
  });
  useEffect(() => {
    virtualizer.measure();
  }, [editingId, virtualizer]);
  const items = virtualizer.getVirtualItems();
  const startEditing = useCallback((rule: Rule) => setEditingId(rule.id), []);

  return (
    <div className="bl-rules" role="table" aria-label="Blocked numbers" aria-rowcount={rules.length + 1}>
      <div role="rowgroup" className="bl-rules__head">
        <div role="row" aria-rowindex={1} className="bl-rules__row bl-rules__row--head">
          <span role="columnheader">Number</span>
          <span role="columnheader">Kind</span>
          <span role="columnheader">Scope</span>
          <span role="columnheader">Reason</span>
          <span role="columnheader">Expires</span>
          <span role="columnheader">Hits</span>
          <span role="columnheader">
            <span className="bl-visually-hidden">Actions</span>
          </span>
        </div>
      </div>
      <div ref={scrollRef} className="bl-rules__scroll" data-testid="rules-scroll">
        <div role="rowgroup" className="bl-rules__body" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => {
            const rule = rules[item.index];
            if (!rule) return null;
            const common = {
              rule,
              rowIndex: item.index + 2,
              top: item.start,
              lines,
              country,
            };
            return rule.id === editingId ? (
              <EditingRow
                key={item.key}
                {...common}
                nowMs={nowMs}
                onCancel={() => setEditingId(null)}
                onSave={async (patch) => {
                  const result = await onSave(rule.id, patch);
                  if (result.ok) setEditingId(null);
                  return result;
                }}
              />
            ) : (
              <RuleRow
                key={item.key}
                {...common}
                nowMs={nowMs}
                scrolling={virtualizer.isScrolling}
                readOnlyReason={readOnlyReason}
                onEdit={startEditing}
                onDelete={onDelete}
              />
            );
          })}
        </div>
        {rules.length === 0 && <p className="bl-rules__empty">No rules match.</p>}
      </div>
    </div>
  );
}

interface RowBaseProps {
  rule: Rule;
  rowIndex: number;
  top: number;
  lines: readonly Line[];
  country: string;
  nowMs: number;
}

/**
 * What every body row's element carries: its place in the table (for screen readers and the
 * virtualizer's offset) and the rule's number (what tests and the keyboard find rows by). Spread onto
 * the row's own `<div>`, so a row costs no extra component.
 */
function rowAttributes(
  { rule, rowIndex, top }: Pick<RowBaseProps, 'rule' | 'rowIndex' | 'top'>,
  height: number,
  className = 'bl-rules__row',
) {
  return {
    role: 'row',
    'aria-rowindex': rowIndex,
    className,
    'data-rule-number': rule.number,
    style: { transform: `translateY(${top}px)`, height },
  };
}

function NumberCells({ rule, lines, country, nowMs }: RowBaseProps) {
  const shown = displayNumber(rule.number, country);
  return (
    <>
      <span role="cell" className="bl-rules__number">
        <span>{shown}</span>
        {isPrefix(rule.number) && <span className="bl-tag">prefix</span>}
      </span>
      <span role="cell">
        <span className={rule.kind === 'block' ? 'bl-tag bl-tag--block' : 'bl-tag bl-tag--allow'}>
          {rule.kind === 'block' ? 'Block' : 'Exception'}
        </span>
      </span>
      <span role="cell" className="bl-rules__scope">
        {describeScope(rule.scope, lines, country)}
      </span>
      <span role="cell" className="bl-rules__reason" title={rule.reason}>
        {rule.reason}
      </span>
      <span role="cell" className="bl-rules__expiry">
        {rule.expiresAt === null ? (
          'Never'
        ) : (
          <span title={formatDateTime(rule.expiresAt)}>{describeRemaining(rule.expiresAt, nowMs)}</span>
        )}
      </span>
      <span role="cell" className="bl-rules__hits">
        <span data-testid="hit-count">{HITS.format(rule.hitCount)}</span>
        {rule.lastHitAt !== null && (
          <span className="bl-muted"> · last {formatDateTime(rule.lastHitAt)}</span>
        )}
      </span>
    </>
  );
}

/** Memoized: while scrolling only rows that enter the view render; the others keep their output. */
const RuleRow = memo(function RuleRow(
  props: RowBaseProps & {
    /** While the list scrolls, rows entering it are drawn as plain text (see LiteRow). */
    scrolling: boolean;
    readOnlyReason: string | null;
    onEdit(rule: Rule): void;
    onDelete(rule: Rule): void;
  },
) {
  const { rule, country, scrolling, readOnlyReason, onEdit, onDelete } = props;
  const shown = displayNumber(rule.number, country);
  if (scrolling) return <LiteRow {...props} />;
  return (
    <div {...rowAttributes(props, ROW_HEIGHT)}>
      <NumberCells {...props} />
      <span role="cell" className="bl-rules__actions">
        {readOnlyReason === null && (
          <>
            <Button
              size="small"
              variant="ghost"
              onClick={() => onEdit(rule)}
              aria-label={`Edit reason and expiry of ${shown}`}
            >
              Edit
            </Button>
            <Button
              size="small"
              variant="ghost"
              onClick={() => onDelete(rule)}
              aria-label={`Delete rule for ${shown}`}
            >
              Delete
            </Button>
          </>
        )}
      </span>
    </div>
  );
});

/**
 * Number, kind and scope as plain text, the start of a scrolling row and of the row being edited.
 * Called as a function, not rendered as a component: the scrolling rows are the hot path.
 */
function plainLeadingCells(rule: Rule, shown: string, lines: readonly Line[], country: string) {
  return (
    <>
      <span role="cell" className="bl-rules__number">
        {shown}
      </span>
      <span role="cell">{rule.kind === 'block' ? 'Block' : 'Exception'}</span>
      <span role="cell" className="bl-rules__scope">
        {describeScope(rule.scope, lines, country)}
      </span>
    </>
  );
}

/**
 * A row while the list scrolls: the same cells as plain text, without tags or buttons — about half
 * the DOM nodes, which is what a fast scroll creates a dozen of every frame. The full row replaces it
 * as soon as the scrolling stops (the virtualizer's `isScrolling`, 150 ms after the last scroll).
 */
function LiteRow(props: RowBaseProps) {
  const { rule, lines, country, nowMs } = props;
  return (
    <div {...rowAttributes(props, ROW_HEIGHT)}>
      {plainLeadingCells(rule, displayNumber(rule.number, country), lines, country)}
      <span role="cell" className="bl-rules__reason">
        {rule.reason}
      </span>
      <span role="cell" className="bl-rules__expiry">
        {rule.expiresAt === null ? 'Never' : describeRemaining(rule.expiresAt, nowMs)}
      </span>
      <span role="cell" className="bl-rules__hits">
        {HITS.format(rule.hitCount)}
      </span>
      <span role="cell" className="bl-rules__actions" />
    </div>
  );
}

function EditingRow(
  props: RowBaseProps & { onCancel(): void; onSave(patch: RulePatch): Promise<WriteOutcome<Rule>> },
) {
  const { rule, lines, country, nowMs, onCancel, onSave } = props;
  const shown = displayNumber(rule.number, country);
  const [reason, setReason] = useState(rule.reason);
  const [expiry, setExpiry] = useState<ExpiryChoice | 'keep'>('keep');
  const [date, setDate] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const reasonRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    reasonRef.current?.focus();
    reasonRef.current?.select();
  }, []);

  const save = async () => {
    const patch: RulePatch = {};
    const checked = checkReason(reason);
    if (!checked.ok) return setError(checked.message);
    if (checked.reason !== rule.reason) patch.reason = checked.reason;
    if (expiry !== 'keep') {
      const result = expiryFromChoice(expiry, date, Date.now());
      if (!result.ok) return setError(result.message);
      patch.expiresAt = result.expiresAt;
    }
    if (patch.reason === undefined && patch.expiresAt === undefined) return onCancel();
    setSaving(true);
    setError(null);
    const result = await onSave(patch);
    setSaving(false);
    if (!result.ok) setError(errorText(result));
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      onCancel();
    } else if (event.key === 'Enter' && !(event.target instanceof HTMLButtonElement)) {
      event.preventDefault();
      void save();
    }
  };
  const expiryOptions = [
    {
      value: 'keep',
      label: rule.expiresAt === null ? 'Keep: never' : `Keep: ${describeRemaining(rule.expiresAt, nowMs)}`,
    },
    ...EXPIRY_OPTIONS,
  ];
  return (
    <div
      {...rowAttributes(props, EDIT_ROW_HEIGHT, 'bl-rules__row bl-rules__row--editing')}
      onKeyDown={onKeyDown}
    >
      {plainLeadingCells(rule, shown, lines, country)}
      <span role="cell" className="bl-rules__reason bl-rules__edit">
        <label className="bl-visually-hidden" htmlFor={`reason-${rule.id}`}>
          Reason for {shown}
        </label>
        <input
          ref={reasonRef}
          id={`reason-${rule.id}`}
          className="bl-input"
          value={reason}
          maxLength={REASON_MAX_LENGTH + 20}
          onChange={(event) => setReason(event.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={`reason-${rule.id}-count${error ? ` reason-${rule.id}-error` : ''}`}
        />
        <span id={`reason-${rule.id}-count`} className="bl-field__counter">
          {reason.trim().length} / {REASON_MAX_LENGTH}
        </span>
        {error && (
          <span id={`reason-${rule.id}-error`} className="bl-field__error" role="alert">
            {error}
          </span>
        )}
      </span>
      <span role="cell" className="bl-rules__expiry bl-rules__edit">
        <label className="bl-visually-hidden" htmlFor={`expiry-${rule.id}`}>
          Expiry for {shown}
        </label>
        <select
          id={`expiry-${rule.id}`}
          className="bl-input bl-select"
          value={expiry}
          onChange={(event) => {
            const value = event.target.value;
            setExpiry(value === 'keep' || !isExpiryChoice(value) ? 'keep' : value);
          }}
        >
          {expiryOptions.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
        {expiry === 'date' && (
          <>
            <label className="bl-visually-hidden" htmlFor={`expiry-date-${rule.id}`}>
              End date for {shown}
            </label>
            <input
              id={`expiry-date-${rule.id}`}
              type="date"
              className="bl-input"
              value={date}
              onChange={(event) => setDate(event.target.value)}
            />
          </>
        )}
      </span>
      <span role="cell" className="bl-rules__hits">
        {rule.hitCount.toLocaleString('en-US')}
      </span>
      <span role="cell" className="bl-rules__actions">
        <Button size="small" variant="primary" onClick={() => void save()} disabled={saving}>
          Save
        </Button>
        <Button size="small" variant="ghost" onClick={onCancel}>
          Cancel
        </Button>
      </span>
    </div>
  );
}

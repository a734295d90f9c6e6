import { useState } from 'react';
import { parsePastedNumbers, type BulkEntry } from '../../shared/bulk';
import { isSupportedCountryCode } from '../../shared/numbers';
import { REASON_MAX_LENGTH, type RuleKind } from '../../shared/rules';
import { runBulk, STATUS_LABELS, type BulkOutcome } from '../stores/bulk-run';
import { Button, Dialog, Select, TextField } from '../ui';
import { checkReason } from './block-input';
import { BulkSummary, type BulkDialogProps } from './BulkResults';
import { expiryFromChoice, type ExpiryChoice } from './expiry';
import { ExpiryField, scopeOptions } from './ScopeAndExpiry';

export type BulkAddDialogProps = BulkDialogProps;

interface Row extends BulkOutcome {
  /** The text to retry with, editable while the row has failed. */
  edit: string;
}

const RETRYABLE = new Set<BulkOutcome['status']>(['invalid', 'emergency', 'duplicate', 'failed']);

/** Add many (SPEC §2.4): a paste box, a result per line shown in place, failed lines editable for a retry. */
export function BulkAddDialog({
  open,
  onClose,
  country,
  lines,
  existing,
  disabledReason,
  onSend,
}: BulkAddDialogProps) {
  const [text, setText] = useState('');
  const [reason, setReason] = useState('');
  const [scope, setScope] = useState('all');
  const [kind, setKind] = useState<RuleKind>('block');
  const [expiry, setExpiry] = useState<ExpiryChoice>('never');
  const [date, setDate] = useState('');
  const [rows, setRows] = useState<Row[] | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (entries: BulkEntry[]): Promise<BulkOutcome[] | null> => {
    if (!isSupportedCountryCode(country)) {
      setFormError(`The org's default country ${country} is not known`);
      return null;
    }
    const checkedReason = checkReason(reason, 'A reason is required for the numbers');
    if (!checkedReason.ok) {
      setFormError(checkedReason.message);
      return null;
    }
    const trimmedReason = checkedReason.reason;
    const expiresAt = expiryFromChoice(expiry, date, Date.now());
    if (!expiresAt.ok) {
      setFormError(expiresAt.message);
      return null;
    }
    setFormError(null);
    setBusy(true);
    try {
      return await runBulk(
        entries,
        {
          country,
          lines: lines.map((line) => line.number),
          existing,
          defaults: { reason: trimmedReason, scope, kind, expiresAt: expiresAt.expiresAt },
          nowMs: Date.now(),
        },
        (batch) => onSend(batch),
      );
    } finally {
      setBusy(false);
    }
  };

  const addAll = async () => {
    const entries = parsePastedNumbers(text);
    if (entries.length === 0) return setFormError('Paste at least one number');
    const outcomes = await run(entries);
    if (outcomes) setRows(outcomes.map((outcome) => ({ ...outcome, edit: outcome.raw })));
  };

  const retry = async () => {
    if (!rows) return;
    // Retried rows are numbered by their place in the table so each result finds its row again.
    const retried = rows.flatMap((row, index) =>
      RETRYABLE.has(row.status) && row.edit.trim() !== '' ? [{ line: index + 1, raw: row.edit.trim() }] : [],
    );
    if (retried.length === 0) return;
    const outcomes = await run(retried);
    if (!outcomes) return;
    const byPlace = new Map(outcomes.map((outcome) => [outcome.line, outcome]));
    setRows(
      rows.map((row, index) => {
        const outcome = byPlace.get(index + 1);
        return outcome ? { ...outcome, line: row.line, edit: outcome.raw } : row;
      }),
    );
  };

  const disabled = disabledReason !== null || busy;
  const failedCount = rows?.filter((row) => RETRYABLE.has(row.status)).length ?? 0;
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title="Add many numbers"
      wide
      footer={
        <>
          <Button onClick={onClose}>Close</Button>
          {rows && failedCount > 0 && (
            <Button variant="primary" onClick={() => void retry()} disabled={disabled}>
              Retry failed lines ({failedCount})
            </Button>
          )}
          {!rows && (
            <Button variant="primary" onClick={() => void addAll()} disabled={disabled}>
              {busy ? 'Adding…' : 'Add all'}
            </Button>
          )}
          {rows && (
            <Button
              onClick={() => {
                setRows(null);
                setText('');
              }}
            >
              Start over
            </Button>
          )}
        </>
      }
    >
      <div className="bl-form">
        {!rows && (
          <div className="bl-field">
            <label htmlFor="bulk-paste" className="bl-field__label">
              Numbers (one per line, or separated by commas or semicolons)
            </label>
            <textarea
              id="bulk-paste"
              className="bl-input bl-textarea"
              rows={8}
              value={text}
              disabled={disabled}
              onChange={(event) => setText(event.target.value)}
            />
          </div>
        )}
        <div className="bl-form-row">
          <TextField
            label="Reason for all"
            value={reason}
            disabled={disabled}
            onChange={(event) => setReason(event.target.value)}
            counter={`${reason.trim().length} / ${REASON_MAX_LENGTH}`}
          />
          <Select
            label="Scope"
            options={scopeOptions(lines, country)}
            value={scope}
            onChange={setScope}
            disabled={disabled}
          />
          <Select
            label="Kind"
            options={[
              { value: 'block', label: 'Block' },
              { value: 'allow', label: 'Exception' },
            ]}
            value={kind}
            onChange={(value) => setKind(value === 'allow' ? 'allow' : 'block')}
            disabled={disabled}
          />
          <ExpiryField
            choice={expiry}
            date={date}
            onChoice={setExpiry}
            onDate={setDate}
            disabled={disabled}
          />
        </div>
        {formError && (
          <p className="bl-field__error" role="alert">
            {formError}
          </p>
        )}
        {disabledReason && <p className="bl-field__hint">{disabledReason}</p>}
        {rows && (
          <>
            <BulkSummary outcomes={rows} />
            <ol className="bl-bulk-results" aria-label="Result per line">
              {rows.map((row, index) => (
                <li
                  key={index}
                  className={`bl-bulk-result bl-bulk-result--${row.status}`}
                  data-status={row.status}
                >
                  <span className="bl-bulk-result__line">Line {row.line}</span>
                  {RETRYABLE.has(row.status) ? (
                    <>
                      <label className="bl-visually-hidden" htmlFor={`bulk-row-${index}`}>
                        Number on line {row.line}
                      </label>
                      <input
                        id={`bulk-row-${index}`}
                        className="bl-input bl-bulk-result__input"
                        value={row.edit}
                        disabled={disabled}
                        onChange={(event) =>
                          setRows(
                            rows.map((candidate, at) =>
                              at === index ? { ...candidate, edit: event.target.value } : candidate,
                            ),
                          )
                        }
                      />
                    </>
                  ) : (
                    <span className="bl-bulk-result__raw">{row.raw}</span>
                  )}
                  <span className="bl-bulk-result__status">{STATUS_LABELS[row.status]}</span>
                  {row.status !== 'created' && <span className="bl-bulk-result__message">{row.message}</span>}
                </li>
              ))}
            </ol>
          </>
        )}
      </div>
    </Dialog>
  );
}

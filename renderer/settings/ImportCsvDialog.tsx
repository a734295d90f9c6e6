import { useState } from 'react';
import { parseRulesCsv } from '../../shared/bulk';
import { isSupportedCountryCode } from '../../shared/numbers';
import { downloadText } from '../app/download';
import {
  errorReportCsv,
  runBulk,
  STATUS_LABELS,
  type BulkOutcome,
  type BulkProgress,
} from '../stores/bulk-run';
import { Button, Dialog } from '../ui';
import { BulkSummary, type BulkDialogProps } from './BulkResults';
import { errorMessage } from '../../shared/error-message';

export type ImportCsvDialogProps = BulkDialogProps;

/** How many problem lines are listed in the dialog; the downloadable report has them all. */
const SHOWN_PROBLEMS = 200;

/** Import CSV (SPEC §2.4): requests of ≤ 500, a progress bar, and a per-line error report. */
export function ImportCsvDialog({
  open,
  onClose,
  country,
  lines,
  existing,
  disabledReason,
  onSend,
}: ImportCsvDialogProps) {
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<BulkProgress | null>(null);
  const [outcomes, setOutcomes] = useState<BulkOutcome[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const start = async () => {
    if (!file) return setError('Choose a CSV file first');
    if (!isSupportedCountryCode(country))
      return setError(`The org's default country ${country} is not known`);
    setError(null);
    setOutcomes(null);
    setBusy(true);
    try {
      const { entries } = parseRulesCsv(await file.text());
      if (entries.length === 0) {
        setError(`${file.name} has no rows to import`);
        return;
      }
      setProgress({ done: 0, total: entries.length });
      const result = await runBulk(
        entries,
        { country, lines: lines.map((line) => line.number), existing, nowMs: Date.now() },
        (batch) => onSend(batch),
        setProgress,
      );
      setOutcomes(result);
    } catch (caught) {
      setError(`Could not read ${file.name}: ${errorMessage(caught)}`);
    } finally {
      setBusy(false);
    }
  };

  const problems = outcomes?.filter((outcome) => outcome.status !== 'created') ?? [];
  const disabled = disabledReason !== null || busy;
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title="Import CSV"
      wide
      footer={
        <>
          <Button onClick={onClose}>Close</Button>
          {outcomes && problems.length > 0 && (
            <Button onClick={() => downloadText('blockline-import-errors.csv', errorReportCsv(outcomes))}>
              Download error report
            </Button>
          )}
          <Button variant="primary" onClick={() => void start()} disabled={disabled || !file}>
            {busy ? 'Importing…' : 'Import'}
          </Button>
        </>
      }
    >
      <div className="bl-form">
        <p className="bl-field__hint">
          Columns: <code>number,reason[,scope][,kind][,expiresAt]</code>, with or without a header row. Scope
          is “all” or one of the org’s line numbers; kind is “block” or “allow”.
        </p>
        <div className="bl-field">
          <label htmlFor="import-file" className="bl-field__label">
            CSV file
          </label>
          <input
            id="import-file"
            type="file"
            accept=".csv,text/csv,text/plain"
            className="bl-file"
            disabled={disabled}
            onChange={(event) => {
              setFile(event.target.files?.[0] ?? null);
              setOutcomes(null);
              setProgress(null);
            }}
          />
        </div>
        {disabledReason && <p className="bl-field__hint">{disabledReason}</p>}
        {error && (
          <p className="bl-field__error" role="alert">
            {error}
          </p>
        )}
        {progress && (
          <div className="bl-field">
            <label htmlFor="import-progress" className="bl-field__label">
              {busy ? 'Importing' : 'Imported'}: {progress.done.toLocaleString('en-US')} of{' '}
              {progress.total.toLocaleString('en-US')} rows
            </label>
            <progress
              id="import-progress"
              className="bl-progress"
              max={progress.total}
              value={progress.done}
            />
          </div>
        )}
        {outcomes && (
          <>
            <BulkSummary outcomes={outcomes} />
            {problems.length > 0 && (
              <>
                <h3 className="bl-subheading">
                  Rows not imported ({problems.length.toLocaleString('en-US')})
                </h3>
                <ol className="bl-bulk-results" aria-label="Rows not imported" data-testid="import-problems">
                  {problems.slice(0, SHOWN_PROBLEMS).map((outcome, index) => (
                    <li
                      key={index}
                      className={`bl-bulk-result bl-bulk-result--${outcome.status}`}
                      data-line={outcome.line}
                    >
                      <span className="bl-bulk-result__line">Line {outcome.line}</span>
                      <span className="bl-bulk-result__raw">{outcome.raw}</span>
                      <span className="bl-bulk-result__status">{STATUS_LABELS[outcome.status]}</span>
                      <span className="bl-bulk-result__message">{outcome.message}</span>
                    </li>
                  ))}
                </ol>
                {problems.length > SHOWN_PROBLEMS && (
                  <p className="bl-field__hint">
                    The first {SHOWN_PROBLEMS} are listed; the report has all of them.
                  </p>
                )}
              </>
            )}
          </>
        )}
      </div>
    </Dialog>
  );
}

import { useMemo, useState } from 'react';
import { FORMATS_WITHOUT_KIND, readImportCsv, type ImportReading } from '../../shared/import-formats';
import { importReportCsv, importReportRows } from '../../shared/import-report';
import { isSupportedCountryCode } from '../../shared/numbers';
import type { RuleKind } from '../../shared/rules';
import { downloadText } from '../app/download';
import {
  errorReportCsv,
  runBulk,
  STATUS_LABELS,
  type BulkOutcome,
  type BulkProgress,
} from '../stores/bulk-run';
import { Button, Dialog, Select } from '../ui';
import { BulkSummary, type BulkDialogProps } from './BulkResults';
import { errorMessage } from '../../shared/error-message';

export type ImportCsvDialogProps = BulkDialogProps;

/** How many problem lines are listed in the dialog; the downloadable report has them all. */
const SHOWN_PROBLEMS = 200;

/**
 * Import CSV (SPEC §2.4, §13): Blockline's own CSV or another system's export, recognized by its header
 * row and previewed (format, what the rows become) before anything is written; requests of ≤ 500, a
 * progress bar, a per-line error report and a per-row import report.
 */
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
  const [text, setText] = useState<string | null>(null);
  const [kind, setKind] = useState<RuleKind>('block');
  const [progress, setProgress] = useState<BulkProgress | null>(null);
  const [outcomes, setOutcomes] = useState<BulkOutcome[] | null>(null);
  const [imported, setImported] = useState<ImportReading | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const reading = useMemo(() => (text === null ? null : readImportCsv(text, { kind })), [text, kind]);
  const preview = reading !== null && !('error' in reading) ? reading : null;

  const choose = async (chosen: File | null) => {
    setFile(chosen);
    setOutcomes(null);
    setImported(null);
    setProgress(null);
    setError(null);
    setText(null);
    if (chosen === null) return;
    try {
      setText(await chosen.text());
    } catch (caught) {
      setError(`Could not read ${chosen.name}: ${errorMessage(caught)}`);
    }
  };

  const start = async () => {
    if (!file || text === null) return setError('Choose a CSV file first');
    if (!isSupportedCountryCode(country))
      return setError(`The org's default country ${country} is not known`);
    if (reading === null || 'error' in reading) {
      return setError(`Could not read ${file.name}: ${reading?.error ?? 'no rows'}`);
    }
    setError(null);
    setOutcomes(null);
    setBusy(true);
    try {
      if (reading.rows.length === 0) {
        setError(`${file.name} has no rows to import`);
        return;
      }
      setProgress({ done: 0, total: reading.entries.length });
      const result = await runBulk(
        reading.entries,
        { country, lines: lines.map((line) => line.number), existing, nowMs: Date.now() },
        (batch) => onSend(batch),
        setProgress,
      );
      setImported(reading);
      setOutcomes([...result, ...refusedOutcomes(reading)].sort((a, b) => a.line - b.line));
    } catch (caught) {
      setError(`Could not read ${file.name}: ${errorMessage(caught)}`);
    } finally {
      setBusy(false);
    }
  };

  const downloadReport = () => {
    if (imported === null || outcomes === null) return;
    // Outcomes are in line order with the refused rows mixed in: find each entry's by line and number.
    const byKey = new Map<string, BulkOutcome[]>();
    for (const outcome of outcomes) {
      const key = `${outcome.line}\u0000${outcome.raw}`;
      byKey.set(key, [...(byKey.get(key) ?? []), outcome]);
    }
    const byEntry = imported.entries.map((entry) => byKey.get(`${entry.line}\u0000${entry.raw}`)?.shift());
    downloadText('blockline-import-report.csv', importReportCsv(importReportRows(imported, byEntry)));
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
          {outcomes && imported && imported.format !== 'blockline' && (
            <Button onClick={downloadReport}>Download import report</Button>
          )}
          <Button variant="primary" onClick={() => void start()} disabled={disabled || !file || !preview}>
            {busy ? 'Importing…' : 'Import'}
          </Button>
        </>
      }
    >
      <div className="bl-form">
        <p className="bl-field__hint">
          Columns: <code>number,reason[,scope][,kind][,expiresAt]</code>, with or without a header row. Scope
          is “all” or one of the org’s line numbers; kind is “block” or “allow”. Exports of FreePBX, Zoom
          Phone, 3CX, Yeastar, RingCentral, Close and Microsoft Teams are recognized by their header row.
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
            onChange={(event) => void choose(event.target.files?.[0] ?? null)}
          />
        </div>
        {preview && <ImportPreview reading={preview} />}
        {preview && FORMATS_WITHOUT_KIND.includes(preview.format) && (
          <Select
            label="These rows are"
            value={kind}
            disabled={disabled}
            options={[
              { value: 'block', label: 'Blocked numbers' },
              { value: 'allow', label: 'Exceptions (allowed, exempt, trusted)' },
            ]}
            onChange={(value) => setKind(value === 'allow' ? 'allow' : 'block')}
            hint={`A ${preview.label} file does not say whether it is a block or an allow list.`}
          />
        )}
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

/** Rows the source format has no equal for: reported with the others, never sent. */
function refusedOutcomes(reading: ImportReading): BulkOutcome[] {
  return reading.rows.flatMap((row) =>
    row.refused === undefined
      ? []
      : [
          {
            line: row.line,
            raw: row.source,
            status: 'invalid' as const,
            message: `Not imported: ${row.refused}`,
          },
        ],
  );
}

/** What the file is and what its rows will become, before anything is written. */
function ImportPreview({ reading }: { reading: ImportReading }) {
  const refused = reading.rows.filter((row) => row.refused !== undefined).length;
  const prefixes = reading.entries.filter((entry) => entry.raw.trim().endsWith('*')).length;
  const numbers = reading.entries.length - prefixes;
  const count = (n: number, one: string, many: string) =>
    `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
  const parts = [
    count(reading.rows.length, 'row', 'rows'),
    count(numbers, 'number', 'numbers'),
    ...(prefixes > 0 ? [count(prefixes, 'prefix', 'prefixes')] : []),
    ...(refused > 0 ? [`${refused.toLocaleString('en-US')} not importable`] : []),
  ];
  return (
    <p className="bl-field__hint" data-testid="import-format" data-format={reading.format}>
      Detected format: <strong>{reading.label}</strong> · {parts.join(' · ')}
    </p>
  );
}

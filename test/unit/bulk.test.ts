import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parsePastedNumbers,
  parseRulesCsv,
  rulesToCsv,
  splitIntoBatches,
  validateBulkEntries,
} from '../../shared/bulk';
import type { BulkEntry, BulkValidationContext, ExportableRule } from '../../shared/bulk';
import type { Rule } from '../../shared/rules';

const LINES = ['+12125550100', '+12125550199'];
const ctx: BulkValidationContext = { country: 'US', lines: LINES, defaults: { reason: 'Robocaller' } };

function rule(overrides: Partial<Rule>): Rule {
  return {
    id: 'r1',
    kind: 'block',
    number: '+12125551234',
    scope: 'all',
    reason: 'Spam',
    expiresAt: null,
    source: 'manual',
    createdBy: 'u1',
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    hitCount: 0,
    lastHitAt: null,
    ...overrides,
  };
}

describe('parsePastedNumbers', () => {
  it('splits on newlines, commas and semicolons and keeps the source line', () => {
    const text = '212-555-1234\r\n\n+44 20 7946 0958, 020 7946 0959 ;911\n   \n(212) 555-9876;';
    expect(parsePastedNumbers(text)).toEqual([
      { line: 1, raw: '212-555-1234' },
      { line: 3, raw: '+44 20 7946 0958' },
      { line: 3, raw: '020 7946 0959' },
      { line: 3, raw: '911' },
      { line: 5, raw: '(212) 555-9876' },
    ]);
  });

  it('ignores a BOM and old Mac line ends', () => {
    expect(parsePastedNumbers('\ufeff2125551234\r2125551235')).toEqual([
      { line: 1, raw: '2125551234' },
      { line: 2, raw: '2125551235' },
    ]);
  });

  it('returns nothing for blank input', () => {
    expect(parsePastedNumbers(' \n ,; \n')).toEqual([]);
  });
});

describe('validateBulkEntries', () => {
  it('gives every entry its own result and keeps the valid ones (mixed input)', () => {
    const entries = parsePastedNumbers(
      [
        '212-555-1234',
        'not a number',
        '9-1-1',
        '(212) 555-1234',
        '+1 900*',
        '123',
        '+44*',
        '+44 20 7946 0958',
      ].join('\n'),
    );
    const results = validateBulkEntries(entries, ctx);
    expect(results.map((result) => [result.line, result.status])).toEqual([
      [1, 'ok'],
      [2, 'invalid'],
      [3, 'emergency'],
      [4, 'duplicate_in_input'],
      [5, 'ok'],
      [6, 'invalid'],
      [7, 'invalid'],
      [8, 'ok'],
    ]);
    expect(results[0]).toEqual({
      line: 1,
      raw: '212-555-1234',
      status: 'ok',
      candidate: {
        number: '+12125551234',
        reason: 'Robocaller',
        scope: 'all',
        kind: 'block',
        expiresAt: null,
        // The schema's default; the bulk request's own source (bulk or import) is what the server records.
        source: 'manual',
      },
    });
    expect(results[1]).toMatchObject({ status: 'invalid', reason: 'not_a_number' });
    expect(results[2]).toMatchObject({ status: 'emergency', message: expect.stringContaining('"9-1-1"') });
    expect(results[3]).toMatchObject({ status: 'duplicate_in_input', firstLine: 1 });
    expect(results[4]).toMatchObject({ status: 'ok', candidate: { number: '+1900*' } });
    expect(results[5]).toMatchObject({
      status: 'invalid',
      reason: 'too_short',
      message: expect.stringContaining('"123"'),
    });
    expect(results[6]).toMatchObject({ status: 'invalid', reason: 'prefix_too_short' });
    expect(results[7]).toMatchObject({ status: 'ok', candidate: { number: '+442079460958' } });
  });

  it('refuses emergency codes before anything else, also as prefixes', () => {
    const results = validateBulkEntries(
      [
        { line: 1, raw: '911*' },
        { line: 2, raw: 'tel:112' },
        { line: 3, raw: '９１１', reason: '' },
      ],
      ctx,
    );
    expect(results.map((result) => result.status)).toEqual(['emergency', 'emergency', 'emergency']);
  });

  it('reads scope, kind and expiry per entry', () => {
    const entries: BulkEntry[] = [
      { line: 1, raw: '2125551234', scope: '(212) 555-0100', kind: 'ALLOW', reason: 'VIP' },
      { line: 2, raw: '2125551234', scope: '+19175550100' },
      { line: 3, raw: '2125551235', kind: 'ignore' },
      { line: 4, raw: '2125551236', expiresAt: '2030-01-31' },
      { line: 5, raw: '2125551237', expiresAt: 'next week' },
      { line: 6, raw: '2125551238', expiresAt: '2020-01-01T00:00:00Z' },
      { line: 7, raw: '2125551239', expiresAt: '2030-01-31T18:00:00+01:00' },
      { line: 8, raw: '2125551240', reason: ' '.repeat(3) },
      { line: 9, raw: '2125551241', reason: 'x'.repeat(201) },
      { line: 10, raw: '2125551242', problem: 'the row has 7 fields' },
    ];
    const results = validateBulkEntries(entries, { ...ctx, nowMs: Date.parse('2025-06-01T00:00:00Z') });
    expect(results[0]).toMatchObject({
      status: 'ok',
      candidate: { number: '+12125551234', scope: '+12125550100', kind: 'allow', reason: 'VIP' },
    });
    expect(results[1]).toMatchObject({ status: 'invalid', reason: 'unknown_line' });
    expect(results[2]).toMatchObject({ status: 'invalid', reason: 'invalid_kind' });
    expect(results[3]).toMatchObject({ status: 'ok', candidate: { expiresAt: '2030-01-31T00:00:00.000Z' } });
    expect(results[4]).toMatchObject({ status: 'invalid', reason: 'invalid_expiry' });
    expect(results[5]).toMatchObject({ status: 'invalid', reason: 'expired' });
    expect(results[6]).toMatchObject({ status: 'ok', candidate: { expiresAt: '2030-01-31T18:00:00+01:00' } });
    expect(results[7]).toMatchObject({ status: 'invalid', reason: 'invalid_reason' });
    expect(results[8]).toMatchObject({ status: 'invalid', reason: 'invalid_reason' });
    expect(results[9]).toMatchObject({
      status: 'invalid',
      reason: 'malformed_row',
      message: expect.stringContaining('Line 10'),
    });
  });

  it('requires a reason when neither the entry nor the defaults give one', () => {
    const [result] = validateBulkEntries([{ line: 1, raw: '2125551234' }], { country: 'US', lines: [] });
    expect(result).toMatchObject({
      status: 'invalid',
      reason: 'invalid_reason',
      message: expect.stringMatching(/reason/),
    });
  });

  it('treats the same number in another scope or kind as a different rule', () => {
    const results = validateBulkEntries(
      [
        { line: 1, raw: '2125551234' },
        { line: 2, raw: '2125551234', scope: '+12125550100' },
        { line: 3, raw: '2125551234', kind: 'allow' },
        { line: 4, raw: '+1 212 555 1234', scope: '212-555-0100' },
      ],
      ctx,
    );
    expect(results.map((result) => result.status)).toEqual(['ok', 'ok', 'ok', 'duplicate_in_input']);
    expect(results[3]).toMatchObject({ firstLine: 2 });
  });

  it('reports conflicts with existing rules (SPEC §2.2)', () => {
    const existing = [
      rule({ id: 'everywhere', number: '+12125551234', scope: 'all' }),
      rule({ id: 'on-line', number: '+12125551235', scope: '+12125550100' }),
    ];
    const results = validateBulkEntries(
      [
        { line: 1, raw: '212 555 1234' },
        { line: 2, raw: '212 555 1234', scope: '+12125550199' },
        { line: 3, raw: '212 555 1235', scope: '+12125550100' },
        { line: 4, raw: '212 555 1235' },
        { line: 5, raw: '212 555 1234', kind: 'allow' },
      ],
      { ...ctx, existing },
    );
    expect(results[0]).toMatchObject({ status: 'already_blocked', existingRuleId: 'everywhere' });
    expect(results[1]).toMatchObject({
      status: 'already_blocked',
      existingRuleId: 'everywhere',
      message: expect.stringContaining('all lines'),
    });
    expect(results[2]).toMatchObject({ status: 'already_blocked', existingRuleId: 'on-line' });
    expect(results[3]).toMatchObject({ status: 'ok' });
    expect(results[4]).toMatchObject({ status: 'ok' });
  });
});

describe('parseRulesCsv', () => {
  it('reads a header in any case and order, with quotes, BOM, CRLF and blank lines', () => {
    const text =
      '\ufeffReason,NUMBER,expires_at,Kind,Scope,Notes\r\n' +
      '"Spam, repeated",212-555-1234,,block,all,x\r\n' +
      '\r\n' +
      '"He said ""stop""",+44 20 7946 0958,2030-01-01T00:00:00Z,allow,+12125550100,\r\n';
    const parsed = parseRulesCsv(text);
    expect(parsed.hasHeader).toBe(true);
    expect(parsed.ignoredColumns).toEqual(['Notes']);
    expect(parsed.entries).toEqual([
      { line: 2, raw: '212-555-1234', reason: 'Spam, repeated', kind: 'block', scope: 'all' },
      {
        line: 4,
        raw: '+44 20 7946 0958',
        reason: 'He said "stop"',
        expiresAt: '2030-01-01T00:00:00Z',
        kind: 'allow',
        scope: '+12125550100',
      },
    ]);
  });

  it('reads positional columns when there is no header', () => {
    const parsed = parseRulesCsv(
      '2125551234,Spam\n\n2125551235,Fraud,+12125550100,allow,2030-01-01\n2125551236\n',
    );
    expect(parsed.hasHeader).toBe(false);
    expect(parsed.entries).toEqual([
      { line: 1, raw: '2125551234', reason: 'Spam' },
      {
        line: 3,
        raw: '2125551235',
        reason: 'Fraud',
        scope: '+12125550100',
        kind: 'allow',
        expiresAt: '2030-01-01',
      },
      { line: 4, raw: '2125551236' },
    ]);
  });

  it('counts physical lines across quoted multi-line fields', () => {
    const parsed = parseRulesCsv('number,reason\n2125551234,"first\nsecond\nthird"\n2125551235,after\n');
    expect(parsed.entries.map((entry) => [entry.line, entry.raw, entry.reason])).toEqual([
      [2, '2125551234', 'first\nsecond\nthird'],
      [5, '2125551235', 'after'],
    ]);
  });

  it('accepts semicolon-separated files from spreadsheets', () => {
    const parsed = parseRulesCsv('number;reason\r\n212 555 1234;Spam, again\r\n');
    expect(parsed.entries).toEqual([{ line: 2, raw: '212 555 1234', reason: 'Spam, again' }]);
  });

  it('marks unreadable rows instead of dropping them', () => {
    const parsed = parseRulesCsv(
      '2125551234,Spam\n2125551235,a,all,block,,extra\n2125551236,"never closed\n',
    );
    expect(parsed.entries[0]).toEqual({ line: 1, raw: '2125551234', reason: 'Spam' });
    expect(parsed.entries[1]).toMatchObject({
      line: 2,
      raw: '2125551235',
      problem: expect.stringContaining('6 fields'),
    });
    expect(parsed.entries[2]).toMatchObject({ line: 3, problem: expect.stringContaining('never closed') });
    const results = validateBulkEntries(parsed.entries, ctx);
    expect(results.map((result) => result.status)).toEqual(['ok', 'invalid', 'invalid']);
  });

  it('feeds validation: valid rows are kept when others fail', () => {
    const parsed = parseRulesCsv('number,reason\n2125551234,Spam\n911,Test\nnope,Bad\n+1 900 *,Premium\n');
    const results = validateBulkEntries(parsed.entries, { country: 'US', lines: LINES });
    expect(results.map((result) => [result.line, result.status])).toEqual([
      [2, 'ok'],
      [3, 'emergency'],
      [4, 'invalid'],
      [5, 'ok'],
    ]);
  });
});

describe('rulesToCsv', () => {
  const rules: ExportableRule[] = [
    { number: '+12125551234', reason: 'Spam, "loud"', scope: 'all', kind: 'block', expiresAt: null },
    {
      number: '+1900*',
      reason: '=HYPERLINK("http://x")',
      scope: '+12125550100',
      kind: 'block',
      expiresAt: null,
    },
    {
      number: '+442079460958',
      reason: "'=quoted already",
      scope: 'all',
      kind: 'allow',
      expiresAt: '2030-01-01T00:00:00Z',
    },
    { number: '+12125551235', reason: 'line one\nline two', scope: 'all', kind: 'block', expiresAt: null },
    { number: '+12125551236', reason: '-5 stars', scope: 'all', kind: 'block', expiresAt: null },
  ];

  it('writes a header and guards cells a spreadsheet would run as formulas', () => {
    const csv = rulesToCsv(rules);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('number,reason,scope,kind,expiresAt');
    expect(lines[1]).toBe(`'+12125551234,"Spam, ""loud""",all,block,`);
    expect(lines[2]).toBe(`'+1900*,"'=HYPERLINK(""http://x"")",'+12125550100,block,`);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(rulesToCsv([])).toBe('number,reason,scope,kind,expiresAt\r\n');
  });

  it('round-trips through parseRulesCsv', () => {
    const parsed = parseRulesCsv(rulesToCsv(rules));
    expect(parsed.hasHeader).toBe(true);
    expect(
      parsed.entries.map((entry) => ({
        number: entry.raw,
        reason: entry.reason,
        scope: entry.scope,
        kind: entry.kind,
        expiresAt: entry.expiresAt ?? null,
      })),
    ).toEqual(rules);
  });

  it('round-trips arbitrary reasons (property)', () => {
    // Carriage returns are read as line ends (CRLF and LF files mean the same), so they are left out here.
    const unit = fc.oneof(
      fc.constantFrom(',', ';', '"', "'", '=', '+', '-', '@', '\n', '\t', ' ', '*', 'é', '😀'),
      fc.string({ minLength: 1, maxLength: 3 }),
    );
    const reason = fc
      .string({ unit, minLength: 1, maxLength: 40 })
      .filter((text) => text.trim() === text && text !== '' && !text.includes('\r'));
    fc.assert(
      fc.property(fc.array(reason, { minLength: 1, maxLength: 5 }), (reasons) => {
        const exported: ExportableRule[] = reasons.map((text, index) => ({
          number: `+1212555${String(1000 + index)}`,
          reason: text,
          scope: 'all',
          kind: 'block',
          expiresAt: null,
        }));
        const parsed = parseRulesCsv(rulesToCsv(exported));
        expect(parsed.entries.map((entry) => [entry.raw, entry.reason])).toEqual(
          exported.map((rule) => [rule.number, rule.reason]),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('exports rules that validate back into the same candidates', () => {
    const parsed = parseRulesCsv(rulesToCsv(rules.slice(0, 3)));
    const results = validateBulkEntries(parsed.entries, ctx);
    expect(
      results.map((result) => (result.status === 'ok' ? result.candidate.number : result.status)),
    ).toEqual(['+12125551234', '+1900*', '+442079460958']);
  });
});

describe('splitIntoBatches', () => {
  it('splits into requests of at most 500 entries', () => {
    const items = Array.from({ length: 1234 }, (_, index) => index);
    const batches = splitIntoBatches(items);
    expect(batches.map((batch) => batch.length)).toEqual([500, 500, 234]);
    expect(batches.flat()).toEqual(items);
    expect(splitIntoBatches([])).toEqual([]);
    expect(() => splitIntoBatches(items, 0)).toThrow(RangeError);
  });
});

/**
 * Bulk add and CSV import/export (SPEC §2.4). Every entry gets its own result and carries the line it came
 * from, so a lead can fix the bad lines; nothing valid is dropped because something else is invalid.
 */
import Papa from 'papaparse';
import { MAX_BULK_ENTRIES } from './contracts/api';
import { isEmergencyNumber } from './emergency';
import { normalizeNumber, normalizeNumberOrPrefix } from './numbers';
import type { CountryCode, NumberOrPrefixFailure } from './numbers';
import { findRuleConflict, ruleCreateInputSchema } from './rules';
import type { Rule, RuleCreate, RuleKind } from './rules';

/** One number (or prefix) to add, with the physical line of the paste or file it came from (1-based). */
export interface BulkEntry {
  line: number;
  raw: string;
  reason?: string;
  scope?: string;
  kind?: string;
  expiresAt?: string;
  /** Set when the row itself could not be read (unclosed quote, too many fields). */
  problem?: string;
}

export type BulkInvalidReason =
  | NumberOrPrefixFailure
  | 'malformed_row'
  | 'unknown_line'
  | 'invalid_kind'
  | 'invalid_expiry'
  | 'expired'
  | 'invalid_reason';

export type BulkEntryValidation =
  | { line: number; raw: string; status: 'ok'; candidate: RuleCreate; extension?: string }
  | { line: number; raw: string; status: 'duplicate_in_input'; firstLine: number; message: string }
  | { line: number; raw: string; status: 'invalid'; reason: BulkInvalidReason; message: string }
  | { line: number; raw: string; status: 'emergency'; message: string }
  | { line: number; raw: string; status: 'already_blocked'; existingRuleId: string; message: string };

export interface BulkValidationContext {
  /** The org's default country, for numbers typed without a country code. */
  country: CountryCode;
  /** The org's line numbers (E.164): the only scopes besides `all`. */
  lines: readonly string[];
  /** Rules already on the list: an entry that conflicts with one is reported, not sent. */
  existing?: Iterable<Rule>;
  /** Values for fields an entry leaves empty (a paste carries numbers only). */
  defaults?: { reason?: string; scope?: string; kind?: RuleKind; expiresAt?: string | null };
  /** When given, an expiry at or before this instant is refused. */
  nowMs?: number;
}

// ---------------------------------------------------------------------------------------------------------
// Paste.

/**
 * Where a pasted line is split: a comma or semicolon, except `;ext=` (RFC 3966 extension) and a run of two
 * or more commas (pause-dial `,,2041#`), which belong to the number before them (SPEC §1.1a).
 */
const ENTRY_SEPARATOR = /(?<!,),(?!,)|;(?!\s*ext\s*=)/i;

/** Splits pasted text into entries: one per line, or separated by commas or semicolons. */
export function parsePastedNumbers(text: string): BulkEntry[] {
  const entries: BulkEntry[] = [];
  const lines = stripBom(text).split(/\r\n|\r|\n/);
  lines.forEach((lineText, index) => {
    for (const piece of lineText.split(ENTRY_SEPARATOR)) {
      const raw = piece.trim();
      if (raw !== '') entries.push({ line: index + 1, raw });
    }
  });
  return entries;
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

// ---------------------------------------------------------------------------------------------------------
// CSV import.

export const CSV_COLUMNS = ['number', 'reason', 'scope', 'kind', 'expiresAt'] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

/** Header names people use for each column, compared without case, spaces, dashes or underscores. */
const HEADER_ALIASES: Record<string, CsvColumn> = {
  number: 'number',
  phone: 'number',
  phonenumber: 'number',
  reason: 'reason',
  scope: 'scope',
  line: 'scope',
  kind: 'kind',
  type: 'kind',
  expiresat: 'expiresAt',
  expires: 'expiresAt',
  expiry: 'expiresAt',
};

export interface CsvParseResult {
  entries: BulkEntry[];
  hasHeader: boolean;
  /** Header columns that are not rule fields; their values are ignored. */
  ignoredColumns: string[];
}

export interface CsvRow {
  line: number;
  cells: string[];
  problem?: string;
}

/**
 * Reads a rules CSV: `number,reason[,scope][,kind][,expiresAt]`, with an optional header row naming the
 * columns in any case and order. Handles a BOM, CRLF, blank lines, quoted fields (also across lines),
 * and `;` or tab as separator when the first row has no comma (spreadsheets in many locales).
 */
export function parseRulesCsv(text: string): CsvParseResult {
  const rows = readCsvRows(stripBom(text).replace(/\r\n?/g, '\n'));
  const first = rows[0];
  const header = first !== undefined && first.problem === undefined ? headerColumns(first.cells) : null;
  const dataRows = header === null ? rows : rows.slice(1);
  const ignoredColumns =
    header === null || first === undefined
      ? []
      : first.cells.filter((_, index) => header[index] === null).map((cell) => cell.trim());

  const entries = dataRows.map((row): BulkEntry => {
    if (row.problem !== undefined)
      return { line: row.line, raw: row.cells[0]?.trim() ?? '', problem: row.problem };
    const fields: Partial<Record<CsvColumn, string>> = {};
    if (header === null) {
      if (row.cells.length > CSV_COLUMNS.length) {
        return {
          line: row.line,
          raw: row.cells[0]?.trim() ?? '',
          problem: `the row has ${row.cells.length} fields, at most ${CSV_COLUMNS.length} are expected (${CSV_COLUMNS.join(',')}); quote a reason that contains commas`,
        };
      }
      row.cells.forEach((cell, index) => {
        const column = CSV_COLUMNS[index];
        if (column !== undefined) fields[column] = unescapeCell(cell);
      });
    } else {
      row.cells.forEach((cell, index) => {
        const column = header[index];
        if (column !== undefined && column !== null) fields[column] = unescapeCell(cell);
      });
    }
    return { line: row.line, raw: (fields.number ?? '').trim(), ...withoutBlanks(fields) };
  });
  return { entries, hasHeader: header !== null, ignoredColumns };
}

function withoutBlanks(
  fields: Partial<Record<CsvColumn, string>>,
): Omit<BulkEntry, 'line' | 'raw' | 'problem'> {
  const result: Omit<BulkEntry, 'line' | 'raw' | 'problem'> = {};
  for (const column of ['reason', 'scope', 'kind', 'expiresAt'] as const) {
    const value = fields[column]?.trim();
    if (value !== undefined && value !== '') result[column] = value;
  }
  return result;
}

/** The header's column for each cell (null for columns we do not know), or null when the row is data. */
function headerColumns(cells: string[]): (CsvColumn | null)[] | null {
  if (cells.some((cell) => /\d/.test(cell))) return null;
  const columns = cells.map((cell) => HEADER_ALIASES[cell.toLowerCase().replace(/[\s_-]/g, '')] ?? null);
  return columns.includes('number') ? columns : null;
}

/** The rows of a CSV text (LF newlines), with the physical line each starts on; blank rows skipped. */
export function readCsvRows(text: string): CsvRow[] {
  const firstLine = text.split('\n', 1)[0] ?? '';
  const delimiter = firstLine.includes(',')
    ? ','
    : firstLine.includes(';')
      ? ';'
      : firstLine.includes('\t')
        ? '\t'
        : ',';
  const rows: CsvRow[] = [];
  let rowStart = 0;
  let line = 1;
  Papa.parse<string[]>(text, {
    delimiter,
    newline: '\n',
    step: (result) => {
      const cursor = result.meta.cursor;
      const cells = result.data;
      const quoteError = result.errors.find((error) => error.type === 'Quotes');
      if (quoteError !== undefined) {
        rows.push({ line, cells, problem: `a quoted field that starts on line ${line} is never closed` });
      } else if (cells.some((cell) => cell.trim() !== '')) {
        rows.push({ line, cells });
      }
      line += countNewlines(text, rowStart, cursor);
      rowStart = cursor;
    },
  });
  return rows;
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (
    let index = text.indexOf('\n', from);
    index !== -1 && index < to;
    index = text.indexOf('\n', index + 1)
  ) {
    count += 1;
  }
  return count;
}

// ---------------------------------------------------------------------------------------------------------
// CSV export.

/** Spreadsheets run a cell starting with one of these as a formula; export guards such cells with `'`. */
const FORMULA_START = /^[=+\-@\t\r]/;
const GUARDED_CELL = /^'['=+\-@\t\r]/;

/** A cell as a spreadsheet may open it safely: one it would run as a formula gets a leading `'`. */
export function escapeCell(value: string): string {
  return FORMULA_START.test(value) || GUARDED_CELL.test(value) ? `'${value}` : value;
}

function unescapeCell(value: string): string {
  const trimmed = value.trim();
  return GUARDED_CELL.test(trimmed) ? trimmed.slice(1) : value;
}

export type ExportableRule = Pick<Rule, 'number' | 'reason' | 'scope' | 'kind' | 'expiresAt'>;

/**
 * The list as CSV (header `number,reason,scope,kind,expiresAt`, CRLF). Cells that a spreadsheet would
 * run as a formula (`+1212…`, `=…`) start with `'`; {@link parseRulesCsv} removes it again.
 */
export function rulesToCsv(rules: Iterable<ExportableRule>): string {
  const rows: string[][] = [];
  for (const rule of rules) {
    rows.push([rule.number, rule.reason, rule.scope, rule.kind, rule.expiresAt ?? ''].map(escapeCell));
  }
  const header = CSV_COLUMNS.join(',');
  if (rows.length === 0) return `${header}\r\n`;
  return `${header}\r\n${Papa.unparse(rows, { newline: '\r\n', header: false, escapeFormulae: false })}\r\n`;
}

// ---------------------------------------------------------------------------------------------------------
// Validation.

/**
 * Checks every entry on its own: emergency numbers first, then the number or prefix, scope, kind,
 * expiry and reason, then duplicates within the input and conflicts with existing rules.
 */
export function validateBulkEntries(
  entries: readonly BulkEntry[],
  ctx: BulkValidationContext,
): BulkEntryValidation[] {
  const existingByNumber = new Map<string, Rule[]>();
  for (const rule of ctx.existing ?? []) {
    const sameNumber = existingByNumber.get(rule.number);
    if (sameNumber === undefined) existingByNumber.set(rule.number, [rule]);
    else sameNumber.push(rule);
  }
  const firstLineByKey = new Map<string, number>();

  return entries.map((entry): BulkEntryValidation => {
    const checked = checkEntry(entry, ctx);
    if (checked.status !== 'ok') return checked;
    const { candidate } = checked;
    const key = `${candidate.kind} ${candidate.scope} ${candidate.number}`;
    const firstLine = firstLineByKey.get(key);
    if (firstLine !== undefined) {
      return {
        line: entry.line,
        raw: entry.raw,
        status: 'duplicate_in_input',
        firstLine,
        message: `${candidate.number} is already on line ${firstLine} of this input`,
      };
    }
    firstLineByKey.set(key, entry.line);
    const conflict = findRuleConflict(candidate, existingByNumber.get(candidate.number) ?? []);
    if (conflict !== null) {
      return {
        line: entry.line,
        raw: entry.raw,
        status: 'already_blocked',
        existingRuleId: conflict.existing.id,
        message: conflict.message,
      };
    }
    return checked;
  });
}

type Invalid = Extract<BulkEntryValidation, { status: 'invalid' }>;

function invalid(entry: BulkEntry, reason: BulkInvalidReason, message: string): Invalid {
  return { line: entry.line, raw: entry.raw, status: 'invalid', reason, message };
}

function checkEntry(
  entry: BulkEntry,
  ctx: BulkValidationContext,
): Exclude<BulkEntryValidation, { status: 'duplicate_in_input' | 'already_blocked' }> {
  const raw = entry.raw.trim();
  const shown = JSON.stringify(raw);
  if (entry.problem !== undefined)
    return invalid(entry, 'malformed_row', `Line ${entry.line}: ${entry.problem}.`);
  // Emergency before anything else: `911*` or `9-1-1` must never reach the list, valid or not.
  if (raw !== '' && isEmergencyNumber(raw.replace(/\*\s*$/, ''), ctx.country)) {
    return {
      line: entry.line,
      raw: entry.raw,
      status: 'emergency',
      message: `${shown} is an emergency number: it can never be added to the list.`,
    };
  }
  const number = normalizeNumberOrPrefix(raw, ctx.country);
  if (!number.ok) return invalid(entry, number.reason, number.message);

  const scope = resolveScope(entry.scope ?? ctx.defaults?.scope, ctx);
  if (!scope.ok) return invalid(entry, 'unknown_line', scope.message);
  const kind = resolveKind(entry.kind ?? ctx.defaults?.kind);
  if (kind === null) {
    return invalid(entry, 'invalid_kind', `Kind ${JSON.stringify(entry.kind)} is not "block" or "allow".`);
  }
  const expiresAt = resolveExpiry(entry.expiresAt ?? ctx.defaults?.expiresAt ?? null);
  if (expiresAt === undefined) {
    return invalid(
      entry,
      'invalid_expiry',
      `Expiry ${JSON.stringify(entry.expiresAt)} is not a date and time such as 2030-01-31T18:00:00Z.`,
    );
  }
  if (expiresAt !== null && ctx.nowMs !== undefined && Date.parse(expiresAt) <= ctx.nowMs) {
    return invalid(entry, 'expired', `Expiry ${expiresAt} is already in the past.`);
  }

  const parsed = ruleCreateInputSchema.safeParse({
    number: number.kind === 'number' ? number.e164 : number.prefix,
    reason: entry.reason ?? ctx.defaults?.reason ?? '',
    scope: scope.value,
    kind,
    expiresAt,
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || 'entry'}: ${issue.message}`,
    );
    return invalid(entry, 'invalid_reason', `${shown}: ${problems.join('; ')}.`);
  }
  const ok = { line: entry.line, raw: entry.raw, status: 'ok' as const, candidate: parsed.data };
  return number.kind === 'number' && number.extension !== undefined
    ? { ...ok, extension: number.extension }
    : ok;
}

function resolveScope(
  scope: string | undefined,
  ctx: BulkValidationContext,
): { ok: true; value: string } | { ok: false; message: string } {
  const trimmed = scope?.trim() ?? '';
  if (trimmed === '' || trimmed.toLowerCase() === 'all') return { ok: true, value: 'all' };
  const line = normalizeNumber(trimmed, ctx.country);
  if (line.ok && ctx.lines.includes(line.e164)) return { ok: true, value: line.e164 };
  const known =
    ctx.lines.length === 0 ? 'the org has no lines' : `the org's lines are ${ctx.lines.join(', ')}`;
  return {
    ok: false,
    message: `Scope ${JSON.stringify(trimmed)} is not "all" or one of the org's lines (${known}).`,
  };
}

function resolveKind(kind: string | undefined): RuleKind | null {
  const value = kind?.trim().toLowerCase() ?? '';
  if (value === '' || value === 'block') return 'block';
  if (value === 'allow' || value === 'exception') return 'allow';
  return null;
}

/** ISO 8601 with offset is kept as is; a plain date or offset-less time is read as UTC. `undefined`: unreadable. */
function resolveExpiry(expiresAt: string | null): string | null | undefined {
  const value = expiresAt?.trim() ?? '';
  if (value === '') return null;
  if (ruleCreateInputSchema.shape.expiresAt.safeParse(value).success) return value;
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(value)) return undefined;
  const ms = Date.parse(value.length === 10 ? `${value}T00:00:00Z` : `${value.replace(' ', 'T')}Z`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** Splits candidates into requests the server accepts (at most {@link MAX_BULK_ENTRIES} each). */
export function splitIntoBatches<T>(items: readonly T[], size: number = MAX_BULK_ENTRIES): T[][] {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`batch size must be a positive integer, got ${size}`);
  const batches: T[][] = [];
  for (let start = 0; start < items.length; start += size) batches.push(items.slice(start, start + size));
  return batches;
}

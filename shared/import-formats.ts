/**
 * Moving in from another phone system (SPEC §13): the export and import files of the systems people move
 * from, recognized by their header rows and mapped row by row onto Blockline's rule entries. Every row
 * says what it became (a number, a prefix) or why it was refused; nothing is guessed. The entries then go
 * through the same validation as any CSV import (bulk.ts, and the server's bulk service).
 *
 * Sources for each format's columns and values are cited beside its mapper below.
 */
import { parseRulesCsv, readCsvRows, stripBom, type BulkEntry } from './bulk';
import type { RuleKind } from './rules';

export const IMPORT_FORMATS = [
  'blockline',
  'freepbx',
  'zoom',
  '3cx',
  'yeastar',
  'ringcentral',
  'close',
  'teams',
] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export const IMPORT_FORMAT_LABELS: Record<ImportFormat, string> = {
  blockline: 'Blockline CSV',
  freepbx: 'FreePBX / Asterisk blacklist',
  zoom: 'Zoom Phone blocked list',
  '3cx': '3CX blacklisted numbers',
  yeastar: 'Yeastar blocklist / allowlist',
  ringcentral: 'RingCentral blocked / allowed numbers',
  close: 'Close blocked phone numbers',
  teams: 'Microsoft Teams number patterns (Export-Csv)',
};

/** Formats whose files do not say block or allow: the person (or `--kind`) says which list it is. */
export const FORMATS_WITHOUT_KIND: readonly ImportFormat[] = ['freepbx', '3cx', 'yeastar', 'teams'];

export function isImportFormat(value: string): value is ImportFormat {
  return (IMPORT_FORMATS as readonly string[]).includes(value);
}

/** What one row of the source file became. */
export interface RowMapping {
  /** Physical line of the row in the file (1-based). */
  line: number;
  /** The row's number or pattern as the source system wrote it. */
  source: string;
  /** Indexes into {@link ImportReading.entries} (a Yeastar row may hold several numbers). */
  entryIndexes: number[];
  /** Set when the row has no equal here; nothing was made of it. */
  refused?: string;
  /** How it was mapped, e.g. "prefix +1268* from the Teams pattern ^\+1268\d*$". */
  notes: string[];
}

export interface ImportReading {
  format: ImportFormat;
  label: string;
  entries: BulkEntry[];
  rows: RowMapping[];
}

export interface ImportOptions {
  /** `auto` (default) detects the format by the header row. */
  format?: ImportFormat | 'auto';
  /**
   * For a list whose file does not say block or allow: a Teams exempt export and a blocked one share one
   * header, and so do Yeastar's and FreePBX-style allow and block lists. Default `block`.
   */
  kind?: RuleKind;
}

/** Rules that only stopped inbound calls there stop both directions here (SPEC §3.4–3.5). */
const INBOUND_ONLY_NOTE = 'blocked inbound calls only there; here it also stops agents calling that number';
const OUTBOUND_ONLY_REFUSAL =
  'an outbound-only rule: a Blockline block rule also stops inbound calls, so it has no equal here';
const GENERAL_PATTERN_REFUSAL =
  'a general pattern (character classes, alternatives, fixed lengths) has no equal here: only whole numbers and prefixes do';

// ---------------------------------------------------------------------------------------------------------
// Detection.

/** A header cell compared without case, spaces, dashes, underscores or quotes. */
function headerKey(cell: string): string {
  return cell.toLowerCase().replace(/[\s_\-"'().]/g, '');
}

/** The format a header row belongs to, or null when it is none of the known systems'. */
export function detectImportFormat(header: readonly string[]): ImportFormat | null {
  const keys = new Set(header.map(headerKey));
  const has = (...names: string[]) => names.every((name) => keys.has(name));
  if (has('pattern') && (keys.has('identity') || keys.has('enabled'))) return 'teams';
  if (has('phonenumber') && (keys.has('matchtype') || keys.has('blocktype'))) return 'zoom';
  if (has('phonenumber', 'label', 'status')) return 'ringcentral';
  if (has('phone') && ['organizationid', 'datecreated', 'createdby'].some((key) => keys.has(key)))
    return 'close';
  if (has('name', 'number') && (keys.has('type') || keys.has('outlist')) && !keys.has('reason'))
    return 'yeastar';
  if ((keys.has('callerid') || keys.has('incomingcalleridtobeblocked')) && keys.has('description'))
    return '3cx';
  if (header.length === 2 && has('number', 'description')) return 'freepbx';
  return null;
}

// ---------------------------------------------------------------------------------------------------------
// Reading.

interface SourceRow {
  line: number;
  /** Cell by header key. */
  cell(...names: string[]): string;
}

interface MappedRow {
  source: string;
  refused?: string;
  entries?: Omit<BulkEntry, 'line'>[];
  notes?: string[];
}

type RowMapper = (row: SourceRow, options: Required<ImportOptions>) => MappedRow;

/**
 * Reads an import file in any known format. `error` when the file has no rows, or `format` is forced and
 * the header does not fit it.
 */
export function readImportCsv(text: string, options: ImportOptions = {}): ImportReading | { error: string } {
  const unified = stripBom(text).replace(/\r\n?/g, '\n');
  const cleaned = dropPowerShellTypeLine(unified);
  // Report lines of the file as it is, the dropped `#TYPE` line included.
  const lineOffset = cleaned === unified ? 0 : 1;
  const rows = readCsvRows(cleaned).map((row) => ({ ...row, line: row.line + lineOffset }));
  const header = rows[0];
  if (header === undefined) return { error: 'the file has no rows' };
  const detected = detectImportFormat(header.cells);
  const wanted = options.format ?? 'auto';
  const format: ImportFormat = wanted === 'auto' ? (detected ?? 'blockline') : wanted;
  if (wanted !== 'auto' && wanted !== 'blockline' && detected !== wanted) {
    return {
      error: `the header row (${header.cells.join(',')}) is not the ${IMPORT_FORMAT_LABELS[wanted]} header`,
    };
  }
  const resolved: Required<ImportOptions> = { format, kind: options.kind ?? 'block' };
  if (format === 'blockline') return blocklineReading(cleaned, resolved.kind, options.kind !== undefined);

  const keys = header.cells.map(headerKey);
  const reading: ImportReading = { format, label: IMPORT_FORMAT_LABELS[format], entries: [], rows: [] };
  for (const row of rows.slice(1)) {
    const sourceRow: SourceRow = {
      line: row.line,
      cell: (...names) => {
        for (const name of names) {
          const index = keys.indexOf(name);
          const value = index === -1 ? undefined : row.cells[index];
          if (value !== undefined && value.trim() !== '') return value.trim();
        }
        return '';
      },
    };
    const mapped =
      row.problem !== undefined
        ? { source: row.cells[0] ?? '', refused: row.problem }
        : MAPPERS[format](sourceRow, resolved);
    const entryIndexes = (mapped.entries ?? []).map((entry) => {
      reading.entries.push({ ...entry, line: row.line });
      return reading.entries.length - 1;
    });
    reading.rows.push({
      line: row.line,
      source: mapped.source,
      entryIndexes,
      ...(mapped.refused === undefined ? {} : { refused: mapped.refused }),
      notes: mapped.notes ?? [],
    });
  }
  return reading;
}

/** Windows PowerShell's Export-Csv writes `#TYPE <class>` above the header unless -NoTypeInformation. */
function dropPowerShellTypeLine(text: string): string {
  return text.startsWith('#TYPE') ? text.slice(text.indexOf('\n') + 1) : text;
}

function blocklineReading(text: string, kind: RuleKind, kindGiven: boolean): ImportReading {
  const { entries } = parseRulesCsv(text);
  const withKind = kindGiven ? entries.map((entry) => ({ kind, ...entry })) : entries;
  return {
    format: 'blockline',
    label: IMPORT_FORMAT_LABELS.blockline,
    entries: withKind,
    rows: withKind.map((entry, index) => ({
      line: entry.line,
      source: entry.raw,
      entryIndexes: [index],
      // A malformed row is an entry too: the shared validation reports it.
      notes: [],
    })),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Per-system mapping.

const MAX_REASON = 200;

function reasonOr(text: string, label: string): string {
  const reason = text.replace(/\s+/g, ' ').trim();
  return (reason === '' ? `Imported from ${label}` : reason).slice(0, MAX_REASON);
}

/** A digit string that the source writes with its country code but perhaps without `+`. */
function international(digits: string): string {
  return digits.startsWith('+') ? digits : `+${digits}`;
}

function numberEntry(raw: string, reason: string, kind: RuleKind): Omit<BulkEntry, 'line'> {
  return { raw, reason, kind };
}

function described(raw: string): string {
  return raw.endsWith('*') ? `prefix ${raw}` : `number ${raw}`;
}

/**
 * FreePBX blacklist module (FreePBX/blacklist, Blacklist.class.php): Import/Export writes and reads the
 * header `number,description`; numbers are kept as the caller ID arrives (often national, `3035550147`).
 * The module's `dest` and `blocked` keys are settings, not numbers. An exact match only: no patterns.
 */
const freepbx: RowMapper = (row, { kind }) => {
  const number = row.cell('number');
  if (number === 'dest' || number === 'blocked')
    return { source: number, refused: 'a FreePBX blacklist setting, not a number' };
  if (!/^\+?[\d\s().-]+$/.test(number))
    return { source: number, refused: 'not a phone number (FreePBX matches caller IDs exactly)' };
  return {
    source: number,
    entries: [numberEntry(number, reasonOr(row.cell('description'), 'FreePBX'), kind)],
  };
};

/**
 * Zoom Phone blocked list (Zoom API `POST /phone/blocked_list` and its list response; the web portal's
 * "Match Type" / "Block Type" columns): `phone_number` with the country code, `match_type` `phoneNumber`
 * or `prefix` ("entering 1907 blocks numbers with country code 1 and area code 907"), `block_type`
 * `inbound` or `outbound`, `status` `active` or `inactive`, `comment`.
 */
const zoom: RowMapper = (row) => {
  const phone = row.cell('phonenumber').replace(/[\s().-]/g, '');
  const matchType = row.cell('matchtype').toLowerCase();
  const blockType = row.cell('blocktype').toLowerCase();
  const status = row.cell('status').toLowerCase();
  if (status === 'inactive' || status === 'disabled')
    return { source: phone, refused: 'disabled in Zoom (status inactive)' };
  if (blockType === 'outbound') return { source: phone, refused: OUTBOUND_ONLY_REFUSAL };
  if (!/^\+?\d+$/.test(phone)) return { source: phone, refused: 'not a phone number or prefix' };
  const raw = matchType.includes('prefix') ? `${international(phone)}*` : international(phone);
  const notes = [
    `${described(raw)} from Zoom ${matchType.includes('prefix') ? 'prefix match' : 'phone number match'}`,
  ];
  if (blockType === 'inbound') notes.push(INBOUND_ONLY_NOTE);
  return {
    source: phone,
    entries: [numberEntry(raw, reasonOr(row.cell('comment'), 'Zoom'), 'block')],
    notes,
  };
};

/**
 * 3CX blacklisted numbers (Management Console: "Incoming caller ID to be blocked" and "Description"; an
 * asterisk is a wildcard, and a caller ID may be a name). The exact export header was not found in any
 * source; `CallerId`/`Caller ID` and the console's field name are recognized.
 */
const threeCx: RowMapper = (row, { kind }) => {
  const callerId = row.cell('callerid', 'incomingcalleridtobeblocked');
  const reason = reasonOr(row.cell('description'), '3CX');
  if (/\p{L}/u.test(callerId))
    return { source: callerId, refused: 'a caller-ID name, not a number: only numbers can be listed here' };
  const compact = callerId.replace(/[\s().-]/g, '');
  if (/^\+?\d+\*$/.test(compact))
    return {
      source: callerId,
      entries: [numberEntry(compact, reason, kind)],
      notes: [`prefix from the 3CX wildcard ${callerId}`],
    };
  if (compact.includes('*')) return { source: callerId, refused: GENERAL_PATTERN_REFUSAL };
  return { source: callerId, entries: [numberEntry(callerId, reason, kind)] };
};

/**
 * Yeastar blocklist / allowlist (P-Series "Blocked Numbers Parameters": `Name`, `Type` inbound, outbound or
 * both, `Number` with `&` between several; Cloud PBX and S-Series: `Name`, `Number` with `^` between
 * several, `Type`, `Outlist`). Number patterns use X, Z, N, `[…]`, `.` (one or more) and `!` (zero or
 * more): digits followed by `.` or `!` are a prefix; anything else is a general pattern.
 */
const yeastar: RowMapper = (row, { kind }) => {
  const numbers = row.cell('number');
  const type = row.cell('type').toLowerCase();
  if (type === 'outbound') return { source: numbers, refused: OUTBOUND_ONLY_REFUSAL };
  const reason = reasonOr(row.cell('name'), 'Yeastar');
  const entries: Omit<BulkEntry, 'line'>[] = [];
  const notes: string[] = [];
  const refusals: string[] = [];
  for (const one of numbers
    .split(/[&^]/)
    .map((part) => part.trim())
    .filter((part) => part !== '')) {
    const compact = one.replace(/[\s()-]/g, '');
    const prefix = /^(\+?\d+)[.!]$/.exec(compact);
    if (prefix !== null) {
      entries.push(numberEntry(`${prefix[1] ?? ''}*`, reason, kind));
      notes.push(`prefix ${prefix[1] ?? ''}* from the Yeastar pattern ${one}`);
    } else if (/^\+?\d+$/.test(compact)) {
      entries.push(numberEntry(compact, reason, kind));
    } else {
      refusals.push(`${one}: ${GENERAL_PATTERN_REFUSAL}`);
    }
  }
  if (entries.length === 0)
    return { source: numbers, refused: refusals.join('; ') || 'the row has no number' };
  if (refusals.length > 0) notes.push(`not imported: ${refusals.join('; ')}`);
  if (type === 'inbound' && kind === 'block') notes.push(INBOUND_ONLY_NOTE);
  return { source: numbers, entries, notes };
};

/**
 * RingCentral caller blocking (REST `…/caller-blocking/phone-numbers`, BlockedAllowedPhoneNumberInfo):
 * `phoneNumber` in E.164, `label`, `status` `Blocked` or `Allowed`.
 */
const ringcentral: RowMapper = (row) => {
  const phone = row.cell('phonenumber');
  const status = row.cell('status').toLowerCase();
  if (status !== 'blocked' && status !== 'allowed' && status !== '')
    return {
      source: phone,
      refused: `status ${JSON.stringify(row.cell('status'))} is not Blocked or Allowed`,
    };
  const kind: RuleKind = status === 'allowed' ? 'allow' : 'block';
  return {
    source: phone,
    entries: [numberEntry(phone, reasonOr(row.cell('label'), 'RingCentral'), kind)],
    notes: kind === 'allow' ? ['an exception (RingCentral Allowed)'] : [],
  };
};

/**
 * Close blocked phone numbers (Close API `/blocked_phone_number/`: `phone` in E.164, `reason`,
 * `created_by`, `date_created`, `date_updated`, `organization_id`). Close blocks both directions.
 */
const close: RowMapper = (row) => {
  const phone = row.cell('phone');
  return { source: phone, entries: [numberEntry(phone, reasonOr(row.cell('reason'), 'Close'), 'block')] };
};

/**
 * Microsoft Teams inbound blocked and exempt number patterns (`Get-CsInboundBlockedNumberPattern` /
 * `Get-CsInboundExemptNumberPattern | Export-Csv`: `Identity`, `Name`, `Pattern`, `Description`,
 * `Enabled`). Both lists share this header, so `kind` says which one it is. Patterns are .NET regular
 * expressions matched against the caller's number: `^\+?DIGITS$` is one number; `^\+?DIGITS\d*$`,
 * `^\+?DIGITS\d+$` and an unanchored `^\+?DIGITS` are prefixes; anything else is refused.
 */
const teams: RowMapper = (row, { kind }) => {
  const pattern = row.cell('pattern');
  if (row.cell('enabled').toLowerCase() === 'false')
    return { source: pattern, refused: 'disabled in Teams (Enabled False)' };
  const reason = reasonOr(row.cell('description', 'name', 'identity'), 'Microsoft Teams');
  const mapped = teamsPattern(pattern);
  if (mapped === null) return { source: pattern, refused: GENERAL_PATTERN_REFUSAL };
  const notes = [`${described(mapped)} from the Teams pattern ${pattern}`];
  if (kind === 'block') notes.push(INBOUND_ONLY_NOTE);
  return { source: pattern, entries: [numberEntry(mapped, reason, kind)], notes };
};

const TEAMS_NUMBER = /^\^\\\+\??(\d+)\$$/;
const TEAMS_PREFIX = /^\^\\\+\??(\d+)(?:\\d[*+]\$)?$/;

/** `+DIGITS` or `+DIGITS*` for a Teams pattern that is one number or an anchored prefix, else null. */
export function teamsPattern(pattern: string): string | null {
  const number = TEAMS_NUMBER.exec(pattern);
  if (number !== null) return `+${number[1] ?? ''}`;
  const prefix = TEAMS_PREFIX.exec(pattern);
  return prefix === null ? null : `+${prefix[1] ?? ''}*`;
}

const MAPPERS: Record<Exclude<ImportFormat, 'blockline'>, RowMapper> = {
  freepbx,
  zoom,
  '3cx': threeCx,
  yeastar,
  ringcentral,
  close,
  teams,
};

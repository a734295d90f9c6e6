/**
 * The admin command line's CSV import and export (SPEC §13.2). An import reads any format the app
 * recognizes (import-formats.ts), checks each entry as the app does, and creates the rules through the
 * API's bulk service (validation, uniqueness, audit, change log, so running servers push them) in chunks
 * of one transaction each.
 */
import { validateBulkEntries, rulesToCsv } from '../shared/bulk';
import { MAX_BULK_ENTRIES } from '../shared/contracts/api';
import { readImportCsv, type ImportFormat } from '../shared/import-formats';
import { importReportRows, type EntryOutcome } from '../shared/import-report';
import type { RuleCreate, RuleKind } from '../shared/rules';
import { AdminError } from './admin-ops';
import { rulePages } from './org-service';
import { bulkCreateRules } from './rules-service';
import { countryOf, type Actor, type Repository } from './repository';

/**
 * Entries per transaction: the service compares each new rule with those already made in the same call,
 * so a chunk's cost grows with its square; 500 is also what the API takes in one request.
 */
export const IMPORT_CHUNK = MAX_BULK_ENTRIES;

/** Who the audit log names for rules the admin command line imports. */
const CLI_ACTOR: Actor = { id: 'admin-cli', name: 'admin command line' };

export interface ImportSummary {
  format: ImportFormat;
  created: number;
  duplicates: number;
  refused: { row: number; reason: string }[];
}

export interface ImportRequest {
  orgId: string;
  text: string;
  format: ImportFormat | 'auto';
  kind?: RuleKind;
  dryRun: boolean;
}

export async function importRules(store: Repository, request: ImportRequest): Promise<ImportSummary> {
  const org = await store.getOrg(request.orgId);
  if (org === null) throw new AdminError(`org ${request.orgId} does not exist`);
  const reading = readImportCsv(request.text, { format: request.format, kind: request.kind });
  if ('error' in reading) throw new AdminError(reading.error);

  const context = {
    country: countryOf(org.settings),
    lines: (await store.listLines(org.id)).map((line) => line.number),
    nowMs: store.now(),
  };
  const outcomes: (EntryOutcome | undefined)[] = [];
  if (request.dryRun) {
    // Compared with the list as it is, nothing written.
    const checked = validateBulkEntries(reading.entries, {
      ...context,
      existing: await allRules(store, org.id),
    });
    checked.forEach((check, index) => {
      outcomes[index] =
        check.status === 'ok'
          ? { status: 'created', message: 'dry run' }
          : { status: check.status, message: check.message };
    });
  } else {
    // Checked and sent chunk by chunk: the service then finds each number in numbers.ts's cache, and
    // conflicts with the list (and with earlier chunks) inside each chunk's own transaction.
    for (let start = 0; start < reading.entries.length; start += IMPORT_CHUNK) {
      const checked = validateBulkEntries(reading.entries.slice(start, start + IMPORT_CHUNK), context);
      const toSend: { index: number; candidate: RuleCreate }[] = [];
      checked.forEach((check, offset) => {
        if (check.status === 'ok') toSend.push({ index: start + offset, candidate: check.candidate });
        else outcomes[start + offset] = { status: check.status, message: check.message };
      });
      if (toSend.length === 0) continue;
      const results = await bulkCreateRules(
        store,
        org.id,
        toSend.map(({ candidate }) => candidate),
        'import',
        CLI_ACTOR,
      );
      results.forEach((result, position) => {
        const sent = toSend[position];
        if (sent === undefined) return;
        outcomes[sent.index] =
          result.status === 'created'
            ? { status: 'created', message: result.rule.number }
            : { status: result.status, message: result.message };
      });
    }
  }
  return summarize(reading.format, importReportRows(reading, outcomes));
}

function summarize(format: ImportFormat, rows: ReturnType<typeof importReportRows>): ImportSummary {
  const summary: ImportSummary = { format, created: 0, duplicates: 0, refused: [] };
  for (const row of rows) {
    if (row.status === 'created') summary.created += 1;
    else if (row.status === 'already_blocked' || row.status === 'duplicate_in_input') summary.duplicates += 1;
    else summary.refused.push({ row: row.line, reason: row.message === '' ? row.status : row.message });
  }
  return summary;
}

async function allRules(store: Repository, orgId: string) {
  const rules = [];
  for await (const page of rulePages(store, orgId)) rules.push(...page);
  return rules;
}

/** The CSV the app exports (`number,reason,scope,kind,expiresAt`), page by page. */
export async function* exportRules(store: Repository, orgId: string): AsyncGenerator<string> {
  const org = await store.getOrg(orgId);
  if (org === null) throw new AdminError(`org ${orgId} does not exist`);
  let first = true;
  for await (const page of rulePages(store, orgId)) {
    const text = rulesToCsv(page);
    yield first ? text : text.slice(text.indexOf('\r\n') + 2);
    first = false;
  }
  if (first) yield rulesToCsv([]);
}

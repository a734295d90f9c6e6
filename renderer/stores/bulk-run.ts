/**
 * Sending many entries (a paste or a CSV import, SPEC §2.4): each entry is checked locally with the
 * shared validator, the valid ones go to the server in requests of at most 500, and every entry ends with
 * its own outcome tied to the line it came from. Nothing valid is held back by something invalid.
 */
import type { BulkCreateResponse } from '../../shared/contracts/api';
import { MAX_BULK_ENTRIES } from '../../shared/contracts/api';
import {
  escapeCell,
  splitIntoBatches,
  validateBulkEntries,
  type BulkEntry,
  type BulkValidationContext,
} from '../../shared/bulk';
import { extensionNote } from '../../shared/numbers';
import type { RuleCreate } from '../../shared/rules';
import type { WriteOutcome } from '../app/api';

export type BulkOutcomeStatus =
  'created' | 'already_blocked' | 'invalid' | 'emergency' | 'duplicate' | 'failed';

export interface BulkOutcome {
  line: number;
  raw: string;
  status: BulkOutcomeStatus;
  /** Why it was not created, in the validator's or server's words; the created number otherwise. */
  message: string;
}

export interface BulkProgress {
  /** Entries with an outcome so far. */
  done: number;
  total: number;
}

export type SendBatch = (entries: RuleCreate[]) => Promise<WriteOutcome<BulkCreateResponse>>;

export async function runBulk(
  entries: readonly BulkEntry[],
  ctx: BulkValidationContext,
  send: SendBatch,
  onProgress?: (progress: BulkProgress) => void,
  batchSize: number = MAX_BULK_ENTRIES,
  concurrency = 1,
): Promise<BulkOutcome[]> {
  // Each outcome keeps its entry's position so results come back in input order.
  const outcomes: Positioned[] = [];
  const toSend: Pending[] = [];
  validateBulkEntries(entries, ctx).forEach((checked, position) => {
    switch (checked.status) {
      case 'ok':
        toSend.push({
          position,
          line: checked.line,
          raw: checked.raw,
          candidate: checked.candidate,
          note: checked.extension === undefined ? undefined : extensionNote(checked.extension),
        });
        break;
      case 'duplicate_in_input':
        outcomes.push({
          position,
          line: checked.line,
          raw: checked.raw,
          status: 'duplicate',
          message: checked.message,
        });
        break;
      default:
        outcomes.push({
          position,
          line: checked.line,
          raw: checked.raw,
          status: checked.status,
          message: checked.message,
        });
    }
  });
  const total = entries.length;
  onProgress?.({ done: outcomes.length, total });
  const batches = splitIntoBatches(toSend, batchSize);
  let next = 0;
  // One request at a time by default: a busy host or server must not see its queue grow (each request
  // has a timeout); callers may allow more in flight.
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++];
      if (!batch) return;
      outcomes.push(...(await sendBatch(batch, send)));
      onProgress?.({ done: outcomes.length, total });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, worker));
  return outcomes
    .sort((a, b) => a.position - b.position)
    .map(({ position: _position, ...outcome }) => outcome);
}

interface Pending {
  position: number;
  line: number;
  raw: string;
  candidate: RuleCreate;
  /** Shown with the created number, e.g. "extension 2041 ignored" (SPEC §1.1a). */
  note: string | undefined;
}
type Positioned = BulkOutcome & { position: number };

async function sendBatch(batch: Pending[], send: SendBatch): Promise<Positioned[]> {
  const result = await send(batch.map((item) => item.candidate));
  const base = (item: Pending) => ({ position: item.position, line: item.line, raw: item.raw });
  if (!result.ok) return batch.map((item) => ({ ...base(item), status: 'failed', message: result.message }));
  const byIndex = new Map(result.value.results.map((entry) => [entry.index, entry]));
  return batch.map((item, index): Positioned => {
    const entry = byIndex.get(index);
    if (!entry)
      return { ...base(item), status: 'failed', message: 'The server gave no result for this entry' };
    if (entry.status === 'created') {
      const message = item.note === undefined ? entry.rule.number : `${entry.rule.number} (${item.note})`;
      return { ...base(item), status: 'created', message };
    }
    return { ...base(item), status: entry.status, message: entry.message };
  });
}

export function summarize(outcomes: readonly BulkOutcome[]): Record<BulkOutcomeStatus, number> {
  const counts: Record<BulkOutcomeStatus, number> = {
    created: 0,
    already_blocked: 0,
    invalid: 0,
    emergency: 0,
    duplicate: 0,
    failed: 0,
  };
  for (const outcome of outcomes) counts[outcome.status] += 1;
  return counts;
}

/** The per-line error report an import offers to download. */
export function errorReportCsv(outcomes: readonly BulkOutcome[]): string {
  // Every cell the way the CSV export writes it: a spreadsheet does not run `=HYPERLINK(…)` from here.
  const quote = (text: string) => {
    const value = escapeCell(text);
    return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
  };
  const rows = outcomes
    .filter((outcome) => outcome.status !== 'created')
    .map((outcome) =>
      [String(outcome.line), quote(outcome.raw), outcome.status, quote(outcome.message)].join(','),
    );
  return ['line,number,status,message', ...rows].join('\r\n') + '\r\n';
}

export const STATUS_LABELS: Record<BulkOutcomeStatus, string> = {
  created: 'Created',
  already_blocked: 'Already blocked',
  invalid: 'Invalid',
  emergency: 'Emergency number, refused',
  duplicate: 'Duplicate in this input',
  failed: 'Not saved',
};

/**
 * Sending many entries (a paste or a CSV import, SPEC §2.4): each entry is checked locally with the
 * shared validator, the valid ones go to the server in requests of at most 500, and every entry ends with
 * its own outcome tied to the line it came from. Nothing valid is held back by something invalid.
 */
import type { BulkCreateResponse } from '../../shared/contracts/api';
import { MAX_BULK_ENTRIES } from '../../shared/contracts/api';
import { splitIntoBatches, validateBulkEntries, type BulkEntry, type BulkValidationContext } from '../../shared/bulk';
import type { RuleCreate } from '../../shared/rules';
import type { WriteOutcome } from '../app/api';

export type BulkOutcomeStatus = 'created' | 'already_blocked' | 'invalid' | 'emergency' | 'duplicate' | 'failed';

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
): Promise<BulkOutcome[]> {
  const outcomes: BulkOutcome[] = [];
  const toSend: { line: number; raw: string; candidate: RuleCreate }[] = [];
  for (const checked of validateBulkEntries(entries, ctx)) {
    switch (checked.status) {
      case 'ok':
        toSend.push({ line: checked.line, raw: checked.raw, candidate: checked.candidate });
        break;
      case 'duplicate_in_input':
        outcomes.push({ line: checked.line, raw: checked.raw, status: 'duplicate', message: checked.message });
        break;
      default:
        outcomes.push({ line: checked.line, raw: checked.raw, status: checked.status, message: checked.message });
    }
  }
  const total = entries.length;
  onProgress?.({ done: outcomes.length, total });
  for (const batch of splitIntoBatches(toSend, batchSize)) {
    const result = await send(batch.map((item) => item.candidate));
    if (!result.ok) {
      for (const item of batch) outcomes.push({ line: item.line, raw: item.raw, status: 'failed', message: result.message });
    } else {
      const byIndex = new Map(result.value.results.map((entry) => [entry.index, entry]));
      batch.forEach((item, index) => {
        const entry = byIndex.get(index);
        if (!entry) {
          outcomes.push({ line: item.line, raw: item.raw, status: 'failed', message: 'The server gave no result for this entry' });
        } else if (entry.status === 'created') {
          outcomes.push({ line: item.line, raw: item.raw, status: 'created', message: entry.rule.number });
        } else {
          outcomes.push({ line: item.line, raw: item.raw, status: entry.status, message: entry.message });
        }
      });
    }
    onProgress?.({ done: outcomes.length, total });
  }
  return outcomes.sort((a, b) => a.line - b.line);
}

export function summarize(outcomes: readonly BulkOutcome[]): Record<BulkOutcomeStatus, number> {
  const counts: Record<BulkOutcomeStatus, number> = { created: 0, already_blocked: 0, invalid: 0, emergency: 0, duplicate: 0, failed: 0 };
  for (const outcome of outcomes) counts[outcome.status] += 1;
  return counts;
}

/** The per-line error report an import offers to download. */
export function errorReportCsv(outcomes: readonly BulkOutcome[]): string {
  const quote = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  const rows = outcomes
    .filter((outcome) => outcome.status !== 'created')
    .map((outcome) => [String(outcome.line), quote(outcome.raw), outcome.status, quote(outcome.message)].join(','));
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

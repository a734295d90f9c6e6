import type { BulkCreateResponse, Line } from '../../shared/contracts/api';
import type { Rule, RuleCreateInput } from '../../shared/rules';
import type { WriteOutcome } from '../app/api';
import { STATUS_LABELS, summarize, type BulkOutcome } from '../stores/bulk-run';

/** Counts per outcome, e.g. "3 created · 1 already blocked · 2 invalid". */
export function BulkSummary({ outcomes }: { outcomes: readonly BulkOutcome[] }) {
  const counts = summarize(outcomes);
  const parts = (Object.keys(counts) as (keyof typeof counts)[])
    .filter((status) => counts[status] > 0)
    .map((status) => `${counts[status].toLocaleString('en-US')} ${STATUS_LABELS[status].toLowerCase()}`);
  return (
    <p className="bl-bulk-summary" role="status" data-testid="bulk-summary">
      {parts.join(' · ') || 'Nothing to add'}
    </p>
  );
}

/** What both ways of adding many rules (paste, CSV) are given. */
export interface BulkDialogProps {
  open: boolean;
  onClose(): void;
  country: string;
  lines: readonly Line[];
  /** The rules already in the list: numbers that are there are reported without a round trip. */
  existing: readonly Rule[];
  disabledReason: string | null;
  onSend(entries: RuleCreateInput[]): Promise<WriteOutcome<BulkCreateResponse>>;
}

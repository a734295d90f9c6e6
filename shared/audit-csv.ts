/** The audit view's CSV export: one row per entry, each cell a spreadsheet would run as a formula guarded. */
import Papa from 'papaparse';
import { auditSummary, describeAction } from './audit-diff';
import { escapeCell } from './bulk';
import type { AuditListEntry } from './contracts/oversight';

export const AUDIT_CSV_COLUMNS = ['at', 'person', 'action', 'what', 'number', 'target', 'changes'] as const;

export function auditToCsv(entries: Iterable<AuditListEntry>): string {
  const rows: string[][] = [];
  for (const entry of entries) {
    rows.push(
      [
        entry.at,
        entry.actor?.name ?? 'System',
        entry.action,
        describeAction(entry.action),
        entry.number ?? '',
        entry.target ?? '',
        auditSummary(entry),
      ].map(escapeCell),
    );
  }
  const header = AUDIT_CSV_COLUMNS.join(',');
  if (rows.length === 0) return `${header}\r\n`;
  return `${header}\r\n${Papa.unparse(rows, { newline: '\r\n', header: false, escapeFormulae: false })}\r\n`;
}

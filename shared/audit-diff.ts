/**
 * An audit entry in words (SPEC §12.1): what happened, and each field that changed as
 * "reason 'spam' → 'robocaller'". Shared by the audit view and its CSV export.
 */
import type { AuditListEntry } from './contracts/oversight';

export interface FieldChange {
  field: string;
  before: string | null;
  after: string | null;
}

const ACTION_WORDS: Record<string, string> = {
  'rule.created': 'Added a rule',
  'rule.auto_created': 'Auto-blocked',
  'rule.updated': 'Edited a rule',
  'rule.deleted': 'Deleted a rule',
  'rule.expired': 'Rule expired',
  'settings.updated': 'Changed settings',
  'line.updated': 'Changed a line',
  'line.added': 'Added a line',
  'user.updated': 'Changed a person',
  'user.invited': 'Invited a person',
  'user.joined': 'Joined by invite',
  'token.revoked': 'Revoked a device',
};

/** "Edited a rule", or the action itself when it has no words yet. */
export function describeAction(action: string): string {
  return ACTION_WORDS[action] ?? action;
}

/** Fields that change on their own and say nothing to a reader. */
const NOISE = new Set(['updatedAt', 'hitCount', 'lastHitAt', 'revision']);

function show(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function flatten(value: unknown, prefix: string, into: Map<string, unknown>): void {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) {
      if (!NOISE.has(key)) flatten(inner, prefix === '' ? key : `${prefix}.${key}`, into);
    }
  } else if (prefix !== '') into.set(prefix, value);
}

/** The fields that differ between before and after (all of one side when the other is absent). */
export function auditChanges(entry: Pick<AuditListEntry, 'before' | 'after'>): FieldChange[] {
  const before = new Map<string, unknown>();
  const after = new Map<string, unknown>();
  flatten(entry.before, '', before);
  flatten(entry.after, '', after);
  const fields = [...new Set([...before.keys(), ...after.keys()])];
  const changes: FieldChange[] = [];
  for (const field of fields) {
    const was = show(before.get(field));
    const is = show(after.get(field));
    if (was !== is) changes.push({ field, before: was, after: is });
  }
  return changes;
}

/** One line for a change: "reason 'spam' → 'robocaller'", "expiresAt set to '…'", "reason was 'spam'". */
export function describeChange(change: FieldChange): string {
  if (change.before === null) return `${change.field} '${change.after ?? ''}'`;
  if (change.after === null) return `${change.field} was '${change.before}'`;
  return `${change.field} '${change.before}' → '${change.after}'`;
}

/** A created or deleted rule says what it was; an edit says only what changed. */
export function auditSummary(entry: Pick<AuditListEntry, 'before' | 'after'>): string {
  const changes = auditChanges(entry);
  if (entry.before !== null && entry.after !== null) return changes.map(describeChange).join('; ');
  const shown = changes.filter((change) =>
    ['number', 'label', 'reason', 'kind', 'scope', 'expiresAt', 'role', 'name'].includes(change.field),
  );
  return (shown.length > 0 ? shown : changes).map(describeChange).join('; ');
}

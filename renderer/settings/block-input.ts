import { REASON_MAX_LENGTH } from '../../shared/rules';
import { expiryFromChoice, type ExpiryChoice } from './expiry';

export type ReasonCheck = { ok: true; reason: string } | { ok: false; message: string };

/**
 * The reason as it is sent (trimmed), or what is wrong with it. `emptyMessage` says why one is needed
 * where "required" alone would not help (asking a lead, who decides on it).
 */
export function checkReason(reason: string, emptyMessage = 'A reason is required'): ReasonCheck {
  const trimmed = reason.trim();
  if (trimmed === '') return { ok: false, message: emptyMessage };
  if (trimmed.length > REASON_MAX_LENGTH)
    return { ok: false, message: `The reason must be at most ${REASON_MAX_LENGTH} characters` };
  return { ok: true, reason: trimmed };
}

export type BlockInputCheck =
  { ok: true; reason: string; expiresAt: string | null } | { ok: false; message: string };

/**
 * A quick block (SPEC §7.1a, and a lead approving a request): the reason, then the expiry of one of
 * the quick choices (no date), counted from `nowMs`. The first problem is the one the form shows.
 */
export function checkBlockInput(reason: string, expiry: ExpiryChoice, nowMs: number): BlockInputCheck {
  const checked = checkReason(reason);
  if (!checked.ok) return checked;
  const expiresAt = expiryFromChoice(expiry, '', nowMs);
  if (!expiresAt.ok) return expiresAt;
  return { ok: true, reason: checked.reason, expiresAt: expiresAt.expiresAt };
}

/** Rules as the phone and lab tests give them to the decision: what a lead adds by hand. */
import type { Rule } from '../../shared/rules';

/**
 * A rule added by hand just now that never matched a call: a block for every line unless `overrides`
 * say otherwise. Its id is `rule-<kind>-<number>`, so a list may hold a block and an exception alike.
 */
export function manualRule(number: string, overrides: Partial<Rule> = {}): Rule {
  const now = new Date().toISOString();
  const kind = overrides.kind ?? 'block';
  return {
    id: `rule-${kind}-${number}`,
    kind,
    number,
    scope: 'all',
    reason: 'test',
    expiresAt: null,
    source: 'manual',
    createdBy: 'test',
    createdAt: now,
    updatedAt: now,
    hitCount: 0,
    lastHitAt: null,
    ...overrides,
  };
}

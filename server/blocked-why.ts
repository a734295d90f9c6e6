/** The dashboard's category for a blocked call (SPEC §12.2), from the app's why and the rule it matched. */
import type { BlockedWhy } from '../shared/contracts/oversight';

export interface RuleFacts {
  number: string;
  source: string;
}

export function blockedWhyFrom(why: string, rule: RuleFacts | undefined): BlockedWhy {
  if (why === 'anonymous') return 'anonymous';
  if (why === 'failed_verification') return 'verification';
  if (rule === undefined) return 'unknown';
  if (rule.source === 'auto') return 'auto';
  return rule.number.endsWith('*') ? 'prefix' : 'number';
}

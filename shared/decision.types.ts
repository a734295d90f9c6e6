import type { CallerIdentity } from './identity.types';
import type { Rule } from './rules';

export type CallDirection = 'inbound' | 'outbound';

/** A call to judge. `line` is the E.164 number of the line the call arrives on / leaves from, if known. */
export type CallToDecide =
  | { direction: 'inbound'; line: string | null; caller: CallerIdentity }
  | { direction: 'outbound'; line: string | null; dialed: string };

export interface DecisionClock {
  nowMs: number;
  /** When this machine last placed an emergency call (SPEC §1.4), or null. */
  lastEmergencyCallAtMs: number | null;
}

export type Verdict =
  | { action: 'allow'; why: 'no_match' }
  | { action: 'allow'; why: 'exception'; rule: Rule }
  | { action: 'allow'; why: 'emergency' }
  | { action: 'allow'; why: 'callback_window'; untilMs: number }
  | { action: 'allow'; why: 'not_a_number' }
  | { action: 'allow'; why: 'decision_failed'; error: string }
  | { action: 'block'; why: 'rule'; rule: Rule }
  | { action: 'block'; why: 'anonymous' }
  | { action: 'block'; why: 'failed_verification' };

export type VerdictWhy = Verdict['why'];

export interface Decision {
  verdict: Verdict;
  /** The remote number in E.164 when there is one. */
  number: string | null;
  /** One sentence for people: which rule or policy decided, and why. */
  explanation: string;
}

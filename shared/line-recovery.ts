/**
 * When a SIP line re-registers (SPEC §10.6): after its WebSocket drops it retries on the shared backoff
 * (exponential, capped, jittered, so a proxy restart is not met by every agent at once); when the
 * network comes back (`online`) or the computer wakes (the desktop's resume event) it does not wait out
 * the backoff — it tries at once, from the first step again. Pure: the phone line asks, and acts.
 */
import { backoffDelay, type BackoffOptions } from './backoff';

export type RecoveryEvent = 'transport-lost' | 'online' | 'resume';

export type LineRegistration =
  'stopped' | 'connecting' | 'registering' | 'registered' | 'unregistered' | 'failed';

export type RecoveryAction =
  /** Reconnect the WebSocket now and register (attempts start over). */
  | { kind: 'reconnect-now' }
  /** The socket may be fine: send REGISTER again now (a sleep can outlast the registration). */
  | { kind: 'register-now' }
  /** Try again after `delayMs`. */
  | { kind: 'retry-later'; delayMs: number }
  | { kind: 'nothing' };

export const LINE_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 30_000 };

export function recoveryAction(
  event: RecoveryEvent,
  line: { status: LineRegistration; failedAttempts: number },
  random: () => number,
  backoff: BackoffOptions = LINE_BACKOFF,
): RecoveryAction {
  if (line.status === 'stopped') return { kind: 'nothing' };
  switch (event) {
    case 'transport-lost':
      return { kind: 'retry-later', delayMs: backoffDelay(line.failedAttempts, random, backoff) };
    case 'online':
    case 'resume':
      // A registered line registers again (its address may have changed, or the registration lapsed
      // during sleep); a line still trying skips the rest of its wait.
      return line.status === 'registered' ? { kind: 'register-now' } : { kind: 'reconnect-now' };
  }
}

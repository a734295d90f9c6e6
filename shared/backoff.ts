/**
 * Reconnect delays: exponential growth, capped, with "full jitter" (a uniformly random delay up to the
 * exponential bound) so a server restart is not met by every app reconnecting in the same instant.
 */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 30_000 };

/** `attempt` counts failures in a row from 0; `random` returns a number in [0, 1). */
export function backoffDelay(
  attempt: number,
  random: () => number,
  options: BackoffOptions = DEFAULT_BACKOFF,
): number {
  const safeAttempt = Math.max(0, Math.min(attempt, 30));
  const bound = Math.min(options.capMs, options.baseMs * 2 ** safeAttempt);
  // Never zero: a tight reconnect loop against a dead server helps nobody.
  const floor = Math.min(options.baseMs / 2, bound);
  return Math.round(floor + random() * (bound - floor));
}

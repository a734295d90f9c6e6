import { describe, expect, it } from 'vitest';
import { recoveryAction, LINE_BACKOFF } from '../../shared/line-recovery';

const at = (value: number) => () => value;

describe('line recovery policy (SPEC §10.6)', () => {
  it('after the socket drops: retries on a jittered, growing, capped backoff', () => {
    const first = recoveryAction('transport-lost', { status: 'connecting', failedAttempts: 0 }, at(0));
    const firstMax = recoveryAction(
      'transport-lost',
      { status: 'connecting', failedAttempts: 0 },
      at(1 - 1e-9),
    );
    expect(first).toEqual({ kind: 'retry-later', delayMs: LINE_BACKOFF.baseMs / 2 });
    expect(firstMax).toEqual({ kind: 'retry-later', delayMs: LINE_BACKOFF.baseMs });
    const later = recoveryAction('transport-lost', { status: 'connecting', failedAttempts: 3 }, at(1 - 1e-9));
    expect(later).toEqual({ kind: 'retry-later', delayMs: 4000 });
    const capped = recoveryAction(
      'transport-lost',
      { status: 'connecting', failedAttempts: 50 },
      at(1 - 1e-9),
    );
    expect(capped).toEqual({ kind: 'retry-later', delayMs: LINE_BACKOFF.capMs });
    // Two agents with different draws do not reconnect in the same instant.
    const a = recoveryAction('transport-lost', { status: 'connecting', failedAttempts: 4 }, at(0.1));
    const b = recoveryAction('transport-lost', { status: 'connecting', failedAttempts: 4 }, at(0.7));
    expect(a).not.toEqual(b);
  });

  it('online: a line still trying goes now; a registered one registers again (its address may have changed)', () => {
    expect(recoveryAction('online', { status: 'connecting', failedAttempts: 6 }, at(0.5))).toEqual({
      kind: 'reconnect-now',
    });
    expect(recoveryAction('online', { status: 'failed', failedAttempts: 0 }, at(0.5))).toEqual({
      kind: 'reconnect-now',
    });
    expect(recoveryAction('online', { status: 'registered', failedAttempts: 0 }, at(0.5))).toEqual({
      kind: 'register-now',
    });
  });

  it('resume from sleep: a registered line registers again at once, others reconnect; a stopped line stays', () => {
    expect(recoveryAction('resume', { status: 'registered', failedAttempts: 0 }, at(0.5))).toEqual({
      kind: 'register-now',
    });
    expect(recoveryAction('resume', { status: 'unregistered', failedAttempts: 2 }, at(0.5))).toEqual({
      kind: 'reconnect-now',
    });
    expect(recoveryAction('resume', { status: 'stopped', failedAttempts: 0 }, at(0.5))).toEqual({
      kind: 'nothing',
    });
  });
});

import { describe, expect, it } from 'vitest';
import { REASON_MAX_LENGTH } from '../../shared/rules';
import { checkBlockInput, checkReason } from '../../renderer/settings/block-input';

const NOW = Date.parse('2026-03-02T14:05:00.000Z');
const DAY_MS = 24 * 60 * 60 * 1000;

describe('the reason of a block form', () => {
  it('is sent trimmed, up to the limit', () => {
    const longest = 'x'.repeat(REASON_MAX_LENGTH);
    expect(checkReason(`  ${longest}  `)).toEqual({ ok: true, reason: longest });
    expect(checkReason(' Rude to agents ')).toEqual({ ok: true, reason: 'Rude to agents' });
  });

  it('is required, in the form’s own words when it gives them', () => {
    expect(checkReason('   ')).toEqual({ ok: false, message: 'A reason is required' });
    expect(checkReason('', 'Say why, so the lead can decide')).toEqual({
      ok: false,
      message: 'Say why, so the lead can decide',
    });
  });

  it('is refused one character past the limit', () => {
    expect(checkReason('x'.repeat(REASON_MAX_LENGTH + 1))).toEqual({
      ok: false,
      message: `The reason must be at most ${REASON_MAX_LENGTH} characters`,
    });
  });
});

describe('a quick block (reason and expiry)', () => {
  it('counts the expiry from now: 1, 7 or 30 days, or never', () => {
    expect(checkBlockInput('Spam', 'never', NOW)).toEqual({ ok: true, reason: 'Spam', expiresAt: null });
    for (const [choice, days] of [
      ['1d', 1],
      ['7d', 7],
      ['30d', 30],
    ] as const) {
      expect(checkBlockInput(' Spam ', choice, NOW)).toEqual({
        ok: true,
        reason: 'Spam',
        expiresAt: new Date(NOW + days * DAY_MS).toISOString(),
      });
    }
  });

  it('says what is wrong with the reason before anything else', () => {
    expect(checkBlockInput('', '7d', NOW)).toEqual({ ok: false, message: 'A reason is required' });
  });
});

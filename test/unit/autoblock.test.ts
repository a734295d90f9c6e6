import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { autoBlockCandidates, evaluateAutoBlock, isWithinWorkingHours } from '../../shared/autoblock';
import { localWeekdayAndTime } from '../../shared/local-time';
import type { CallAttempt } from '../../shared/autoblock';
import { buildRuleIndex } from '../../shared/decision';
import type { Rule } from '../../shared/rules';
import { defaultOrgSettings } from '../../shared/settings';
import type { AutoBlockSettings } from '../../shared/settings';

const CALLER = '+12125551234';
/** Saturday 2026-03-07 03:00 in New York (08:00 UTC): outside working hours. */
const SATURDAY_NIGHT = Date.parse('2026-03-07T08:00:00Z');
/** Tuesday 2026-03-03 10:00 in New York (15:00 UTC): inside working hours. */
const TUESDAY_MORNING = Date.parse('2026-03-03T15:00:00Z');

function autoBlock(overrides: Partial<AutoBlockSettings> = {}): AutoBlockSettings {
  return { ...defaultOrgSettings('US', 'America/New_York').autoBlock, enabled: true, ...overrides };
}

/** `count` distinct attempts from `number`, one a minute ending at `endMs`. */
function attempts(count: number, endMs: number, number = CALLER, prefix = 'call'): CallAttempt[] {
  return Array.from({ length: count }, (_, i) => ({
    callId: `${prefix}-${number}-${i}`,
    number,
    at: new Date(endMs - (count - 1 - i) * 50_000).toISOString(),
    direction: 'inbound' as const,
    anonymous: false,
  }));
}

function rule(number: string, overrides: Partial<Rule> = {}): Rule {
  return {
    id: `r-${number}`,
    kind: 'block',
    number,
    scope: 'all',
    reason: 'x',
    expiresAt: null,
    source: 'manual',
    createdBy: 'u',
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    hitCount: 0,
    lastHitAt: null,
    ...overrides,
  };
}

describe('evaluateAutoBlock (SPEC §4)', () => {
  it('proposes a block on all lines after N attempts within M minutes outside working hours', () => {
    const proposal = evaluateAutoBlock(attempts(5, SATURDAY_NIGHT), autoBlock(), SATURDAY_NIGHT, []);
    expect(proposal).toEqual({
      number: CALLER,
      scope: 'all',
      kind: 'block',
      source: 'auto',
      reason: 'Auto-blocked: 5 calls within 5 minutes outside working hours',
      expiresAt: null,
      attempts: 5,
    });
  });

  it('needs the threshold', () => {
    expect(evaluateAutoBlock(attempts(4, SATURDAY_NIGHT), autoBlock(), SATURDAY_NIGHT, [])).toBeNull();
    expect(
      evaluateAutoBlock(attempts(3, SATURDAY_NIGHT), autoBlock({ threshold: 3 }), SATURDAY_NIGHT, []),
    ).not.toBeNull();
  });

  it('does nothing when disabled', () => {
    expect(
      evaluateAutoBlock(attempts(10, SATURDAY_NIGHT), autoBlock({ enabled: false }), SATURDAY_NIGHT, []),
    ).toBeNull();
  });

  it('counts one caller attempt seen by 3 agents once', () => {
    const seen = attempts(4, SATURDAY_NIGHT);
    const threeAgents = [
      ...seen,
      ...seen.map((report) => ({ ...report })),
      ...seen.map((report) => ({ ...report })),
    ];
    expect(evaluateAutoBlock(threeAgents, autoBlock(), SATURDAY_NIGHT, [])).toBeNull();
    const fifth = attempts(5, SATURDAY_NIGHT).slice(4);
    expect(
      evaluateAutoBlock([...threeAgents, ...fifth, ...fifth], autoBlock(), SATURDAY_NIGHT, []),
    ).toMatchObject({ attempts: 5 });
  });

  it('only counts attempts within the window', () => {
    const spread = attempts(5, SATURDAY_NIGHT).map((report, i) => ({
      ...report,
      at: SATURDAY_NIGHT - i * 2 * 60_000,
    }));
    // Attempts at 0, 2, 4, 6, 8 minutes ago: only three fall within 5 minutes.
    expect(evaluateAutoBlock(spread, autoBlock(), SATURDAY_NIGHT, [])).toBeNull();
    expect(evaluateAutoBlock(spread, autoBlock({ windowMinutes: 10 }), SATURDAY_NIGHT, [])).toMatchObject({
      reason: 'Auto-blocked: 5 calls within 10 minutes outside working hours',
    });
  });

  it('ignores attempts in working hours when outsideWorkingHoursOnly is on, and counts them when off', () => {
    const busy = attempts(6, TUESDAY_MORNING);
    expect(evaluateAutoBlock(busy, autoBlock(), TUESDAY_MORNING, [])).toBeNull();
    expect(
      evaluateAutoBlock(busy, autoBlock({ outsideWorkingHoursOnly: false }), TUESDAY_MORNING, []),
    ).toMatchObject({
      reason: 'Auto-blocked: 6 calls within 5 minutes',
    });
  });

  it('ignores outbound, anonymous and number-less reports', () => {
    const noise = attempts(5, SATURDAY_NIGHT).flatMap((report): CallAttempt[] => [
      { ...report, direction: 'outbound' },
      { ...report, callId: `${report.callId}-a`, anonymous: true },
      { ...report, callId: `${report.callId}-n`, number: null },
      { ...report, callId: `${report.callId}-bad`, number: 'not a number' },
    ]);
    expect(evaluateAutoBlock(noise, autoBlock(), SATURDAY_NIGHT, [])).toBeNull();
  });

  it('never proposes a number already blocked or excepted on all lines', () => {
    const reports = attempts(5, SATURDAY_NIGHT);
    expect(evaluateAutoBlock(reports, autoBlock(), SATURDAY_NIGHT, [rule(CALLER)])).toBeNull();
    expect(evaluateAutoBlock(reports, autoBlock(), SATURDAY_NIGHT, [rule('+1212*')])).toBeNull();
    expect(
      evaluateAutoBlock(reports, autoBlock(), SATURDAY_NIGHT, [rule(CALLER, { kind: 'allow' })]),
    ).toBeNull();
    expect(
      evaluateAutoBlock(reports, autoBlock(), SATURDAY_NIGHT, buildRuleIndex([rule(CALLER)])),
    ).toBeNull();
    // A line-only rule or an expired one does not stop it.
    expect(
      evaluateAutoBlock(reports, autoBlock(), SATURDAY_NIGHT, [rule(CALLER, { scope: '+12125550100' })]),
    ).not.toBeNull();
    const expired = rule(CALLER, { expiresAt: new Date(SATURDAY_NIGHT - 1).toISOString() });
    expect(evaluateAutoBlock(reports, autoBlock(), SATURDAY_NIGHT, [expired])).not.toBeNull();
  });

  it('never proposes a short code such as an emergency number', () => {
    const reports = attempts(5, SATURDAY_NIGHT).map((report) => ({ ...report, number: '911' }));
    expect(evaluateAutoBlock(reports, autoBlock(), SATURDAY_NIGHT, [])).toBeNull();
  });

  it('lists every qualifying number, most attempts first', () => {
    const reports = [
      ...attempts(5, SATURDAY_NIGHT, '+13105550000'),
      ...attempts(7, SATURDAY_NIGHT, '+14155550000'),
    ];
    expect(
      autoBlockCandidates(reports, autoBlock({ windowMinutes: 10 }), SATURDAY_NIGHT, []).map((p) => [
        p.number,
        p.attempts,
      ]),
    ).toEqual([
      ['+14155550000', 7],
      ['+13105550000', 5],
    ]);
  });

  it('never throws on junk input', () => {
    fc.assert(
      fc.property(fc.array(fc.anything(), { maxLength: 20 }), fc.anything(), (reports, settings) => {
        expect(() =>
          evaluateAutoBlock(reports as CallAttempt[], settings as AutoBlockSettings, SATURDAY_NIGHT, []),
        ).not.toThrow();
      }),
    );
  });
});

describe('working hours in the org time zone', () => {
  const settings = autoBlock();

  it('reads weekday and time in the zone', () => {
    expect(localWeekdayAndTime(TUESDAY_MORNING, 'America/New_York')).toEqual({
      weekday: 'tue',
      time: '10:00',
    });
    expect(localWeekdayAndTime(Date.parse('2026-03-03T04:30:00Z'), 'America/New_York')).toEqual({
      weekday: 'mon',
      time: '23:30',
    });
    expect(localWeekdayAndTime(Date.parse('2026-03-03T00:00:00Z'), 'Asia/Kolkata')).toEqual({
      weekday: 'tue',
      time: '05:30',
    });
  });

  it('start is inclusive, end exclusive, weekends closed', () => {
    expect(isWithinWorkingHours(Date.parse('2026-03-03T14:00:00Z'), settings)).toBe(true); // 09:00 EST
    expect(isWithinWorkingHours(Date.parse('2026-03-03T13:59:00Z'), settings)).toBe(false); // 08:59
    expect(isWithinWorkingHours(Date.parse('2026-03-03T22:00:00Z'), settings)).toBe(false); // 17:00
    expect(isWithinWorkingHours(Date.parse('2026-03-07T16:00:00Z'), settings)).toBe(false); // Saturday 11:00
  });

  it('follows the March DST change in America/New_York', () => {
    // Monday 2026-03-09, the day after clocks went forward: 09:00 EDT is 13:00 UTC (it was 14:00 UTC the week before).
    expect(isWithinWorkingHours(Date.parse('2026-03-09T13:00:00Z'), settings)).toBe(true);
    expect(isWithinWorkingHours(Date.parse('2026-03-02T13:00:00Z'), settings)).toBe(false);
    expect(isWithinWorkingHours(Date.parse('2026-03-09T21:00:00Z'), settings)).toBe(false); // 17:00 EDT
    expect(isWithinWorkingHours(Date.parse('2026-03-02T21:00:00Z'), settings)).toBe(true); // 16:00 EST
  });

  it('follows the November DST change in America/New_York', () => {
    // Monday 2026-11-02, the day after clocks went back: 09:00 EST is 14:00 UTC (13:00 UTC the week before).
    expect(isWithinWorkingHours(Date.parse('2026-11-02T14:00:00Z'), settings)).toBe(true);
    expect(isWithinWorkingHours(Date.parse('2026-11-02T13:30:00Z'), settings)).toBe(false);
    expect(isWithinWorkingHours(Date.parse('2026-10-26T13:30:00Z'), settings)).toBe(true);
  });

  it('counts an attempt on a DST weekend night by its local time', () => {
    // Sunday 2026-11-01 01:30 happens twice in New York; both are on a closed Sunday.
    const first = Date.parse('2026-11-01T05:30:00Z');
    const second = Date.parse('2026-11-01T06:30:00Z');
    expect(localWeekdayAndTime(first, 'America/New_York')).toEqual({ weekday: 'sun', time: '01:30' });
    expect(localWeekdayAndTime(second, 'America/New_York')).toEqual({ weekday: 'sun', time: '01:30' });
    const reports = [...attempts(3, first, CALLER, 'a'), ...attempts(2, second, CALLER, 'b')];
    expect(evaluateAutoBlock(reports, autoBlock({ windowMinutes: 70 }), second, [])).toMatchObject({
      attempts: 5,
    });
  });
});

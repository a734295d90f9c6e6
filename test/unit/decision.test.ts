import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildRuleIndex, decide, findMatchingRule, testNumber } from '../../shared/decision';
import type { CallToDecide, DecisionClock } from '../../shared/decision.types';
import { ALWAYS_EMERGENCY_CODES, emergencyCodesFor } from '../../shared/emergency';
import type { CallerIdentity, CallerVerification } from '../../shared/identity.types';
import { isExpired, isPrefix, prefixBody } from '../../shared/rules';
import type { Rule, RuleKind, RuleScope } from '../../shared/rules';
import { defaultOrgSettings } from '../../shared/settings';
import type { OrgSettings } from '../../shared/settings';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const CLOCK: DecisionClock = { nowMs: NOW, lastEmergencyCallAtMs: null };
const LINE_A = '+12125550100';
const LINE_B = '+12125550200';

let nextId = 0;
function rule(number: string, overrides: Partial<Rule> = {}): Rule {
  nextId += 1;
  return {
    id: `r${nextId}`,
    kind: 'block',
    number,
    scope: 'all',
    reason: `reason for ${number}`,
    expiresAt: null,
    source: 'manual',
    createdBy: 'u1',
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    hitCount: 0,
    lastHitAt: null,
    ...overrides,
  };
}

function settings(overrides: Partial<OrgSettings> = {}): OrgSettings {
  return { ...defaultOrgSettings('US'), ...overrides };
}

function caller(
  e164: string,
  extra: { withheld?: boolean; verification?: CallerVerification | null } = {},
): CallerIdentity {
  return {
    kind: 'number',
    e164,
    withheld: extra.withheld ?? false,
    verification: extra.verification ?? null,
  };
}

function inbound(identity: CallerIdentity, line: string | null = LINE_A): CallToDecide {
  return { direction: 'inbound', line, caller: identity };
}

/** The same object, except that reading `property` throws: a stand-in for corrupted state. */
function unreadable<T extends object>(target: T, property: keyof T, message: string): T {
  return new Proxy(target, {
    get(object, key, receiver) {
      if (key === property) throw new Error(message);
      return Reflect.get(object, key, receiver);
    },
  });
}

const FAILED: CallerVerification = { verstat: 'TN-Validation-Failed', attestation: null };

describe('decide: examples', () => {
  const index = buildRuleIndex([
    rule('+12125551234', { reason: 'Harassing caller' }),
    rule('+1900*', { reason: 'Premium rate' }),
    rule('+19005550000', { kind: 'allow', reason: 'Our own hotline' }),
    rule('+13105550000', { scope: LINE_B, reason: 'Only on line B' }),
    rule('+14155550000', { expiresAt: new Date(NOW - 1).toISOString(), reason: 'Expired' }),
    rule('+14155550001', { expiresAt: new Date(NOW + 60_000).toISOString(), reason: 'Temporary' }),
  ]);

  it('blocks a listed number inbound and outbound, naming the rule and reason', () => {
    const decision = decide(inbound(caller('+12125551234')), index, settings(), CLOCK);
    expect(decision.verdict).toMatchObject({
      action: 'block',
      why: 'rule',
      rule: { number: '+12125551234' },
    });
    expect(decision.number).toBe('+12125551234');
    expect(decision.explanation).toContain('+12125551234');
    expect(decision.explanation).toContain('Harassing caller');
    const outbound = decide(
      { direction: 'outbound', line: LINE_A, dialed: '(212) 555-1234' },
      index,
      settings(),
      CLOCK,
    );
    expect(outbound.verdict).toMatchObject({ action: 'block', why: 'rule' });
    expect(outbound.number).toBe('+12125551234');
  });

  it('carries its explanation through JSON, spread and structured clone', () => {
    const decision = decide(inbound(caller('+12125551234')), index, settings(), CLOCK);
    const expected =
      'Calls from +12125551234 are blocked by the rule +12125551234 on all lines (reason: “Harassing caller”).';
    expect(JSON.parse(JSON.stringify(decision)).explanation).toBe(expected);
    expect({ ...decision }.explanation).toBe(expected);
    expect(structuredClone(decision).explanation).toBe(expected);
    expect(Object.keys(decision)).toEqual(['verdict', 'number', 'explanation']);
  });

  it('blocks by prefix, and an exception inside the prefix wins', () => {
    expect(decide(inbound(caller('+19005551111')), index, settings(), CLOCK).verdict).toMatchObject({
      action: 'block',
      rule: { number: '+1900*' },
    });
    const excepted = decide(inbound(caller('+19005550000')), index, settings(), CLOCK);
    expect(excepted.verdict).toMatchObject({
      action: 'allow',
      why: 'exception',
      rule: { reason: 'Our own hotline' },
    });
    expect(excepted.explanation).toContain('Our own hotline');
  });

  it('applies line rules only on their line', () => {
    expect(decide(inbound(caller('+13105550000'), LINE_B), index, settings(), CLOCK).verdict.action).toBe(
      'block',
    );
    expect(decide(inbound(caller('+13105550000'), LINE_A), index, settings(), CLOCK).verdict).toEqual({
      action: 'allow',
      why: 'no_match',
    });
    expect(decide(inbound(caller('+13105550000'), null), index, settings(), CLOCK).verdict.action).toBe(
      'allow',
    );
  });

  it('judges expiry at the call, without a rebuild', () => {
    expect(decide(inbound(caller('+14155550000')), index, settings(), CLOCK).verdict.action).toBe('allow');
    expect(decide(inbound(caller('+14155550001')), index, settings(), CLOCK).verdict.action).toBe('block');
    const later = { nowMs: NOW + 60_000, lastEmergencyCallAtMs: null };
    expect(decide(inbound(caller('+14155550001')), index, settings(), later).verdict.action).toBe('allow');
  });

  it('blocks anonymous callers only with blockAnonymous', () => {
    const anonymous = inbound({ kind: 'anonymous', verification: null });
    expect(decide(anonymous, index, settings(), CLOCK).verdict).toEqual({ action: 'allow', why: 'no_match' });
    const blocked = decide(anonymous, index, settings({ blockAnonymous: true }), CLOCK);
    expect(blocked.verdict).toEqual({ action: 'block', why: 'anonymous' });
    expect(blocked.explanation).toMatch(/anonymous/);
  });

  it('blocks a withheld asserted number as that number when listed, and as anonymous otherwise', () => {
    const listed = decide(inbound(caller('+12125551234', { withheld: true })), index, settings(), CLOCK);
    expect(listed.verdict).toMatchObject({ action: 'block', why: 'rule' });
    const unlisted = caller('+16175550000', { withheld: true });
    expect(decide(inbound(unlisted), index, settings(), CLOCK).verdict.action).toBe('allow');
    expect(decide(inbound(unlisted), index, settings({ blockAnonymous: true }), CLOCK).verdict).toEqual({
      action: 'block',
      why: 'anonymous',
    });
  });

  it('blocks failed verification only with blockFailedVerification, and an exception still wins', () => {
    const failing = inbound(caller('+16175550000', { verification: FAILED }));
    expect(decide(failing, index, settings(), CLOCK).verdict.action).toBe('allow');
    const blocked = decide(failing, index, settings({ blockFailedVerification: true }), CLOCK);
    expect(blocked.verdict).toEqual({ action: 'block', why: 'failed_verification' });
    expect(blocked.explanation).toContain('verification');
    const excepted = inbound(caller('+19005550000', { verification: FAILED }));
    expect(decide(excepted, index, settings({ blockFailedVerification: true }), CLOCK).verdict.why).toBe(
      'exception',
    );
  });

  it('an exception wins over the anonymous policy for a withheld asserted number', () => {
    const withheld = inbound(caller('+19005550000', { withheld: true }));
    expect(decide(withheld, index, settings({ blockAnonymous: true }), CLOCK).verdict.why).toBe('exception');
  });

  it('allows callers that are not numbers', () => {
    const alice = inbound({ kind: 'unknown', raw: 'alice', verification: null });
    const decision = decide(alice, index, settings({ blockAnonymous: true }), CLOCK);
    expect(decision.verdict).toEqual({ action: 'allow', why: 'not_a_number' });
    expect(decision.explanation).toContain('alice');
  });

  it('suspends all inbound blocking for psapWindowMinutes after an emergency call (§1.4)', () => {
    const afterEmergency = { nowMs: NOW, lastEmergencyCallAtMs: NOW - 119 * 60_000 };
    const strict = settings({ blockAnonymous: true, blockFailedVerification: true });
    for (const identity of [caller('+12125551234'), { kind: 'anonymous', verification: null } as const]) {
      const decision = decide(inbound(identity), index, strict, afterEmergency);
      expect(decision.verdict).toEqual({ action: 'allow', why: 'callback_window', untilMs: NOW + 60_000 });
    }
    const windowOver = { nowMs: NOW, lastEmergencyCallAtMs: NOW - 120 * 60_000 };
    expect(decide(inbound(caller('+12125551234')), index, strict, windowOver).verdict.action).toBe('block');
    const shortWindow = settings({ psapWindowMinutes: 15 });
    const sixteenMinutes = { nowMs: NOW, lastEmergencyCallAtMs: NOW - 16 * 60_000 };
    expect(decide(inbound(caller('+12125551234')), index, shortWindow, sixteenMinutes).verdict.action).toBe(
      'block',
    );
    // Outbound blocking is not suspended.
    const outbound = decide(
      { direction: 'outbound', line: null, dialed: '+12125551234' },
      index,
      strict,
      afterEmergency,
    );
    expect(outbound.verdict.action).toBe('block');
  });

  it('allows emergency numbers outbound with a clear explanation', () => {
    const decision = decide({ direction: 'outbound', line: LINE_A, dialed: '911' }, index, settings(), CLOCK);
    expect(decision.verdict).toEqual({ action: 'allow', why: 'emergency' });
    expect(decision.explanation).toMatch(/emergency/);
  });

  it('allows an outbound string that is not a number', () => {
    const decision = decide(
      { direction: 'outbound', line: null, dialed: 'sip:alice@corp.example' },
      index,
      settings(),
      CLOCK,
    );
    expect(decision.verdict).toEqual({ action: 'allow', why: 'not_a_number' });
  });

  it('fails open when something unexpected breaks (§3.7)', () => {
    const broken = unreadable(index, 'all', 'index corrupted');
    const decision = decide(inbound(caller('+12125551234')), broken, settings(), CLOCK);
    expect(decision.verdict).toMatchObject({
      action: 'allow',
      why: 'decision_failed',
      error: expect.any(String),
    });
    expect(decision.explanation).toContain('allowed');
    const brokenSettings = unreadable(settings(), 'blockAnonymous', 'settings unreadable');
    const failed = decide(inbound({ kind: 'anonymous', verification: null }), index, brokenSettings, CLOCK);
    expect(failed.verdict).toEqual({ action: 'allow', why: 'decision_failed', error: 'settings unreadable' });
  });

  it('skips rules whose number is malformed', () => {
    const skipping = buildRuleIndex([rule('2125551234'), rule('+1*'), rule('+12125551234')]);
    expect(skipping.size).toBe(1);
    expect(skipping.skipped).toBe(2);
  });
});

describe('testNumber (§2.6)', () => {
  const index = buildRuleIndex([
    rule('+12125551234', { reason: 'Spam' }),
    rule('+1900*', { scope: LINE_A, reason: 'Premium' }),
  ]);

  it('normalizes raw input and decides as an inbound call', () => {
    const decision = testNumber('212-555-1234', null, index, settings(), CLOCK);
    expect(decision.verdict).toMatchObject({ action: 'block', why: 'rule' });
    expect(decision.explanation).toContain('Spam');
    expect(testNumber('900 555 1111', LINE_A, index, settings(), CLOCK).verdict.action).toBe('block');
    expect(testNumber('900 555 1111', LINE_B, index, settings(), CLOCK).verdict.action).toBe('allow');
  });

  it('reports emergency numbers, invalid input and the anonymous policy', () => {
    expect(testNumber('911', null, index, settings(), CLOCK).verdict).toEqual({
      action: 'allow',
      why: 'emergency',
    });
    const invalid = testNumber('12ab', null, index, settings(), CLOCK);
    expect(invalid.verdict).toEqual({ action: 'allow', why: 'not_a_number' });
    expect(invalid.explanation).toContain('12ab');
    expect(testNumber('Anonymous', null, index, settings({ blockAnonymous: true }), CLOCK).verdict).toEqual({
      action: 'block',
      why: 'anonymous',
    });
  });
});

// ---------------------------------------------------------------------------------------------------------
// Properties.

/** The plain reading of SPEC §2.1a/§3, as a linear scan over the rules. */
function referenceDecision(
  call: CallToDecide,
  rules: readonly Rule[],
  orgSettings: OrgSettings,
  clock: DecisionClock,
) {
  const covers = (ruleNumber: string, e164: string): boolean =>
    isPrefix(ruleNumber) ? e164.startsWith(prefixBody(ruleNumber)) : ruleNumber === e164;
  const matching = (e164: string, kind: RuleKind): Rule[] =>
    rules.filter(
      (candidate) =>
        candidate.kind === kind &&
        !isExpired(candidate, clock.nowMs) &&
        (candidate.scope === 'all' || candidate.scope === call.line) &&
        covers(candidate.number, e164),
    );
  const byRules = (e164: string) => {
    const exceptions = matching(e164, 'allow');
    if (exceptions.length > 0) return { action: 'allow', why: 'exception', candidates: exceptions };
    const blocks = matching(e164, 'block');
    if (blocks.length > 0) return { action: 'block', why: 'rule', candidates: blocks };
    return null;
  };
  if (call.direction === 'outbound')
    return byRules(call.dialed) ?? { action: 'allow', why: 'no_match', candidates: [] };
  const last = clock.lastEmergencyCallAtMs;
  if (last !== null && clock.nowMs < last + orgSettings.psapWindowMinutes * 60_000) {
    return { action: 'allow', why: 'callback_window', candidates: [] };
  }
  const identity = call.caller;
  if (identity.kind === 'number') {
    const result = byRules(identity.e164);
    if (result !== null) return result;
  }
  if (
    orgSettings.blockAnonymous &&
    (identity.kind === 'anonymous' || (identity.kind === 'number' && identity.withheld))
  ) {
    return { action: 'block', why: 'anonymous', candidates: [] };
  }
  if (orgSettings.blockFailedVerification && identity.verification?.verstat === 'TN-Validation-Failed') {
    return { action: 'block', why: 'failed_verification', candidates: [] };
  }
  return { action: 'allow', why: identity.kind === 'unknown' ? 'not_a_number' : 'no_match', candidates: [] };
}

// A small universe of numbers so that random rules and calls collide often; real E.164 shapes of
// 11 and 15 digits (the longest, to exercise exact prefix arithmetic near 2^53).
const numberArb = fc.oneof(
  fc.integer({ min: 0, max: 30 }).map((n) => `+1212555${String(1200 + n).padStart(4, '0')}`),
  fc.integer({ min: 0, max: 30 }).map((n) => `+88299912345${String(6700 + n)}`),
  fc.constantFrom('+999999999999999', '+979999999999999'),
);
const ruleNumberArb = fc.oneof(
  { weight: 3, arbitrary: numberArb },
  {
    weight: 2,
    arbitrary: fc
      .tuple(numberArb, fc.integer({ min: 4, max: 16 }))
      .map(([n, length]) => `${n.slice(0, length)}*`),
  },
);
const scopeArb: fc.Arbitrary<RuleScope> = fc.constantFrom('all', LINE_A, LINE_B);
const lineArb = fc.constantFrom(null, LINE_A, LINE_B, '+12125550300');
const expiryArb = fc.oneof(
  fc.constant(null),
  fc.integer({ min: -3, max: 3 }).map((offset) => new Date(NOW + offset * 1000).toISOString()),
);
const rulesArb = fc
  .array(
    fc.record({
      number: ruleNumberArb,
      kind: fc.constantFrom<RuleKind>('block', 'allow'),
      scope: scopeArb,
      expiresAt: expiryArb,
    }),
    { maxLength: 40 },
  )
  .map((specs) => specs.map((spec) => rule(spec.number, spec)));
const verificationArb = fc.oneof(
  fc.constant(null),
  fc.constantFrom<CallerVerification>(
    FAILED,
    { verstat: 'TN-Validation-Passed', attestation: 'A' },
    { verstat: null, attestation: 'C' },
  ),
);
const identityArb: fc.Arbitrary<CallerIdentity> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('number' as const),
      e164: numberArb,
      withheld: fc.boolean(),
      verification: verificationArb,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('anonymous' as const), verification: verificationArb }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('unknown' as const),
      raw: fc.constant('alice'),
      verification: verificationArb,
    }),
  },
);
const callArb: fc.Arbitrary<CallToDecide> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({ direction: fc.constant('inbound' as const), line: lineArb, caller: identityArb }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ direction: fc.constant('outbound' as const), line: lineArb, dialed: numberArb }),
  },
);
const settingsArb = fc
  .record({
    blockAnonymous: fc.boolean(),
    blockFailedVerification: fc.boolean(),
    psapWindowMinutes: fc.integer({ min: 15, max: 240 }),
  })
  .map((overrides) => settings(overrides));
const clockArb: fc.Arbitrary<DecisionClock> = fc.record({
  // Whole seconds half the time, so the clock often sits exactly on an expiry instant.
  nowMs: fc.oneof(
    fc.integer({ min: NOW - 4000, max: NOW + 4000 }),
    fc.integer({ min: -4, max: 4 }).map((seconds) => NOW + seconds * 1000),
  ),
  lastEmergencyCallAtMs: fc.oneof(
    { weight: 4, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.integer({ min: NOW - 300 * 60_000, max: NOW }) },
  ),
});

describe('decide: properties', () => {
  it('agrees with a linear-scan reference model (scopes, prefixes, exceptions, expiry, policies)', () => {
    fc.assert(
      fc.property(
        rulesArb,
        fc.array(callArb, { minLength: 1, maxLength: 10 }),
        settingsArb,
        clockArb,
        (rules, calls, orgSettings, clock) => {
          const index = buildRuleIndex(rules);
          for (const call of calls) {
            const expected = referenceDecision(call, rules, orgSettings, clock);
            const { verdict } = decide(call, index, orgSettings, clock);
            expect({ action: verdict.action, why: verdict.why }).toEqual({
              action: expected.action,
              why: expected.why,
            });
            if ('rule' in verdict) expect(expected.candidates).toContain(verdict.rule);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('findMatchingRule covers every number its prefix rules cover, up to 15 digits', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[1-9]\d{6,14}$/), fc.integer({ min: 3, max: 15 }), (digits, length) => {
        const prefixLength = Math.min(length, digits.length);
        const index = buildRuleIndex([rule(`+${digits.slice(0, prefixLength)}*`)]);
        expect(findMatchingRule(index, `+${digits}`, 'block', null, NOW)).not.toBeNull();
        const sibling = `+${digits.slice(0, prefixLength - 1)}${(Number(digits[prefixLength - 1]) + 1) % 10}${digits.slice(prefixLength)}`;
        expect(findMatchingRule(index, sibling, 'block', null, NOW)).toBeNull();
      }),
      { numRuns: 500 },
    );
  });

  it('never blocks an emergency number outbound, whatever the list and settings', () => {
    const countries = ['US', 'GB', 'DE', 'FR', 'AU', 'JP', 'IN', 'BR'] as const;
    const emergencyArb = fc.constantFrom(...countries).chain((country) =>
      fc.record({
        country: fc.constant(country),
        dialed: fc
          .tuple(
            fc.constantFrom(...ALWAYS_EMERGENCY_CODES, ...emergencyCodesFor(country)),
            fc.constantFrom('', ' ', 'tel:', 'sip:'),
          )
          .map(([code, form]) => (form === 'sip:' ? `sip:${code}@pbx.example.com` : `${form}${code}`)),
      }),
    );
    const everythingArb = fc.array(
      fc.record({
        number: ruleNumberArb,
        kind: fc.constantFrom<RuleKind>('block', 'allow'),
        scope: scopeArb,
      }),
      {
        maxLength: 20,
      },
    );
    fc.assert(
      fc.property(
        emergencyArb,
        everythingArb,
        settingsArb,
        clockArb,
        lineArb,
        fc.boolean(),
        ({ country, dialed }, specs, base, clock, line, breakIndex) => {
          // Also rules that try to cover emergency codes as numbers and prefixes.
          const rules = [
            ...specs.map((spec) => rule(spec.number, spec)),
            rule('+1911*'),
            rule('+44999*'),
            rule('+911*'),
          ];
          const built = buildRuleIndex(rules);
          const index = breakIndex ? unreadable(built, 'all', 'index corrupted') : built;
          const orgSettings = {
            ...base,
            defaultCountry: country,
            blockAnonymous: true,
            blockFailedVerification: true,
          };
          const decision = decide({ direction: 'outbound', line, dialed }, index, orgSettings, clock);
          expect(decision.verdict).toEqual({ action: 'allow', why: 'emergency' });
        },
      ),
      { numRuns: 300 },
    );
  });
});

import { describe, expect, it } from 'vitest';
import {
  findRuleConflict,
  isExpired,
  ruleCreateInputSchema,
  rulePatchSchema,
  ruleNumberSchema,
  type Rule,
} from '../../shared/rules';
import { applySettingsPatch, defaultOrgSettings, orgSettingsPatchSchema } from '../../shared/settings';

function rule(overrides: Partial<Rule>): Rule {
  return {
    id: 'r1',
    kind: 'block',
    number: '+12125551234',
    scope: 'all',
    reason: 'spam',
    expiresAt: null,
    source: 'manual',
    createdBy: 'u1',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    hitCount: 0,
    lastHitAt: null,
    ...overrides,
  };
}

describe('rule numbers (SPEC §2.1, §2.1a)', () => {
  it.each(['+12125551234', '+234*', '+1900*', '+44207*'])('accepts %s', (value) => {
    expect(ruleNumberSchema.safeParse(value).success).toBe(true);
  });
  it.each(['+1*', '+44*', '12125551234', '+0123456789', '+1900', '*', '+1 900*'])('refuses %s', (value) => {
    expect(ruleNumberSchema.safeParse(value).success).toBe(false);
  });
});

describe('reason (SPEC §2.1)', () => {
  it('is trimmed and required', () => {
    const parsed = ruleCreateInputSchema.parse({ number: '212 555 1234', reason: '  spam  ' });
    expect(parsed.reason).toBe('spam');
    expect(parsed.scope).toBe('all');
    expect(parsed.kind).toBe('block');
    expect(ruleCreateInputSchema.safeParse({ number: '2125551234', reason: '   ' }).success).toBe(false);
  });
  it('allows 200 characters and refuses 201', () => {
    expect(ruleCreateInputSchema.safeParse({ number: '1', reason: 'x'.repeat(200) }).success).toBe(true);
    const tooLong = ruleCreateInputSchema.safeParse({ number: '1', reason: 'x'.repeat(201) });
    expect(tooLong.success).toBe(false);
    expect(tooLong.error?.issues[0]?.message).toMatch(/at most 200/);
  });
  it('refuses unknown fields', () => {
    expect(ruleCreateInputSchema.safeParse({ number: '1', reason: 'x', colour: 'red' }).success).toBe(false);
  });
});

describe('editable fields (SPEC §2.3)', () => {
  it('only reason and expiry can change', () => {
    expect(rulePatchSchema.safeParse({ reason: 'new' }).success).toBe(true);
    expect(rulePatchSchema.safeParse({ expiresAt: null }).success).toBe(true);
    expect(rulePatchSchema.safeParse({ number: '+12125551234' }).success).toBe(false);
    expect(rulePatchSchema.safeParse({ kind: 'allow' }).success).toBe(false);
    expect(rulePatchSchema.safeParse({ scope: 'all' }).success).toBe(false);
    expect(rulePatchSchema.safeParse({}).success).toBe(false);
  });
});

describe('conflicts (SPEC §2.2)', () => {
  const everywhere = rule({ id: 'a', scope: 'all' });
  const onLine = rule({ id: 'b', number: '+12125550000', scope: '+12125550100' });

  it('refuses the same number, scope and kind twice', () => {
    const conflict = findRuleConflict({ number: '+12125551234', scope: 'all', kind: 'block' }, [everywhere]);
    expect(conflict?.kind).toBe('duplicate');
    expect(conflict?.message).toContain('already blocked on all lines');
  });
  it('refuses a line block for a number blocked everywhere, with that message', () => {
    const conflict = findRuleConflict({ number: '+12125551234', scope: '+12125550100', kind: 'block' }, [
      everywhere,
    ]);
    expect(conflict).toMatchObject({
      kind: 'blocked_everywhere',
      message: '+12125551234 is already blocked on all lines',
    });
  });
  it('allows an exception beside a block and a block on another line', () => {
    expect(
      findRuleConflict({ number: '+12125551234', scope: 'all', kind: 'allow' }, [everywhere]),
    ).toBeNull();
    expect(
      findRuleConflict({ number: '+12125550000', scope: '+12125550101', kind: 'block' }, [onLine]),
    ).toBeNull();
    expect(findRuleConflict({ number: '+12125550000', scope: 'all', kind: 'block' }, [onLine])).toBeNull();
  });
});

describe('expiry', () => {
  it('a rule stops matching at its expiry instant', () => {
    const temporary = rule({ expiresAt: '2026-01-02T00:00:00.000Z' });
    const at = Date.parse('2026-01-02T00:00:00.000Z');
    expect(isExpired(temporary, at - 1)).toBe(false);
    expect(isExpired(temporary, at)).toBe(true);
    expect(isExpired(rule({}), at)).toBe(false);
  });
});

describe('org settings', () => {
  it('defaults follow SPEC §1.4 and §4.1', () => {
    const settings = defaultOrgSettings();
    expect(settings.psapWindowMinutes).toBe(120);
    expect(settings.autoBlock).toMatchObject({
      enabled: false,
      threshold: 5,
      windowMinutes: 5,
      outsideWorkingHoursOnly: true,
    });
    expect(settings.inboundAction).toBe('announce');
  });
  it('patches merge the nested auto-block settings and keep the 15-minute floor', () => {
    const patched = applySettingsPatch(defaultOrgSettings(), { autoBlock: { threshold: 3 } });
    expect(patched.autoBlock.threshold).toBe(3);
    expect(patched.autoBlock.windowMinutes).toBe(5);
    expect(() => applySettingsPatch(defaultOrgSettings(), { psapWindowMinutes: 14 })).toThrow();
    expect(orgSettingsPatchSchema.safeParse({ autoBlock: { timeZone: 'Mars/Olympus' } }).success).toBe(false);
    expect(orgSettingsPatchSchema.safeParse({ unknown: true }).success).toBe(false);
  });
});

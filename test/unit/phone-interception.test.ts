import { describe, expect, it } from 'vitest';
import { buildRuleIndex } from '../../shared/decision';
import type { Rule } from '../../shared/rules';
import { defaultOrgSettings, type OrgSettings } from '../../shared/settings';
import {
  decideInbound,
  decideOutbound,
  dialTarget,
  inboundHandling,
  invitesReliableProvisional,
} from '../../renderer/phone/interception';
import type { CallPolicySource } from '../../renderer/phone/types';
import { manualRule } from '../helpers/rules';

const LINE = '+12125550000';

function policy(
  options: {
    rules?: Rule[];
    settings?: Partial<OrgSettings>;
    mode?: 'early-media' | 'answer';
    broken?: boolean;
  } = {},
): CallPolicySource {
  const index = buildRuleIndex(options.rules ?? [manualRule('+12125550100')]);
  const settings = { ...defaultOrgSettings('US'), ...options.settings };
  return {
    getIndex: () => {
      if (options.broken) throw new Error('index corrupted');
      return index;
    },
    getSettings: () => settings,
    getLine: (number) =>
      number === LINE ? { number, label: 'Main', announcementMode: options.mode ?? 'early-media' } : null,
    getClock: () => ({ nowMs: Date.now(), lastEmergencyCallAtMs: null }),
  };
}

function request(headers: Record<string, string[]>): { getHeaders(name: string): string[] } {
  return { getHeaders: (name) => headers[name.toLowerCase()] ?? [] };
}

describe('decideInbound', () => {
  it('blocks a listed caller with early media by default, answer mode on lines set so, reject when the org says', () => {
    const caller = request({ from: ['<sip:+12125550100@pbx.example.com>;tag=1'] });
    expect(decideInbound(caller, LINE, policy()).handling).toBe('early-media');
    expect(decideInbound(caller, LINE, policy({ mode: 'answer' })).handling).toBe('answer');
    expect(decideInbound(caller, LINE, policy({ settings: { inboundAction: 'reject' } })).handling).toBe(
      'reject',
    );
  });

  it('rings an unlisted caller', () => {
    const result = decideInbound(
      request({ from: ['<sip:+12125550199@pbx.example.com>;tag=1'] }),
      LINE,
      policy(),
    );
    expect(result).toMatchObject({
      handling: 'ring',
      decision: { verdict: { action: 'allow', why: 'no_match' } },
    });
  });

  it('fails open when the policy throws (SPEC §3.7)', () => {
    const result = decideInbound(
      request({ from: ['<sip:+12125550100@pbx.example.com>;tag=1'] }),
      LINE,
      policy({ broken: true }),
    );
    expect(result.handling).toBe('ring');
    expect(result.decision.verdict).toMatchObject({ action: 'allow', why: 'decision_failed' });
  });

  it('fails open when reading the request throws', () => {
    const hostile = {
      getHeaders(): string[] {
        throw new Error('boom');
      },
    };
    expect(decideInbound(hostile, LINE, policy()).handling).toBe('ring');
  });
});

describe('inboundHandling', () => {
  const block = {
    verdict: { action: 'block' as const, why: 'anonymous' as const },
    number: null,
    explanation: '',
  };
  it('never announces when allowed', () => {
    expect(
      inboundHandling({ ...block, verdict: { action: 'allow', why: 'no_match' } }, 'announce', null),
    ).toBe('ring');
  });
  it('uses early media on an unknown line', () => {
    expect(inboundHandling(block, 'announce', null)).toBe('early-media');
  });
});

describe('decideOutbound', () => {
  it('blocks a listed number typed in any common form, before any INVITE', () => {
    expect(decideOutbound('(212) 555-0100', LINE, 'pbx.example.com', policy())).toMatchObject({
      kind: 'block',
      decision: { number: '+12125550100' },
    });
  });

  it('lets emergency numbers out even when the list blocks them or the policy is broken', () => {
    expect(decideOutbound('911', LINE, 'pbx.example.com', policy({ rules: [], broken: true }))).toEqual({
      kind: 'emergency',
      target: 'sip:911@pbx.example.com',
    });
  });

  it('dials an allowed number as E.164 at the line domain', () => {
    expect(decideOutbound('212-555-0199', LINE, 'pbx.example.com', policy())).toMatchObject({
      kind: 'allow',
      target: 'sip:+12125550199@pbx.example.com',
      number: '+12125550199',
    });
  });

  it('dials a number with an extension at the main number and hands the extension on (SPEC §1.1a)', () => {
    for (const dialed of ['(212) 555-0199 x 2041', '+1 212 555 0199,,2041#', '212-555-0199;ext=2041']) {
      const outcome = decideOutbound(dialed, LINE, 'pbx.example.com', policy());
      expect(outcome, dialed).toMatchObject({
        kind: 'allow',
        target: 'sip:+12125550199@pbx.example.com',
        number: '+12125550199',
        extension: '2041',
      });
    }
    expect(decideOutbound('(212) 555-0100 x 7', LINE, 'pbx.example.com', policy())).toMatchObject({
      kind: 'block',
    });
    expect(decideOutbound('212-555-0199', LINE, 'pbx.example.com', policy())).not.toHaveProperty('extension');
  });

  it('refuses empty and unusable input with a message', () => {
    expect(decideOutbound('   ', LINE, 'pbx.example.com', policy())).toMatchObject({ kind: 'refused' });
    expect(decideOutbound('hello there', LINE, 'pbx.example.com', policy())).toMatchObject({
      kind: 'refused',
    });
  });

  it('fails open on a broken policy for ordinary numbers', () => {
    expect(decideOutbound('212-555-0100', LINE, 'pbx.example.com', policy({ broken: true }))).toMatchObject({
      kind: 'allow',
      decision: { verdict: { why: 'decision_failed' } },
    });
  });
});

describe('dialTarget and 100rel', () => {
  it('keeps SIP URIs and extensions', () => {
    expect(dialTarget('sip:bob@example.com', null, 'pbx')).toBe('sip:bob@example.com');
    expect(dialTarget('sip:broken', null, 'pbx')).toBeNull();
    expect(dialTarget('1234', null, 'pbx')).toBe('sip:1234@pbx');
  });

  it('sees 100rel in Require or Supported', () => {
    expect(invitesReliableProvisional(request({ require: ['100rel'] }))).toBe(true);
    expect(invitesReliableProvisional(request({ supported: ['timer, 100rel'] }))).toBe(true);
    expect(invitesReliableProvisional(request({ supported: ['timer'] }))).toBe(false);
  });
});

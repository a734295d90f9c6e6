import { describe, expect, it } from 'vitest';
import { callReportSchema } from '../../shared/contracts/api';
import { historyEntrySchema } from '../../shared/contracts/ipc';
import type { Rule } from '../../shared/rules';
import {
  blockedCallIsLogged,
  blockedDialNotice,
  blockedReason,
  historyForBlocked,
  reportForAllowed,
  reportForBlocked,
  verificationOf,
} from '../../renderer/phone/call-records';
import type { BlockedCallEvent, CallSnapshot } from '../../renderer/phone/types';

const rule: Rule = {
  id: 'rule-7',
  kind: 'block',
  number: '+12125550100',
  scope: 'all',
  reason: 'Robocaller',
  expiresAt: null,
  source: 'manual',
  createdBy: 'lead',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  hitCount: 0,
  lastHitAt: null,
};

const inbound: BlockedCallEvent = {
  id: 'blocked-0001',
  sipCallId: 'abc@pbx',
  direction: 'inbound',
  accountId: 'agent1',
  line: '+12125550000',
  decision: {
    verdict: { action: 'block', why: 'rule', rule },
    number: '+12125550100',
    explanation: 'blocked by rule',
  },
  identity: {
    kind: 'number',
    e164: '+12125550100',
    withheld: false,
    verification: { verstat: 'TN-Validation-Failed', attestation: null },
  },
  dialed: null,
  handling: 'early-media',
  at: Date.parse('2026-03-01T10:00:00.000Z'),
};

const outbound: BlockedCallEvent = {
  ...inbound,
  direction: 'outbound',
  sipCallId: null,
  identity: null,
  dialed: '212 555 0100',
  handling: 'local-announcement',
};

describe('reportForBlocked', () => {
  it('builds a report the server contract accepts, keyed by the SIP Call-ID, under a blk- id', () => {
    const report = reportForBlocked(inbound);
    expect(callReportSchema.parse(report)).toEqual(report);
    expect(report).toMatchObject({
      id: 'blk-blocked-0001',
      callId: 'abc@pbx',
      action: 'block',
      ruleId: 'rule-7',
      why: 'rule',
      anonymous: false,
      verstat: 'TN-Validation-Failed',
      at: '2026-03-01T10:00:00.000Z',
    });
  });

  it('reports an outbound attempt (no INVITE, so no Call-ID) under its own id', () => {
    expect(callReportSchema.parse(reportForBlocked(outbound))).toMatchObject({
      callId: 'blocked-0001',
      direction: 'outbound',
      verstat: null,
    });
  });

  it('marks anonymous and withheld callers', () => {
    const anonymous: BlockedCallEvent = {
      ...inbound,
      identity: { kind: 'anonymous', verification: null },
      decision: { verdict: { action: 'block', why: 'anonymous' }, number: null, explanation: 'anonymous' },
    };
    expect(reportForBlocked(anonymous)).toMatchObject({
      anonymous: true,
      ruleId: null,
      number: null,
      why: 'anonymous',
    });
    const withheld: BlockedCallEvent = {
      ...inbound,
      identity: { kind: 'number', e164: '+12125550100', withheld: true, verification: null },
    };
    expect(reportForBlocked(withheld).anonymous).toBe(true);
  });

  it('pads short ids to the 8 characters the server wants', () => {
    expect(reportForBlocked({ ...inbound, id: 'x' }).id).toBe('blk-x000');
  });
});

describe('reportForAllowed', () => {
  const call: CallSnapshot = {
    id: 'call-1',
    accountId: 'agent1',
    line: '+12125550000',
    direction: 'inbound',
    number: '+12125550100',
    remote: '+12125550100',
    verification: 'passed',
    state: 'incoming',
    muted: false,
    held: false,
    startedAt: Date.parse('2026-03-01T10:00:00.000Z'),
    connectedAt: null,
    endedAt: null,
    endReason: null,
    emergency: false,
    sipCallId: 'xyz@pbx',
  };

  it('reports an allowed call under an in- id, with the exception rule that let it through', () => {
    const report = reportForAllowed({
      call,
      decision: {
        verdict: { action: 'allow', why: 'exception', rule: { ...rule, kind: 'allow' } },
        number: '+12125550100',
        explanation: 'exception',
      },
      identity: {
        kind: 'number',
        e164: '+12125550100',
        withheld: false,
        verification: { verstat: 'TN-Validation-Passed', attestation: 'A' },
      },
    });
    expect(callReportSchema.parse(report)).toEqual(report);
    expect(report).toMatchObject({
      id: 'in-call-1',
      callId: 'xyz@pbx',
      action: 'allow',
      why: 'exception',
      ruleId: 'rule-7',
      verstat: 'TN-Validation-Passed',
    });
  });
});

describe('blocked call history', () => {
  it('leaves blocked inbound calls out unless logBlockedInbound is on; blocked outbound attempts always go in', () => {
    expect(blockedCallIsLogged(inbound, false)).toBe(false);
    expect(blockedCallIsLogged(inbound, true)).toBe(true);
    expect(blockedCallIsLogged(outbound, false)).toBe(true);
  });

  it('records the number in E.164 (the History view formats it), the rule reason and the verification', () => {
    const entry = historyForBlocked(inbound);
    expect(historyEntrySchema.parse(entry)).toEqual(entry);
    expect(entry).toMatchObject({
      result: 'blocked',
      blockedReason: 'Robocaller',
      number: '+12125550100',
      display: '+12125550100',
      durationSeconds: 0,
      verification: 'failed',
    });
  });

  it('shows what was dialled, or Anonymous / Unknown caller, when there is no number', () => {
    const noNumber = { ...inbound.decision, number: null };
    expect(historyForBlocked({ ...outbound, decision: noNumber }).display).toBe('212 555 0100');
    expect(
      historyForBlocked({
        ...inbound,
        decision: noNumber,
        identity: { kind: 'anonymous', verification: null },
      }).display,
    ).toBe('Anonymous');
    expect(
      historyForBlocked({
        ...inbound,
        decision: noNumber,
        identity: { kind: 'unknown', raw: 'bob', verification: null },
      }).display,
    ).toBe('Unknown caller');
  });

  it('records a blocked outbound attempt with no verification', () => {
    expect(historyForBlocked(outbound)).toMatchObject({
      direction: 'outbound',
      result: 'blocked',
      verification: null,
    });
  });
});

describe('reasons and verification', () => {
  it('gives the rule reason, fixed words for policy blocks, nothing for an allowed call', () => {
    expect(blockedReason(inbound.decision)).toBe('Robocaller');
    expect(
      blockedReason({
        verdict: { action: 'block', why: 'failed_verification' },
        number: null,
        explanation: '',
      }),
    ).toBe('Caller verification failed');
    expect(
      blockedReason({ verdict: { action: 'allow', why: 'no_match' }, number: null, explanation: '' }),
    ).toBe('');
    expect(blockedDialNotice(outbound)).toBe('Blocked by your organization: Robocaller');
  });

  it('says passed or failed only for an explicit verstat, none for a caller without one, null without a caller', () => {
    expect(verificationOf({ kind: 'anonymous', verification: null })).toBe('none');
    expect(
      verificationOf({
        kind: 'anonymous',
        verification: { verstat: 'TN-Validation-Passed', attestation: null },
      }),
    ).toBe('passed');
    expect(verificationOf(null)).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { callReportSchema } from '../../shared/contracts/api';
import { historyEntrySchema } from '../../shared/contracts/ipc';
import type { Rule } from '../../shared/rules';
import { defaultOrgSettings } from '../../shared/settings';
import { callReportFor, historyEntryForBlocked } from '../../renderer/phone/records';
import type { BlockedCallEvent } from '../../renderer/phone/types';

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

describe('callReportFor', () => {
  it('builds a report the server contract accepts, keyed by the SIP Call-ID', () => {
    const report = callReportFor(inbound);
    expect(callReportSchema.parse(report)).toEqual(report);
    expect(report).toMatchObject({
      callId: 'abc@pbx',
      ruleId: 'rule-7',
      why: 'rule',
      anonymous: false,
      verstat: 'TN-Validation-Failed',
    });
  });

  it('reports an outbound attempt (no INVITE, so no Call-ID) under its own id', () => {
    const report = callReportFor({
      ...inbound,
      direction: 'outbound',
      sipCallId: null,
      identity: null,
      dialed: '212 555 0100',
    });
    expect(callReportSchema.parse(report)).toMatchObject({
      callId: 'blocked-0001',
      direction: 'outbound',
      verstat: null,
    });
  });

  it('marks anonymous callers', () => {
    const anonymous: BlockedCallEvent = {
      ...inbound,
      identity: { kind: 'anonymous', verification: null },
      decision: { verdict: { action: 'block', why: 'anonymous' }, number: null, explanation: 'anonymous' },
    };
    expect(callReportFor(anonymous)).toMatchObject({
      anonymous: true,
      ruleId: null,
      number: null,
      why: 'anonymous',
    });
  });
});

describe('historyEntryForBlocked', () => {
  it('leaves blocked inbound calls out unless logBlockedInbound is on, then gives the rule reason', () => {
    expect(historyEntryForBlocked(inbound, defaultOrgSettings('US'))).toBeNull();
    const entry = historyEntryForBlocked(inbound, { ...defaultOrgSettings('US'), logBlockedInbound: true });
    expect(historyEntrySchema.parse(entry)).toEqual(entry);
    expect(entry).toMatchObject({
      result: 'blocked',
      blockedReason: 'Robocaller',
      display: '(212) 555-0100',
      verification: 'failed',
    });
  });

  it('always records a blocked outbound attempt', () => {
    const entry = historyEntryForBlocked(
      { ...inbound, direction: 'outbound', identity: null },
      defaultOrgSettings('US'),
    );
    expect(entry).toMatchObject({ direction: 'outbound', result: 'blocked', verification: null });
  });
});

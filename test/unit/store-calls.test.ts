import { describe, expect, it } from 'vitest';
import {
  callElapsedSeconds,
  createCallsStore,
  incomingCall,
  ongoingCalls,
} from '../../renderer/stores/calls';
import {
  blockedReason,
  historyForBlocked,
  historyForCall,
  reportForBlocked,
} from '../../renderer/phone/call-records';
import type { BlockedCallEvent, CallSnapshot } from '../../renderer/phone/types';
import { callReportSchema } from '../../shared/contracts/api';
import { historyEntrySchema } from '../../shared/contracts/ipc';
import { makeRule } from './store-helpers';

const snapshot = (
  id: string,
  state: CallSnapshot['state'],
  overrides: Partial<CallSnapshot> = {},
): CallSnapshot => ({
  id,
  accountId: 'a',
  line: '+12125550100',
  direction: 'inbound',
  number: '+12125551234',
  remote: '+12125551234',
  verification: 'passed',
  state,
  muted: false,
  held: false,
  startedAt: 1_000,
  connectedAt: null,
  endedAt: null,
  endReason: null,
  emergency: false,
  sipCallId: `sip-${id}`,
  ...overrides,
});

describe('calls store', () => {
  it('keeps snapshots by id and picks the oldest ringing call', () => {
    const store = createCallsStore();
    store.getState().upsertCall(snapshot('late', 'incoming', { startedAt: 5_000 }));
    store.getState().upsertCall(snapshot('early', 'incoming', { startedAt: 2_000 }));
    store.getState().upsertCall(snapshot('out', 'dialing', { direction: 'outbound' }));
    expect(incomingCall(store.getState().calls)?.id).toBe('early');
    expect(ongoingCalls(store.getState().calls).map((call) => call.id)).toEqual(['out']);
    store.getState().upsertCall(snapshot('early', 'connected', { startedAt: 2_000, connectedAt: 3_000 }));
    expect(incomingCall(store.getState().calls)?.id).toBe('late');
    expect(ongoingCalls(store.getState().calls).map((call) => call.id)).toEqual(['out', 'early']);
    store.getState().removeCall('late');
    expect(incomingCall(store.getState().calls)).toBeNull();
  });

  it('fills the dialer (tel: links) and clears the old notice', () => {
    const store = createCallsStore();
    store.getState().setDialerNotice({ tone: 'error', text: 'Blocked' });
    store.getState().setDialerText('+12125551234');
    expect(store.getState().dialerText).toBe('+12125551234');
    expect(store.getState().dialerNotice).toBeNull();
  });

  it('counts the call timer from the answer', () => {
    expect(callElapsedSeconds(snapshot('x', 'dialing'), 99_000)).toBe(0);
    expect(callElapsedSeconds(snapshot('x', 'connected', { connectedAt: 10_000 }), 75_500)).toBe(65);
    expect(callElapsedSeconds(snapshot('x', 'ended', { connectedAt: 10_000, endedAt: 20_000 }), 75_500)).toBe(
      10,
    );
  });
});

describe('phone events into history and reports', () => {
  const rule = makeRule({ number: '+12125551234', reason: 'Robocaller' });
  const blocked: BlockedCallEvent = {
    id: 'evt-123456',
    sipCallId: 'abc@host',
    direction: 'inbound',
    accountId: 'a',
    line: '+12125550100',
    decision: {
      verdict: { action: 'block', why: 'rule', rule },
      number: '+12125551234',
      explanation: 'blocked by rule',
    },
    identity: {
      kind: 'number',
      e164: '+12125551234',
      withheld: false,
      verification: { verstat: 'TN-Validation-Failed', attestation: null },
    },
    dialed: null,
    handling: 'early-media',
    at: Date.parse('2026-01-01T10:00:00.000Z'),
  };

  it('reports a blocked call in the server contract with its rule', () => {
    const report = reportForBlocked(blocked);
    expect(callReportSchema.parse(report)).toEqual(report);
    expect(report).toMatchObject({
      callId: 'abc@host',
      action: 'block',
      why: 'rule',
      ruleId: rule.id,
      verstat: 'TN-Validation-Failed',
      anonymous: false,
    });
  });

  it('records a blocked call as "blocked" with the reason', () => {
    const entry = historyForBlocked(blocked);
    expect(historyEntrySchema.parse(entry)).toEqual(entry);
    expect(entry).toMatchObject({
      result: 'blocked',
      blockedReason: 'Robocaller',
      verification: 'failed',
      durationSeconds: 0,
    });
    expect(
      blockedReason({ verdict: { action: 'block', why: 'anonymous' }, number: null, explanation: '' }),
    ).toBe('Anonymous caller');
  });

  it('records answered, missed and declined calls', () => {
    expect(
      historyForCall(snapshot('1', 'ended', { connectedAt: 2_000, endedAt: 32_000, endReason: 'hangup' })),
    ).toMatchObject({
      result: 'answered',
      durationSeconds: 30,
    });
    expect(historyForCall(snapshot('2', 'ended', { endedAt: 5_000, endReason: 'cancelled' })).result).toBe(
      'missed',
    );
    expect(historyForCall(snapshot('3', 'ended', { endedAt: 5_000, endReason: 'declined' })).result).toBe(
      'declined',
    );
    expect(
      historyForCall(
        snapshot('4', 'ended', { direction: 'outbound', endedAt: 5_000, endReason: 'failed: 486 Busy' }),
      ).result,
    ).toBe('failed');
  });
});

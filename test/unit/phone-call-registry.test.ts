import { SessionState } from 'sip.js';
import { describe, expect, it } from 'vitest';
import {
  CallRegistry,
  endReasonOnTermination,
  newId,
  type CallRecord,
} from '../../renderer/phone/call-registry';
import type { CallSnapshot } from '../../renderer/phone/types';
import { inviterOn, unstartedLine } from './phone-helpers';

function registryWithLog(): {
  registry: CallRegistry;
  changes: CallSnapshot[];
  ended: CallRecord[];
} {
  const changes: CallSnapshot[] = [];
  const ended: CallRecord[] = [];
  const registry = new CallRegistry({
    onChange: (snapshot) => changes.push(snapshot),
    onConnected: () => undefined,
    onEnded: (record) => ended.push(record),
    onError: (context, error) => {
      throw new Error(`${context}: ${String(error)}`);
    },
  });
  return { registry, changes, ended };
}

const outbound = {
  direction: 'outbound',
  number: '+12125550100',
  remote: '212 555 0100',
  verification: null,
  state: 'dialing',
  emergency: false,
} as const;

describe('CallRegistry', () => {
  it('tracks a real sip.js session under its own id with the line and the SIP Call-ID', () => {
    const { registry } = registryWithLog();
    const line = unstartedLine();
    const inviter = inviterOn(line);
    const record = registry.track(line, inviter, outbound);
    expect(record.snapshot).toMatchObject({
      accountId: 'agent1',
      line: '+12125550000',
      state: 'dialing',
      muted: false,
      held: false,
      connectedAt: null,
      sipCallId: inviter.request.callId,
    });
    expect(registry.require(record.snapshot.id)).toBe(record);
    expect(registry.snapshots()).toEqual([record.snapshot]);
    expect(registry.snapshots()[0]).not.toBe(record.snapshot);
  });

  it('holds several calls at once, each with its own id', () => {
    const { registry } = registryWithLog();
    const line = unstartedLine();
    const first = registry.track(line, inviterOn(line), outbound);
    const second = registry.track(line, inviterOn(line, 'sip:+12125550199@lab.invalid'), outbound);
    expect(first.snapshot.id).not.toBe(second.snapshot.id);
    expect(registry.all()).toHaveLength(2);
  });

  it('sends a copy of each change and, when the session terminates, the final snapshot and forgets the call', async () => {
    const { registry, changes, ended } = registryWithLog();
    const line = unstartedLine();
    const inviter = inviterOn(line);
    const record = registry.track(line, inviter, outbound);
    registry.update(record, { muted: true });
    expect(changes.at(-1)).toMatchObject({ muted: true });
    await inviter.dispose();
    expect(inviter.state).toBe(SessionState.Terminated);
    expect(ended).toEqual([record]);
    expect(changes.at(-1)).toMatchObject({ state: 'ended', endReason: 'failed' });
    expect(changes.at(-1)?.endedAt).not.toBeNull();
    expect(registry.get(record.snapshot.id)).toBeUndefined();
    expect(() => registry.require(record.snapshot.id)).toThrow(/no call with id/);
  });
});

describe('endReasonOnTermination', () => {
  const base = { endReason: null, connectedAt: null, direction: 'inbound' } as const;
  it('keeps a reason already given, else tells remote hang-up, a cancelled inbound call and a failed outbound one', () => {
    const snapshot = (patch: Partial<CallSnapshot>) => ({ ...base, ...patch }) as CallSnapshot;
    expect(endReasonOnTermination(snapshot({ endReason: 'hangup', connectedAt: 1 }))).toBe('hangup');
    expect(endReasonOnTermination(snapshot({ connectedAt: 1 }))).toBe('remote_hangup');
    expect(endReasonOnTermination(snapshot({}))).toBe('cancelled');
    expect(endReasonOnTermination(snapshot({ direction: 'outbound' }))).toBe('failed');
  });
});

describe('newId', () => {
  it('gives distinct ids with the prefix', () => {
    const ids = new Set(Array.from({ length: 50 }, () => newId('call')));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^call-/);
  });
});

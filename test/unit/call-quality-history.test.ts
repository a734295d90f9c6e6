import { describe, expect, it } from 'vitest';
import { historyForCall } from '../../renderer/phone/call-records';
import type { CallSnapshot } from '../../renderer/phone/types';
import { historyEntrySchema } from '../../shared/contracts/ipc';

const ended: CallSnapshot = {
  id: 'c1',
  accountId: 'a',
  line: '+12125550100',
  direction: 'inbound',
  number: '+12125551234',
  remote: '+12125551234',
  verification: null,
  state: 'ended',
  muted: false,
  held: false,
  startedAt: 1_000,
  connectedAt: 2_000,
  endedAt: 62_000,
  endReason: 'hangup',
  emergency: false,
  sipCallId: 'sip-c1',
};

describe('a call’s worst quality in history (SPEC §10.7)', () => {
  it('keeps the worst figures of an answered call, and the entry passes the IPC schema', () => {
    const worst = { mos: 3.4, lossPercent: 8.3, jitterMs: 13, rttMs: 41, codec: 'PCMU' };
    const entry = historyForCall({
      ...ended,
      quality: {
        figures: { lossPercent: 1, jitterMs: 2, rttMs: 40, codec: 'PCMU' },
        mos: 4.3,
        grade: 'good',
        worst,
      },
    });
    expect(entry.quality).toEqual(worst);
    expect(historyEntrySchema.parse(entry).quality).toEqual(worst);
  });

  it('has no figures for a call that never carried media', () => {
    const entry = historyForCall({ ...ended, connectedAt: null, endReason: 'cancelled' });
    expect(entry.quality).toBeNull();
    expect(historyEntrySchema.safeParse({ ...entry, quality: { mos: 9 } }).success).toBe(false);
  });
});

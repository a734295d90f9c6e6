import { describe, expect, it } from 'vitest';
import { assertDtmf, createCallControls, dtmfInfoBodies } from '../../renderer/phone/call-controls';
import type { CallPolicySource, CallSnapshot } from '../../renderer/phone/types';
import { buildRuleIndex } from '../../shared/decision';
import { defaultOrgSettings } from '../../shared/settings';
import { trackedCall } from './phone-helpers';

const policy: CallPolicySource = {
  getIndex: () => buildRuleIndex([]),
  getSettings: () => defaultOrgSettings('US'),
  getLine: () => null,
  getClock: () => ({ nowMs: Date.now(), lastEmergencyCallAtMs: null }),
};

function dialingControls(): {
  controls: ReturnType<typeof createCallControls>;
  id: string;
  changes: CallSnapshot[];
} {
  const changes: CallSnapshot[] = [];
  const { registry, record } = trackedCall((snapshot) => changes.push(snapshot));
  return { controls: createCallControls(registry, policy), id: record.snapshot.id, changes };
}

describe('DTMF', () => {
  it('accepts 0-9, A-D, *, # and pauses, and refuses anything else', () => {
    expect(() => assertDtmf('123*#ABCD,9')).not.toThrow();
    expect(() => assertDtmf('12x')).toThrow(/is not DTMF/);
    expect(() => assertDtmf('')).toThrow(/is not DTMF/);
  });

  it('sends one dtmf-relay INFO body per tone, pauses left out', () => {
    expect(dtmfInfoBodies('1,#')).toEqual(['Signal=1\r\nDuration=160', 'Signal=#\r\nDuration=160']);
  });
});

describe('call controls on a real sip.js session that is not connected yet', () => {
  it('refuses what needs an incoming or a connected call', async () => {
    const { controls, id } = dialingControls();
    await expect(controls.answer(id)).rejects.toThrow('only an incoming call can be answered');
    await expect(controls.decline(id)).rejects.toThrow('only an incoming call can be declined');
    await expect(controls.hold(id, true)).rejects.toThrow('only a connected call can be held');
    await expect(controls.sendDtmf(id, '1')).rejects.toThrow('DTMF needs a connected call');
    await expect(controls.sendDtmf(id, 'x')).rejects.toThrow(/is not DTMF/);
    await expect(controls.transfer(id, '+12125550199')).rejects.toThrow(
      'only a connected call can be transferred',
    );
    await expect(controls.answer('call-unknown')).rejects.toThrow('no call with id call-unknown');
  });

  it('mutes in the snapshot, and hang-up cancels the outgoing INVITE as "hangup"', async () => {
    const { controls, id, changes } = dialingControls();
    controls.mute(id, true);
    expect(changes.at(-1)).toMatchObject({ id, muted: true });
    await controls.hangup(id);
    expect(changes.at(-1)).toMatchObject({ id, state: 'ended', endReason: 'hangup' });
  });
});

import { describe, expect, it } from 'vitest';
import { createAttendedTransfer } from '../../renderer/phone/attended-transfer';
import { sipfragStatus } from '../../renderer/phone/transfer-progress';
import { AudioOutput } from '../../renderer/phone/audio-output';
import { createCallControls } from '../../renderer/phone/call-controls';
import { createConference } from '../../renderer/phone/conference';
import type { CallPolicySource, PlaceCallResult } from '../../renderer/phone/types';
import { buildRuleIndex } from '../../shared/decision';
import { defaultOrgSettings } from '../../shared/settings';
import { trackedCall } from './phone-helpers';

const policy: CallPolicySource = {
  getIndex: () => buildRuleIndex([]),
  getSettings: () => defaultOrgSettings('US'),
  getLine: () => null,
  getClock: () => ({ nowMs: Date.now(), lastEmergencyCallAtMs: null }),
};

/** One outgoing call on a real sip.js session that never connects (no socket in Node). */
function setUp() {
  const { registry, record } = trackedCall();
  const controls = createCallControls(registry, policy);
  const placed: string[] = [];
  const transfer = createAttendedTransfer({
    registry,
    policy,
    controls,
    placeCall: (dialed): Promise<PlaceCallResult> => {
      placed.push(dialed);
      return Promise.resolve({ kind: 'refused', message: 'not in a unit test' });
    },
    onError: () => undefined,
  });
  // AudioOutput makes its AudioContext only when used: nothing here reaches it.
  const conference = createConference({
    registry,
    controls,
    output: new AudioOutput(),
    onError: () => undefined,
  });
  return { id: record.snapshot.id, registry, transfer, conference, placed };
}

describe('sipfragStatus (the NOTIFY body of a REFER)', () => {
  it('reads the status line, and nothing else', () => {
    expect(sipfragStatus('SIP/2.0 200 OK')).toBe(200);
    expect(sipfragStatus('  SIP/2.0 100 Trying\r\n')).toBe(100);
    expect(sipfragStatus('SIP/2.0 486 Busy Here')).toBe(486);
    expect(sipfragStatus('')).toBeNull();
    expect(sipfragStatus('HTTP/1.1 200 OK')).toBeNull();
  });
});

describe('attended transfer and conference on a call that is not connected', () => {
  it('refuses to consult, and dials nothing', async () => {
    const { id, transfer, placed, registry } = setUp();
    await expect(transfer.consult(id, '+12125550170')).rejects.toThrow(
      'only a connected call can be transferred',
    );
    expect(placed).toEqual([]);
    expect(registry.require(id).snapshot.held).toBe(false);
  });

  it('has no consultation to complete or cancel', async () => {
    const { id, transfer } = setUp();
    await expect(transfer.completeTransfer(id)).rejects.toThrow('this call has no consultation call');
    await expect(transfer.cancelConsult(id)).rejects.toThrow('this call has no consultation call');
  });

  it('cannot be merged, and is in no conference to leave', async () => {
    const { id, conference } = setUp();
    await expect(conference.merge(id)).rejects.toThrow('only a connected call can be merged');
    await expect(conference.leaveConference(id)).rejects.toThrow('this call is not in a conference');
    expect(conference.muteInConference(id, true)).toBe(false);
  });
});

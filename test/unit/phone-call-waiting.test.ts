import { describe, expect, it } from 'vitest';
import { hasWaitingCall } from '../../renderer/phone/call-waiting';
import type { CallSnapshot } from '../../renderer/phone/types';

const call = (state: CallSnapshot['state'], held = false) => ({ state, held }) as CallSnapshot;

describe('hasWaitingCall', () => {
  it('is true only while a call rings and another is connected (held or not)', () => {
    expect(hasWaitingCall([call('incoming')])).toBe(false);
    expect(hasWaitingCall([call('connected')])).toBe(false);
    expect(hasWaitingCall([call('connected'), call('incoming')])).toBe(true);
    expect(hasWaitingCall([call('connected', true), call('incoming')])).toBe(true);
    expect(hasWaitingCall([call('dialing'), call('incoming')])).toBe(false);
    expect(hasWaitingCall([call('ended'), call('incoming')])).toBe(false);
  });
});

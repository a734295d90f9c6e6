import { SessionState } from 'sip.js';
import { describe, expect, it } from 'vitest';
import { endQuietly, endSession } from '../../renderer/phone/session-end';
import { inviterOn, unstartedLine } from './phone-helpers';

describe('endSession on real sip.js sessions (the incoming races are proven in the SIP lab)', () => {
  it('ends an outgoing call that has not been sent yet', async () => {
    const inviter = inviterOn(unstartedLine());
    await endSession(inviter);
    expect(inviter.state).toBe(SessionState.Terminated);
  });

  it('does nothing to a call that is already over', async () => {
    const inviter = inviterOn(unstartedLine());
    await inviter.dispose();
    await expect(endSession(inviter)).resolves.toBeUndefined();
    expect(() => endQuietly(inviter)).not.toThrow();
  });
});

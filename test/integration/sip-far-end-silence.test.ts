/**
 * A far end that goes quiet is not a dead network (SPEC §10.6): the phone restarts ICE when a live call's
 * audio stops arriving, so a far end that simply stops sending — silence suppression, a PBX with nothing
 * to play — must cost at most one re-INVITE per silence, never one every check, and the call must go on.
 * The far end is the plain sip.js caller page (test/sip-lab/three-parties.ts), which stops sending RTP
 * without renegotiating (its SDP stays sendrecv, RTCP and ICE checks go on), through the lab's Kamailio
 * and rtpengine. Run inside a loopback-only network namespace:
 *   unshare -n bash -c 'ip link set lo up; npx vitest run --project integration test/integration/sip-far-end-silence.test.ts'
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEDIA_STALL_MS } from '../../renderer/phone/ice-restart';
import { HEARD_DB } from '../sip-lab/audio-analysis';
import { assertLoopbackOnlyNetwork } from '../sip-lab/lab';
import {
  agentEvents,
  agentHears,
  agentCalls,
  connectA,
  startParties,
  TONE_HZ,
  until,
  type Parties,
} from '../sip-lab/three-parties';

const A_NUMBER = '+12125550150';
/** Long enough for several stall checks in a row: 5 × the stall window. */
const SILENCE_MS = 5 * MEDIA_STALL_MS;

let parties: Parties;

beforeAll(async () => {
  assertLoopbackOnlyNetwork();
  parties = await startParties([]);
}, 60_000);

afterAll(async () => {
  await parties?.close();
});

function reInvitesAtA(callerId: string): Promise<number> {
  return parties.caller.evaluate((id) => window.caller?.reInvites(id) ?? -1, callerId);
}

describe('a far end that stops sending (SPEC §10.6)', () => {
  it('gets one ICE-restart re-INVITE for the whole silence; the call goes on and its audio comes back', async () => {
    const { callerId, callId } = await connectA(parties, A_NUMBER);
    const [before] = await agentHears(parties, [TONE_HZ.a]);
    expect(before, 'the agent hears A before the silence').toBeGreaterThan(HEARD_DB);
    expect(await reInvitesAtA(callerId)).toBe(0);

    await parties.caller.evaluate((id) => window.caller?.stopSending(id, true), callerId);
    await new Promise((resolve) => setTimeout(resolve, SILENCE_MS));
    const [during] = await agentHears(parties, [TONE_HZ.a], 500);
    expect(during, 'A really stopped sending').toBeLessThan(HEARD_DB);
    // One restart for the silence (its retries run only while ICE itself is down, and it is not).
    expect(await reInvitesAtA(callerId)).toBe(1);
    const calls = await agentCalls(parties);
    expect(calls.find((call) => call.id === callId)?.state).toBe('connected');

    await parties.caller.evaluate((id) => window.caller?.stopSending(id, false), callerId);
    await until('the agent hears A again', async () => {
      const [level] = await agentHears(parties, [TONE_HZ.a], 500);
      return (level ?? -200) > HEARD_DB;
    });
    // "Reconnecting…" came and went with the one restart; the card ends on a call that is not reconnecting.
    const snapshots = (await agentEvents(parties))
      .filter((event) => event.type === 'call')
      .map((event) => event.data as { id: string; reconnecting?: boolean })
      .filter((snapshot) => snapshot.id === callId);
    expect(snapshots.at(-1)?.reconnecting).toBe(false);
    expect(await reInvitesAtA(callerId)).toBe(1);

    // A second silence is a new one: one more re-INVITE, not more.
    await parties.caller.evaluate((id) => window.caller?.stopSending(id, true), callerId);
    await new Promise((resolve) => setTimeout(resolve, 3 * MEDIA_STALL_MS));
    expect(await reInvitesAtA(callerId)).toBe(2);
    await parties.caller.evaluate((id) => window.caller?.hangup(id), callerId);
    await until('the agent has no call left', async () => (await agentCalls(parties)).length === 0);
  }, 60_000);
});

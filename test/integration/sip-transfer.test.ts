/**
 * Attended transfer (SPEC §10.2) and the three-way conference (§10.3) against the real lab, with three
 * parties that each send their own tone (test/sip-lab/three-parties.ts): the agent (1000 Hz), A — the
 * plain sip.js caller page, the party being transferred (660 Hz) — and C — a baresip registered with
 * Kamailio that answers by itself, the consultation target (440 Hz). Who hears whom is read per band: at
 * the agent's output tap, in A's page (FFT) and in C's recordings (sox band-pass). Run inside a
 * loopback-only network namespace:
 *   unshare -n bash -c 'ip link set lo up; npx vitest run --project integration test/integration/sip-transfer.test.ts'
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CallSnapshot } from '../../renderer/phone/types';
import { manualRule } from '../helpers/rules';
import { bandRms, HEARD_DB, HEARD_RMS, NOT_HEARD_DB, NOT_HEARD_RMS } from '../sip-lab/audio-analysis';
import { assertLoopbackOnlyNetwork } from '../sip-lab/lab';
import {
  agentCall,
  agentCalls,
  agentEvents,
  agentHears,
  callerCall,
  callerHears,
  connectA,
  consultConnected,
  endLeftoverCalls,
  startConsultTarget as startC,
  startParties,
  TONE_HZ,
  until,
  type ConsultTarget,
  type Parties,
} from '../sip-lab/three-parties';

const A_NUMBER = '+12125550150';
const C_NUMBER = '+12125550170';
const BLOCKED_TARGET = '+12125550100';

const RULES = [manualRule(BLOCKED_TARGET, { reason: 'lab block for the consultation target' })];

let parties: Parties;

beforeAll(async () => {
  assertLoopbackOnlyNetwork();
  parties = await startParties(RULES);
});

afterAll(async () => {
  await parties?.close();
});

/** C of the running test: a failed test must not leave its baresip holding the port. */
let running: ConsultTarget | null = null;
async function startConsultTarget(number: string): Promise<ConsultTarget> {
  running = await startC(number);
  return running;
}

afterEach(async () => {
  const c = running;
  running = null;
  await endLeftoverCalls(parties, c);
});

const kamailioInvites = () => parties.lab.readKamailioLog().split('LAB INVITE').length;
const hangUpA = (id: string) => parties.caller.evaluate((callId) => window.caller?.hangup(callId), id);
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('attended transfer (SPEC §10.2)', () => {
  it('a blocked consultation target is refused and announced before any INVITE; the first call goes on', async () => {
    const a = await connectA(parties, A_NUMBER);
    const invitesBefore = kamailioInvites();
    const result = await parties.agent.evaluate(({ id, to }) => window.lab?.consult(id, to), {
      id: a.callId,
      to: BLOCKED_TARGET,
    });
    expect(result?.kind).toBe('blocked');
    await until('the local announcement finished', async () =>
      (await agentEvents(parties)).some((event) => event.type === 'blocked-finished'),
    );
    expect(kamailioInvites()).toBe(invitesBefore);
    // Never held for a call that never went out: A still hears the agent.
    expect(await agentCall(parties, a.callId)).toMatchObject({ state: 'connected', held: false });
    expect((await agentCalls(parties)).length).toBe(1);
    const [agentTone] = await callerHears(parties, a.callerId, [TONE_HZ.agent]);
    console.log('levels', 'agentTone', [agentTone]);
    expect(agentTone).toBeGreaterThan(HEARD_DB);
    await hangUpA(a.callerId);
    await until('no call left', async () => (await agentCalls(parties)).length === 0);
  });

  it('Complete: A and C hear each other, the agent has no call left', async () => {
    const c = await startConsultTarget(C_NUMBER);
    const a = await connectA(parties, A_NUMBER);
    const consultId = await consultConnected(parties, a.callId, C_NUMBER);
    expect(await agentCall(parties, a.callId)).toMatchObject({ held: true, consultCallId: consultId });
    expect(await agentCall(parties, consultId)).toMatchObject({ consultFor: a.callId });
    // On the consultation the agent hears C, and A (held) is not heard.
    const [cAtAgent, aAtAgent, control] = await agentHears(parties, [TONE_HZ.c, TONE_HZ.a, 1800]);
    console.log('levels', 'cAtAgent, aAtAgent', [cAtAgent, aAtAgent, control]);
    expect(cAtAgent).toBeGreaterThan(HEARD_DB);
    expect(aAtAgent).toBeLessThan(NOT_HEARD_DB);

    await parties.agent.evaluate((id) => window.lab?.completeTransfer(id), consultId);
    // The NOTIFY said the transfer succeeded: the agent's app ended both legs.
    await until('the agent has no call left', async () => (await agentCalls(parties)).length === 0);
    const endReasons = (await agentEvents(parties))
      .filter((event) => event.type === 'call' && (event.data as CallSnapshot).state === 'ended')
      .map((event) => (event.data as CallSnapshot).endReason);
    expect(endReasons).toEqual(['transferred', 'transferred']);

    // A followed the REFER (Replaces copied) into a call with C and hears C's tone, not the agent's.
    const referredId = await until('A followed the REFER', () =>
      parties.caller.evaluate((id) => window.caller?.referredCall(id) ?? null, a.callerId),
    );
    await until('A connected to C', async () => (await callerCall(parties, referredId))?.established);
    const [cAtA, agentAtA] = await callerHears(parties, referredId, [TONE_HZ.c, TONE_HZ.agent], 2000);
    console.log('levels', 'cAtA, agentAtA', [cAtA, agentAtA]);
    expect(cAtA).toBeGreaterThan(HEARD_DB);
    expect(agentAtA).toBeLessThan(NOT_HEARD_DB);
    await hangUpA(referredId);
    await settle(300);
    c.hangUp();
    const recorded = await c.finished;
    // C's two calls: the consultation (the agent's tone) and the call from A (A's tone only).
    expect(recorded.receivedWavs.length, recorded.output).toBe(2);
    const bands = recorded.receivedWavs.map((wav) => ({
      wav,
      agent: bandRms(wav, TONE_HZ.agent),
      a: bandRms(wav, TONE_HZ.a),
    }));
    console.log('C heard', JSON.stringify(bands));
    const fromA = bands.find((band) => band.a > HEARD_RMS);
    expect(fromA, JSON.stringify(bands)).toBeDefined();
    expect(fromA?.agent).toBeLessThan(NOT_HEARD_RMS);
    expect(bands.some((band) => band !== fromA && band.agent > HEARD_RMS)).toBe(true);
  });

  it('Cancel: the consultation ends and A is resumed, both ways', async () => {
    const c = await startConsultTarget(C_NUMBER);
    const a = await connectA(parties, A_NUMBER);
    const consultId = await consultConnected(parties, a.callId, C_NUMBER);
    // The agent talks with C for a moment (and hears C) before cancelling.
    const [cWhileConsulting] = await agentHears(parties, [TONE_HZ.c]);
    expect(cWhileConsulting).toBeGreaterThan(HEARD_DB);
    await parties.agent.evaluate((id) => window.lab?.cancelConsult(id), consultId);
    await until('the consultation ended', async () => (await agentCall(parties, consultId)) === undefined);
    expect(await agentCall(parties, a.callId)).toMatchObject({
      state: 'connected',
      held: false,
      consultCallId: null,
    });
    await settle(500);
    const [aAtAgent, cAtAgent] = await agentHears(parties, [TONE_HZ.a, TONE_HZ.c]);
    console.log('levels', 'aAtAgent, cAtAgent', [aAtAgent, cAtAgent]);
    expect(aAtAgent).toBeGreaterThan(HEARD_DB);
    expect(cAtAgent).toBeLessThan(NOT_HEARD_DB);
    const [agentAtA] = await callerHears(parties, a.callerId, [TONE_HZ.agent]);
    console.log('levels', 'agentAtA', [agentAtA]);
    expect(agentAtA).toBeGreaterThan(HEARD_DB);
    await hangUpA(a.callerId);
    await until('no call left', async () => (await agentCalls(parties)).length === 0);
    c.hangUp();
    const recorded = await c.finished;
    // C heard the agent and never A.
    expect(recorded.receivedWavs.length, recorded.output).toBe(1);
    const [wav] = recorded.receivedWavs;
    expect(bandRms(wav ?? '', TONE_HZ.agent)).toBeGreaterThan(HEARD_RMS);
    expect(bandRms(wav ?? '', TONE_HZ.a)).toBeLessThan(NOT_HEARD_RMS);
  });
});

describe('three-way conference (SPEC §10.3)', () => {
  it('each party hears the other two; when A leaves, the agent and C keep talking', async () => {
    const c = await startConsultTarget(C_NUMBER);
    const a = await connectA(parties, A_NUMBER);
    const consultId = await consultConnected(parties, a.callId, C_NUMBER);
    const conferenceId = await parties.agent.evaluate((id) => window.lab?.merge(id), consultId);
    expect(conferenceId).toBeTruthy();
    for (const id of [a.callId, consultId])
      expect(await agentCall(parties, id)).toMatchObject({ conferenceId, held: false, state: 'connected' });
    await settle(800);
    // The agent hears A and C; A hears the agent and C (C's recording is checked below).
    const [aAtAgent, cAtAgent] = await agentHears(parties, [TONE_HZ.a, TONE_HZ.c]);
    console.log('levels', 'aAtAgent, cAtAgent', [aAtAgent, cAtAgent]);
    expect(aAtAgent).toBeGreaterThan(HEARD_DB);
    expect(cAtAgent).toBeGreaterThan(HEARD_DB);
    const [agentAtA, cAtA] = await callerHears(parties, a.callerId, [TONE_HZ.agent, TONE_HZ.c], 2000);
    console.log('levels', 'agentAtA, cAtA', [agentAtA, cAtA]);
    expect(agentAtA).toBeGreaterThan(HEARD_DB);
    expect(cAtA).toBeGreaterThan(HEARD_DB);

    // A leaves: the agent stays with C in an ordinary call.
    await hangUpA(a.callerId);
    await until('only the call with C is left', async () => {
      const calls = await agentCalls(parties);
      return calls.length === 1 && calls[0]?.id === consultId && !calls[0].conferenceId;
    });
    await settle(500);
    const [cAfter, aAfter] = await agentHears(parties, [TONE_HZ.c, TONE_HZ.a]);
    console.log('levels', 'cAfter, aAfter', [cAfter, aAfter]);
    expect(cAfter).toBeGreaterThan(HEARD_DB);
    expect(aAfter).toBeLessThan(NOT_HEARD_DB);
    await settle(1500);
    await parties.agent.evaluate((id) => window.lab?.hangup(id), consultId);
    await settle(300);
    c.hangUp();
    const recorded = await c.finished;
    expect(recorded.receivedWavs.length, recorded.output).toBe(1);
    const [wav = ''] = recorded.receivedWavs;
    // Over the call C heard both others; in its last 1.5 s (after A left) the agent only.
    expect(bandRms(wav, TONE_HZ.agent)).toBeGreaterThan(HEARD_RMS);
    expect(bandRms(wav, TONE_HZ.a)).toBeGreaterThan(HEARD_RMS);
    expect(bandRms(wav, TONE_HZ.agent, { lastS: 1.5 })).toBeGreaterThan(HEARD_RMS);
    expect(bandRms(wav, TONE_HZ.a, { lastS: 1.5 })).toBeLessThan(NOT_HEARD_RMS);
  });

  it('the agent leaving ends the conference for everyone', async () => {
    const c = await startConsultTarget(C_NUMBER);
    const a = await connectA(parties, A_NUMBER);
    const consultId = await consultConnected(parties, a.callId, C_NUMBER);
    await parties.agent.evaluate((id) => window.lab?.merge(id), consultId);
    await parties.agent.evaluate((id) => window.lab?.leaveConference(id), a.callId);
    await until('no call left', async () => (await agentCalls(parties)).length === 0);
    await until('A was hung up', async () => (await callerCall(parties, a.callerId))?.ended);
    await until('C was hung up', async () => /terminated|closed/i.test(c.output()), 5000).catch(() => {
      throw new Error(`C's call did not end:\n${c.output()}`);
    });
    c.hangUp();
    await c.finished;
  });
});

/**
 * A transfer that fails (SPEC §10.2), against the real lab: the agent is told, and the call stays the
 * agent's. The target is `*486`, which the lab's Kamailio answers `486 Busy Here` itself. Both kinds of
 * transferee in the lab report their own call to the target in a NOTIFY with the final sipfrag, which is
 * what the phone reads: baresip 1.0 (its log says `session closed: 486 Busy Here`, and the phone received
 * `SIP/2.0 486 Busy Here` — found by running this test) and plain sip.js (the caller page: its
 * `Inviter.notifyReferer` sends a NOTIFY for every response of the referred INVITE). The parties are
 * those of test/sip-lab/three-parties.ts (the agent sends 1000 Hz, A — the caller page — 660 Hz, C — a
 * registered baresip that answers by itself — 440 Hz); here a second baresip calls the agent too.
 * Run inside a loopback-only network namespace:
 *   unshare -n bash -c 'ip link set lo up; npx vitest run --project integration test/integration/sip-transfer-failed.test.ts'
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bandRms, HEARD_DB, HEARD_RMS } from '../sip-lab/audio-analysis';
import { baresipCall } from '../sip-lab/baresip';
import { pcmuWindowWav, startRtpCapture } from '../sip-lab/rtp-capture';
import { assertLoopbackOnlyNetwork } from '../sip-lab/lab';
import {
  agentCall,
  agentCalls,
  agentHears,
  callerCall,
  callerHears,
  connectA,
  consultConnected,
  endLeftoverCalls,
  startConsultTarget,
  startParties,
  TONE_HZ,
  until,
  type ConsultTarget,
  type Parties,
} from '../sip-lab/three-parties';

const BUSY = '*486';
const A_NUMBER = '+12125550150';
const B_NUMBER = '+12125550160';
const C_NUMBER = '+12125550170';
/** B's RTP ports: what it is sent there is captured (tcpdump). */
const B_RTP_PORTS = { from: 31600, to: 31700 } as const;
const workDir = mkdtempSync(join(tmpdir(), 'blockline-transfer-failed-'));

let parties: Parties;
let consultTarget: ConsultTarget | null = null;

beforeAll(async () => {
  assertLoopbackOnlyNetwork();
  parties = await startParties([]);
});

afterAll(async () => {
  await parties?.close();
});

afterEach(async () => {
  await parties.caller.evaluate(() => window.caller?.refuseRefers(null));
  const c = consultTarget;
  consultTarget = null;
  await endLeftoverCalls(parties, c);
});

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const kamailioInvitesTo = (user: string) =>
  parties.lab
    .readKamailioLog()
    .split('\n')
    .filter((line) => line.includes('LAB INVITE') && line.includes(`ruri=sip:${user}@`)).length;
/** RTP packets the agent received on a call over `ms`. */
async function packetsOver(callId: string, ms: number): Promise<number> {
  const stats = () => parties.agent.evaluate((id) => window.lab?.stats(id), callId);
  const before = await stats();
  await settle(ms);
  const after = await stats();
  return (after?.packetsReceived ?? 0) - (before?.packetsReceived ?? 0);
}
const failedTransfer = (callId: string) =>
  until(
    'the transfer failed',
    async () => {
      const call = await agentCall(parties, callId);
      return call?.transfer?.state === 'failed' ? call : undefined;
    },
    15_000,
  );

describe('a blind transfer to a busy target (SPEC §10.2)', () => {
  // One retry: in one clean-clone CI run in four the call closed under the resume's re-INVITE (baresip
  // 1.0 after its failed transfer; the page error is printed) and the test timed out. The sip.js case
  // below proves the same behaviour without that nondeterminism.
  it(
    'baresip: the phone shows the failure with 486, and resumes the call with audio both ways',
    { retry: 1, timeout: 60_000 },
    async () => {
      let baresipLog = '';
      let quitBaresip: () => void = () => undefined;
      const capture = await startRtpCapture(join(workDir, 'b.pcap'), B_RTP_PORTS);
      const b = baresipCall({
        from: `sip:${B_NUMBER}@127.0.0.1`,
        target: 'sip:agent1@127.0.0.1',
        durationS: 30,
        port: 5096,
        rtpPorts: `${B_RTP_PORTS.from}-${B_RTP_PORTS.to}`,
        onLine: (line, quit) => {
          baresipLog += `${line}\n`;
          quitBaresip = quit;
        },
      });
      try {
        const call = await until(
          'the agent connected to baresip',
          async () => (await agentCalls(parties)).find((candidate) => candidate.state === 'connected'),
          15_000,
        );
        const invitesBefore = kamailioInvitesTo(BUSY);
        await parties.agent.evaluate(({ id, to }) => window.lab?.transfer(id, to), { id: call.id, to: BUSY });
        const failed = await failedTransfer(call.id);
        expect(failed.transfer).toMatchObject({
          kind: 'blind',
          target: BUSY,
          state: 'failed',
          statusCode: 486,
          detail: 'busy (486 Busy Here)',
        });
        // baresip really followed the REFER: its INVITE for *486 went through Kamailio and got the 486.
        expect(kamailioInvitesTo(BUSY)).toBe(invitesBefore + 1);
        expect(baresipLog).toMatch(/session closed: 486 Busy Here/);
        // The call is the agent's again: connected and resumed (it was held while the transfer was tried) …
        const resumed = await until('the call was resumed', async () => {
          const snapshot = await agentCall(parties, call.id);
          return snapshot?.held === false ? snapshot : undefined;
        });
        expect(resumed).toMatchObject({ state: 'connected', endReason: null });
        // … with baresip's audio flowing to the agent again (≈ 50 packets/s; held, baresip sends none) …
        await settle(300);
        expect(await packetsOver(call.id, 1000)).toBeGreaterThan(30);
        const resumedFrom = Date.now();
        await settle(1500);
        const resumedTo = Date.now();
        await parties.agent.evaluate((id) => window.lab?.hangup(id), call.id);
        await until('baresip saw the BYE', async () =>
          /agent1@127\.0\.0\.1: session closed/.test(baresipLog),
        );
        quitBaresip();
        await b;
        await capture.stop();
        // … and the agent's tone sent to baresip after the resume (the last 1.5 s before the hang-up), read
        // off the wire: baresip's own recording stops at the hold's re-INVITE (test/sip-lab/README.md).
        const sent = pcmuWindowWav(
          capture.file,
          { fromMs: resumedFrom, toMs: resumedTo },
          join(workDir, 'b.wav'),
        );
        const agentAfterResume = bandRms(sent, TONE_HZ.agent);
        console.log('baresip was sent the agent after the resume (RMS)', agentAfterResume);
        expect(agentAfterResume).toBeGreaterThan(HEARD_RMS);
      } finally {
        quitBaresip();
        await capture.stop();
      }
    },
  );

  it('sip.js (the caller page): the same failure, and A still hears the agent', async () => {
    const a = await connectA(parties, A_NUMBER);
    await parties.agent.evaluate(({ id, to }) => window.lab?.transfer(id, to), { id: a.callId, to: BUSY });
    const failed = await failedTransfer(a.callId);
    expect(failed.transfer).toMatchObject({ kind: 'blind', statusCode: 486, detail: 'busy (486 Busy Here)' });
    await until('the call was resumed', async () => (await agentCall(parties, a.callId))?.held === false);
    // A's own INVITE to *486 was refused, so A never left: its first call is still up.
    expect(await callerCall(parties, a.callerId)).toMatchObject({ established: true, ended: false });
    const referred = await parties.caller.evaluate((id) => window.caller?.referredCall(id), a.callerId);
    expect(referred).not.toBeNull();
    expect(await callerCall(parties, referred ?? '')).toMatchObject({ established: false, ended: true });
    await settle(500);
    const [agentAtA] = await callerHears(parties, a.callerId, [TONE_HZ.agent]);
    const [aAtAgent] = await agentHears(parties, [TONE_HZ.a]);
    console.log('levels', 'agentAtA, aAtAgent', [agentAtA, aAtAgent]);
    expect(agentAtA).toBeGreaterThan(HEARD_DB);
    expect(aAtAgent).toBeGreaterThan(HEARD_DB);
    // Read and dismissed: the notice goes, the call goes on.
    await parties.agent.evaluate((id) => window.lab?.dismissTransfer(id), a.callId);
    expect(await agentCall(parties, a.callId)).toMatchObject({ state: 'connected', transfer: null });
  });
});

describe('an attended transfer the transferee refuses (SPEC §10.2)', () => {
  it('both legs stay (A held, C connected); Cancel resumes A with audio', async () => {
    consultTarget = await startConsultTarget(C_NUMBER);
    const a = await connectA(parties, A_NUMBER);
    const consultId = await consultConnected(parties, a.callId, C_NUMBER);
    // A phone that will not be transferred answers the REFER 603.
    await parties.caller.evaluate(() => window.caller?.refuseRefers(603));
    await parties.agent.evaluate((id) => window.lab?.completeTransfer(id), consultId);
    const failed = await failedTransfer(a.callId);
    expect(failed).toMatchObject({ state: 'connected', held: true, consultCallId: consultId });
    expect(failed.transfer).toMatchObject({ kind: 'attended', number: C_NUMBER, statusCode: 603 });
    expect(failed.transfer?.detail).toBe('the other side would not transfer the call (603 Decline)');
    expect(await agentCall(parties, consultId)).toMatchObject({ state: 'connected', consultFor: a.callId });
    expect(await callerCall(parties, a.callerId)).toMatchObject({ established: true, ended: false });

    await parties.agent.evaluate((id) => window.lab?.cancelConsult(id), consultId);
    await until('the consultation ended', async () => (await agentCall(parties, consultId)) === undefined);
    expect(await agentCall(parties, a.callId)).toMatchObject({
      held: false,
      transfer: null,
      consultCallId: null,
    });
    await settle(500);
    const [agentAtA] = await callerHears(parties, a.callerId, [TONE_HZ.agent]);
    console.log('levels', 'agentAtA', [agentAtA]);
    expect(agentAtA).toBeGreaterThan(HEARD_DB);
  });
});

/**
 * Call quality (SPEC §10.7) against the real lab: sipp calls the phone through Kamailio and rtpengine
 * and replays a doctored RTP capture — clean at first, then with packets left out and sent unevenly —
 * so loss and jitter hit the media only. The phone's once-a-second estimate must start good, drop, and
 * report figures matching what was injected. Run inside a loopback-only network namespace:
 *   unshare -n bash -c 'ip link set lo up; npx vitest run --project integration test/integration/sip-quality.test.ts'
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallQuality } from '../../renderer/phone/quality-monitor';
import type { CallSnapshot } from '../../renderer/phone/types';
import { assertLoopbackOnlyNetwork } from '../sip-lab/lab';
import {
  LAB_AGENT,
  openHarnessPage,
  startLabPhone,
  startPhone,
  waitForConnectedCall,
  type LabPhone,
} from '../sip-lab/lab-phone';
import { doctoredRtpPcap } from '../sip-lab/rtp-pcap';
import { runUac } from '../sip-lab/sipp';

let phone: LabPhone;
let page: Page;

beforeAll(async () => {
  assertLoopbackOnlyNetwork();
  phone = await startLabPhone();
  page = phone.page;
  expect(phone.lines?.[0]?.status).toBe('registered');
});

afterAll(async () => {
  await phone?.close();
});

interface Seen {
  /** ms since the call connected. */
  atMs: number;
  quality: CallQuality;
}

describe('call quality (SPEC §10.7)', () => {
  it('loss and jitter injected on the media: the estimate drops, and its figures match what was sent', async () => {
    const cleanLeadS = 6;
    const capture = doctoredRtpPcap({ durationS: 15, cleanLeadS, dropEvery: 12, lateByMs: 12, wobbleMs: 4 });
    const caller = runUac({
      scenario: 'uac-quality',
      caller: { callerUri: 'sip:+12125550150@127.0.0.1' },
      variables: { hold_ms: '15500' },
      files: { 'doctored.pcap': capture.pcap },
      timeoutS: 40,
    });

    const seen: Seen[] = [];
    let connectedAt: number | null = null;
    let ended = false;
    const deadline = Date.now() + 30_000;
    while (!ended && Date.now() < deadline) {
      const calls: CallSnapshot[] = (await page.evaluate(() => window.lab?.calls() ?? [])) ?? [];
      const call = calls[0];
      if (call?.connectedAt) connectedAt = call.connectedAt;
      if (call?.quality && connectedAt !== null)
        seen.push({ atMs: Date.now() - connectedAt, quality: call.quality });
      ended = connectedAt !== null && calls.length === 0;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const result = await caller;
    expect(result.exitCode, result.screen + result.stderr).toBe(0);
    expect(connectedAt, 'the call never connected').not.toBeNull();

    // While the capture is clean (the 5 s loss window lies inside the clean lead): good, no loss.
    const clean = seen.filter((sample) => sample.atMs > 3000 && sample.atMs < cleanLeadS * 1000 - 500);
    expect(clean.length, JSON.stringify(seen.slice(0, 10))).toBeGreaterThan(2);
    for (const { quality } of clean) {
      expect(quality.grade).toBe('good');
      expect(quality.figures.lossPercent).toBeLessThan(1);
      // sipp's own timing on a busy 2-core machine adds a few ms (up to 8 at a load of 14); the injected
      // jitter is above it.
      expect(quality.figures.jitterMs).toBeLessThan(capture.jitterMs);
      expect(quality.figures.codec).toBe('PCMU');
    }

    // Once the whole window is doctored: poor, and the figures are what the capture holds.
    const doctored = seen.filter((sample) => sample.atMs > (cleanLeadS + 5.5) * 1000 && sample.atMs < 14_500);
    expect(doctored.length, JSON.stringify(seen.slice(-10))).toBeGreaterThan(1);
    for (const { quality } of doctored) {
      expect(quality.grade).toBe('poor');
      expect(quality.figures.lossPercent).toBeGreaterThan(capture.lossPercent - 2);
      expect(quality.figures.lossPercent).toBeLessThan(capture.lossPercent + 2);
      expect(quality.figures.jitterMs).toBeGreaterThan(capture.jitterMs - 3);
      // The sender's own scheduling noise adds to the injected jitter on a loaded machine.
      expect(quality.figures.jitterMs).toBeLessThan(capture.jitterMs + 9);
    }
    // The worst figures (kept for history) are at least as bad as what was injected.
    const last = seen.at(-1)?.quality;
    expect(last?.worst.mos).toBeLessThan(3.6);
    expect(last?.worst.lossPercent).toBeGreaterThan(capture.lossPercent - 2);
    console.log(
      `quality: injected loss ${capture.lossPercent.toFixed(2)} % jitter ${capture.jitterMs.toFixed(1)} ms;` +
        ` measured ${JSON.stringify(doctored.at(-1)?.quality.figures)} mos ${doctored.at(-1)?.quality.mos}` +
        ` (clean mos ${clean.at(-1)?.quality.mos})`,
    );
  });
});

describe('network settings reach the call (SPEC §10.8)', () => {
  it('the account’s STUN/TURN servers, with the TURN credential from the keychain, are the peer connection’s', async () => {
    const second = await openHarnessPage(phone.browser, phone.harness.url);
    try {
      const turn = 'turn:127.0.0.1:3478?transport=udp';
      const lines = await startPhone(second, {
        account: {
          ...LAB_AGENT,
          id: 'agent2',
          sipUri: 'sip:agent2@127.0.0.1',
          // Nothing listens there: gathering gives up after the account's timeout and the call goes on.
          iceServers: [{ url: 'stun:127.0.0.1:3479' }, { url: turn, username: 'agent2' }],
          iceGatheringTimeoutMs: 300,
        },
        iceCredentials: { [turn]: 'turn-secret' },
      });
      expect(lines?.[0]?.status).toBe('registered');
      const caller = runUac({
        scenario: 'uac-ring',
        caller: { callerUri: 'sip:+12125550150@127.0.0.1' },
        toUser: 'agent2',
      });
      await waitForConnectedCall(second, 10_000);
      const iceServers = await second.evaluate(() => {
        const call = window.lab?.calls()[0];
        return call ? window.lab?.iceServers(call.id) : null;
      });
      // getConfiguration() gives urls as arrays and empty user/credential fields for the STUN entry.
      expect(iceServers).toEqual([
        { urls: ['stun:127.0.0.1:3479'], username: '', credential: '' },
        { urls: [turn], username: 'agent2', credential: 'turn-secret' },
      ]);
      const result = await caller;
      expect(result.exitCode, result.screen).toBe(0);
    } finally {
      await second.evaluate(() => window.lab?.dispose()).catch(() => undefined);
      await second.close();
    }
  });
});

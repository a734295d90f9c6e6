/**
 * A live call relayed through the lab's TURN server (Debian's coturn on loopback) whose media path
 * changes (SPEC §10.6, issue 13 scenario 4): the account relays media only through TURN with the
 * credentials from its settings (the keychain's credential), the TURN server is restarted mid-call (every
 * allocation gone), the phone restarts ICE by a re-INVITE through Kamailio and rtpengine, "Reconnecting…"
 * shows meanwhile, and audio resumes within 5 s. An ICE restart on demand keeps the call's audio.
 *   unshare -n bash -c 'ip link set lo up; npx vitest run --project integration test/integration/sip-turn.test.ts'
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallSnapshot } from '../../renderer/phone/types';
import { baresipCall, type BaresipCallResult } from '../sip-lab/baresip';
import { assertLoopbackOnlyNetwork } from '../sip-lab/lab';
import { LAB_AGENT, startLabPhone, waitForConnectedCall, type LabPhone } from '../sip-lab/lab-phone';
import { startTurnServer, TURN_PASSWORD, TURN_URL, TURN_USER, type TurnServer } from '../sip-lab/turn';

/** Issue 13: audio resumes within this long after the media path changed. */
const RESUME_WITHIN_MS = 5000;

let phone: LabPhone;
let turn: TurnServer;
let page: Page;
let workDir: string;

beforeAll(async () => {
  assertLoopbackOnlyNetwork();
  phone = await startLabPhone({
    account: {
      ...LAB_AGENT,
      iceServers: [{ url: TURN_URL, username: TURN_USER }],
      // A TURN allocation takes a round trip or two more than host candidates.
      iceGatheringTimeoutMs: 1500,
      relayOnly: true,
    },
    // As the keychain gives it: the TURN credential by server URL.
    iceCredentials: { [TURN_URL]: TURN_PASSWORD },
  });
  ({ page, workDir } = phone);
  expect(phone.lines?.[0]?.status).toBe('registered');
  // Only calls allocate on it: registering needed none.
  mkdirSync(join(workDir, 'turn'));
  turn = await startTurnServer(join(workDir, 'turn'));
});

afterAll(async () => {
  await phone?.close();
  await turn?.stop();
});

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function packetsReceived(callId: string): Promise<number> {
  return (await page.evaluate((id) => window.lab?.stats(id), callId))?.packetsReceived ?? 0;
}

/** Polls the call's received packets: when they flow again after `since` (epoch ms), or null. */
async function resumedAfter(callId: string, since: number, timeoutMs: number): Promise<number | null> {
  let last = await packetsReceived(callId);
  let stalled = false;
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    await delay(100);
    const now = await packetsReceived(callId);
    // Flowing again: more than a trickle (≥ 5 packets, 100 ms of audio) after a stall.
    if (stalled && now - last >= 5) return Date.now() - since;
    if (now - last < 2) stalled = true;
    last = now;
  }
  return null;
}

async function callEvents(callId: string): Promise<CallSnapshot[]> {
  return ((await page.evaluate(() => window.lab?.events())) ?? [])
    .filter((event) => event.type === 'call')
    .map((event) => event.data as CallSnapshot)
    .filter((call) => call.id === callId);
}

function allocationsBy(user: string): number {
  // coturn's verbose log: "… user <agent1-turn>: incoming packet ALLOCATE processed, success"
  return turn
    .readLog()
    .split('\n')
    .filter((line) => line.includes(`user <${user}>`) && /ALLOCATE processed, success/.test(line)).length;
}

describe('a call relayed through TURN whose path changes (SPEC §10.6, §10.8)', () => {
  it('relayed with the account’s TURN credentials; TURN restarted mid-call: Reconnecting…, ICE restarted, audio back within 5 s', async () => {
    let hangUp: (() => void) | null = null;
    const call: Promise<BaresipCallResult> = baresipCall({
      from: 'sip:+12125550150@127.0.0.1',
      target: 'sip:agent1@127.0.0.1',
      durationS: 40,
      dir: join(workDir, 'baresip'),
      onLine: (_line, end) => {
        hangUp = end;
      },
    });
    const callId = await waitForConnectedCall(page, 20_000);
    try {
      // Media flows, only through the relay, allocated with the account's user name and credential.
      await expect.poll(() => packetsReceived(callId), { timeout: 5000 }).toBeGreaterThan(25);
      expect(await page.evaluate((id) => window.lab?.iceServers(id), callId)).toEqual([
        { urls: [TURN_URL], username: TURN_USER, credential: TURN_PASSWORD },
      ]);
      expect(allocationsBy(TURN_USER)).toBeGreaterThanOrEqual(1);
      const allocationsBefore = allocationsBy(TURN_USER);

      // The path changes: the TURN server restarts and forgets every allocation.
      const changedAt = Date.now();
      await turn.restart();
      const resumedMs = await resumedAfter(callId, changedAt, 15_000);
      console.log(`METRIC sip.ice_restart_resume.ms ${resumedMs ?? -1} ms`);
      expect(resumedMs, 'audio resumed after the TURN restart').not.toBeNull();
      expect(resumedMs ?? Infinity).toBeLessThanOrEqual(RESUME_WITHIN_MS);
      const seen = await callEvents(callId);
      expect(seen.some((snapshot) => snapshot.reconnecting === true)).toBe(true);
      await expect.poll(async () => (await callEvents(callId)).at(-1)?.reconnecting).toBe(false);
      expect(seen.every((snapshot) => snapshot.state === 'connected')).toBe(true);
      // The new path is a new allocation on the restarted server, with the same credentials.
      expect(allocationsBy(TURN_USER)).toBeGreaterThan(allocationsBefore);

      // On demand: the app restarts ICE on a working relayed call; its audio keeps flowing.
      const before = await packetsReceived(callId);
      await page.evaluate((id) => window.lab?.restartIce(id), callId);
      await delay(1500);
      expect((await packetsReceived(callId)) - before).toBeGreaterThan(40);
      const calls = (await page.evaluate(() => window.lab?.calls())) ?? [];
      expect(calls.find((entry) => entry.id === callId)?.state).toBe('connected');
      const errors = ((await page.evaluate(() => window.lab?.events())) ?? []).filter(
        (event) => event.type === 'error',
      );
      expect(errors).toEqual([]);
    } finally {
      await page.evaluate((id) => window.lab?.hangup(id), callId).catch(() => undefined);
      (hangUp as (() => void) | null)?.();
      await call;
    }
  });
});

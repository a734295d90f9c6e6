/**
 * The org's own announcement heard by a real caller (SPEC §12.5): a lead uploads a quiet recording to
 * the real org server, which normalizes it; the phone (in Debian's Chromium, registered with the lab's
 * Kamailio) takes the WAV the server serves, and a blocked baresip caller's recording of what it heard
 * through rtpengine matches the uploaded clip's length, at the normalized level — not the built-in clip.
 * Run inside a loopback-only network namespace:
 *   unshare -n bash -c 'ip link set lo up; npx vitest run --project integration test/integration/sip-org-announcement.test.ts'
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../server/app';
import { openDatabase, type Database } from '../../server/db/database';
import { TARGET_LEVEL_DBFS } from '../../server/announcement-audio';
import { manualRule } from '../helpers/rules';
import { toneWav } from '../helpers/server-announcements-suite';
import { makeOrg, type TestOrg } from '../helpers/server-harness';
import { soxVoicedStats } from '../sip-lab/audio-analysis';
import { baresipCall } from '../sip-lab/baresip';
import { ANNOUNCEMENT_DIR } from '../sip-lab/browser';
import type { HarnessEvent } from '../sip-lab/harness/api';
import { assertLoopbackOnlyNetwork } from '../sip-lab/lab';
import { startLabPhone, type LabPhone } from '../sip-lab/lab-phone';

const BLOCKED = '+12125550100';
/** The uploaded clip: 4.2 s (the built-in one is 3.5 s) of a 700 Hz tone at −33 dBFS RMS (quiet). */
const UPLOAD_SECONDS = 4.2;
const UPLOAD_RMS = 0.03 / Math.SQRT2;

let phone: LabPhone;
let page: Page;
let database: Database;
let app: FastifyInstance;
let org: TestOrg;

beforeAll(async () => {
  assertLoopbackOnlyNetwork();
  const workDir = mkdtempSync(join(tmpdir(), 'blockline-sip-org-announcement-'));
  database = await openDatabase(`sqlite:${join(workDir, 'server.sqlite')}`);
  org = await makeOrg(database);
  app = await buildServer({ db: database, rateLimit: false, sweepIntervalMs: false });
  phone = await startLabPhone({
    workDir,
    rules: [manualRule(BLOCKED, { reason: 'lab block' })],
    autoAnswer: 'decline',
  });
  page = phone.page;
  expect(phone.lines?.[0]?.status).toBe('registered');
});

afterAll(async () => {
  await phone?.close();
  await app?.close();
  await database?.close();
});

async function blockedCallHeard(): Promise<{ durationS: number; rms: number }> {
  await page.evaluate(() => window.lab?.clearEvents());
  const call = await baresipCall({
    from: `sip:${BLOCKED}@127.0.0.1`,
    target: 'sip:agent1@127.0.0.1',
    durationS: 8,
  });
  expect(call.output).toMatch(/603|Decline/i);
  const [recording] = call.receivedWavs;
  expect(recording, call.output).toBeDefined();
  const events = await page.evaluate(() => window.lab?.events() ?? ([] as HarnessEvent[]));
  expect(events.filter((event) => event.type === 'incoming')).toHaveLength(0);
  expect(events.find((event) => event.type === 'blocked-finished')?.data).toMatchObject({
    outcome: 'announced',
  });
  return soxVoicedStats(recording ?? '');
}

describe("the org's own announcement in the SIP lab (SPEC §12.5)", () => {
  it('a blocked caller hears the uploaded recording: its length, at the normalized level', async () => {
    const uploaded = await app.inject({
      method: 'PUT',
      url: '/v1/announcements/inbound',
      headers: { authorization: `Bearer ${org.tokens.lead}`, 'content-type': 'audio/wav' },
      payload: toneWav({ seconds: UPLOAD_SECONDS, amplitude: 0.03, frequency: 700, sampleRate: 48_000 }),
    });
    expect(uploaded.statusCode, uploaded.body).toBe(200);
    const { version } = JSON.parse(uploaded.body) as { version: string };
    const served = await app.inject({
      method: 'GET',
      url: '/v1/announcements/inbound',
      headers: { authorization: `Bearer ${org.tokens.agent}` },
    });
    expect(served.statusCode).toBe(200);
    await page.evaluate((clip) => window.lab?.useAnnouncement('inbound', clip), {
      version,
      audioBase64: served.rawPayload.toString('base64'),
    });

    const heard = await blockedCallHeard();
    const builtInS = soxVoicedStats(join(ANNOUNCEMENT_DIR, 'blocked-inbound.wav')).durationS;
    const normalizedRms = 10 ** (TARGET_LEVEL_DBFS / 20);
    console.log(
      `org announcement heard: ${heard.durationS.toFixed(2)} s at RMS ${heard.rms.toFixed(4)} ` +
        `(uploaded ${UPLOAD_SECONDS} s at RMS ${UPLOAD_RMS.toFixed(4)}, normalized ${normalizedRms.toFixed(4)}; built-in ${builtInS.toFixed(2)} s)`,
    );
    // Its length, not the built-in clip's (±0.3 s: G.711 framing, the jitter buffer, the silence trim).
    expect(Math.abs(heard.durationS - UPLOAD_SECONDS)).toBeLessThan(0.3);
    expect(Math.abs(heard.durationS - builtInS)).toBeGreaterThan(0.4);
    // At the normalized level (within ±2 dB after G.711), far above the quiet upload.
    const heardDb = 20 * Math.log10(heard.rms);
    expect(Math.abs(heardDb - TARGET_LEVEL_DBFS)).toBeLessThan(2);
    expect(heard.rms).toBeGreaterThan(UPLOAD_RMS * 3);
  });

  it('after a revert the caller hears the built-in clip again', async () => {
    await page.evaluate(() => window.lab?.useAnnouncement('inbound', null));
    const heard = await blockedCallHeard();
    const builtIn = soxVoicedStats(join(ANNOUNCEMENT_DIR, 'blocked-inbound.wav'));
    expect(heard.durationS).toBeGreaterThan(builtIn.durationS * 0.8);
    expect(heard.durationS).toBeLessThan(builtIn.durationS * 1.2);
  });
});

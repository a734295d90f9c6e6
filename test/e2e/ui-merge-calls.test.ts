/**
 * The ordinary call-waiting conference (SPEC §10.1, §10.3) from the UI, against the real SIP lab: two
 * baresip callers ring the agent one after the other, the agent answers both (the first goes on hold),
 * then *Merge calls* on the live call's card joins them and *Leave conference* ends both — every step
 * from the keyboard, axe-checked in both themes. Each party sends its own tone (the agent's fake
 * microphone 1000 Hz, caller 1 660 Hz, caller 2 440 Hz), and what each caller was sent while the
 * conference lasted is read off the wire (tcpdump at its RTP ports, test/sip-lab/rtp-capture.ts): the
 * other caller's tone and the agent's. Not baresip's own recording: it stops at the hold's re-INVITE.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bandRms, HEARD_RMS, toneWav } from '../sip-lab/audio-analysis';
import { fakeMicrophoneArg } from '../sip-lab/browser';
import { baresipCall, type BaresipCallResult } from '../sip-lab/baresip';
import { pcmuWindowWav, startRtpCapture, type RtpCapture } from '../sip-lab/rtp-capture';
import {
  rendererErrors,
  screenshot,
  seriousViolations,
  startUiEnv,
  type AppInstance,
  type UiEnv,
} from './ui-harness';
import { addLabSipAccount, AGENT_ONE } from './ui-sip-account';

const TONE_HZ = { agent: 1000, first: 660, second: 440 } as const;
/** Each caller's RTP ports (baresip picks one pair in the range). */
const RTP_PORTS = { first: { from: 31600, to: 31650 }, second: { from: 31660, to: 31710 } } as const;
/** A caller sent its own voice back would get it at ≈ 0.2: the mix never does (it stays ≈ 0.003). */
const ECHO_RMS = 0.05;
/** How long the conference lasts before the agent leaves; its first 500 ms are left out of the check. */
const CONFERENCE_MS = 3000;

const workDir = mkdtempSync(join(tmpdir(), 'blockline-merge-calls-'));
let env: UiEnv;
let agent: AppInstance;

beforeAll(async () => {
  const agentTone = toneWav(join(workDir, 'agent-tone.wav'), TONE_HZ.agent, 120);
  env = await startUiEnv({ sipLab: true, chromiumArgs: [fakeMicrophoneArg(agentTone)] });
  agent = await env.openApp({ role: 'agent', viewport: { width: 1100, height: 820 } });
});
afterAll(async () => {
  await env?.close();
});

/** Presses Tab until the focused element's text is `text` (at most `limit` presses): it is reachable by keyboard. */
async function tabTo(page: Page, text: string, limit = 60): Promise<void> {
  for (let presses = 0; presses < limit; presses += 1) {
    await page.keyboard.press('Tab');
    if ((await page.evaluate(() => document.activeElement?.textContent?.trim())) === text) return;
  }
  throw new Error(`"${text}" was not reached with ${limit} presses of Tab`);
}

/** Waits for the incoming-call dialog, checks its caller, and answers with Enter (Answer has the focus). */
async function answerByKeyboard(page: Page, shownCaller: string): Promise<void> {
  const incoming = page.getByRole('dialog', { name: 'Incoming call' });
  await incoming.waitFor({ timeout: 15_000 });
  expect(await incoming.textContent()).toContain(shownCaller);
  await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Answer');
  await page.keyboard.press('Enter');
  await incoming.waitFor({ state: 'detached', timeout: 10_000 });
}

describe('merging two waiting calls into a conference from the UI', () => {
  it('registers the agent’s line', async () => {
    await addLabSipAccount(agent.page, AGENT_ONE);
  });

  it('caller 1 held, caller 2 live: Merge calls → both hear each other; Leave conference ends both (keyboard only)', async () => {
    const { page } = agent;
    const logs = { first: '', second: '' };
    const quits: Record<keyof typeof logs, () => void> = { first: () => undefined, second: () => undefined };
    const caller = (which: keyof typeof logs, from: string, port: number) =>
      baresipCall({
        from,
        target: 'sip:agent1@127.0.0.1',
        toneHz: TONE_HZ[which],
        durationS: 60,
        port,
        rtpPorts: `${RTP_PORTS[which].from}-${RTP_PORTS[which].to}`,
        dir: join(workDir, which),
        onLine: (line, quit) => {
          logs[which] += `${line}\n`;
          quits[which] = quit;
        },
      });
    const captures: RtpCapture[] = [
      await startRtpCapture(join(workDir, 'first.pcap'), RTP_PORTS.first),
      await startRtpCapture(join(workDir, 'second.pcap'), RTP_PORTS.second),
    ];
    const conference = { fromMs: 0, toMs: 0 };
    const first = caller('first', 'sip:+13125550141@127.0.0.1', 5192);
    let second: Promise<BaresipCallResult> | null = null;
    try {
      await answerByKeyboard(page, '(312) 555-0141');
      const firstCard = page.getByRole('article', { name: 'Call with (312) 555-0141' });
      await firstCard.getByText(/^\d+:\d\d$/).waitFor({ timeout: 10_000 });

      second = caller('second', 'sip:+14155550142@127.0.0.1', 5194);
      await answerByKeyboard(page, '(415) 555-0142');
      const secondCard = page.getByRole('article', { name: 'Call with (415) 555-0142' });
      await secondCard.getByText(/^\d+:\d\d$/).waitFor({ timeout: 10_000 });
      await firstCard.getByText('On hold', { exact: true }).waitFor({ timeout: 10_000 });
      // Only the live call offers the merge.
      expect(await firstCard.getByRole('button', { name: 'Merge calls' }).count()).toBe(0);

      await tabTo(page, 'Merge calls');
      expect(
        await secondCard.getByRole('group', { name: 'Conference' }).getByRole('button').textContent(),
      ).toBe('Merge calls');
      await page.keyboard.press('Enter');

      // Both cards are the conference's legs: neither on hold, both with their timers and Leave conference.
      const panel = page.getByRole('region', { name: '2 calls in progress' });
      for (const card of [firstCard, secondCard]) {
        await card.getByText('In a conference: everyone hears everyone').waitFor({ timeout: 10_000 });
        await card.getByRole('button', { name: 'Leave conference' }).waitFor();
        await card.getByText(/^\d+:\d\d$/).waitFor();
      }
      expect(await panel.getByText('On hold', { exact: true }).count()).toBe(0);
      expect(await panel.getByRole('button', { name: 'Resume' }).count()).toBe(0);
      expect(await panel.getByRole('button', { name: 'Merge calls' }).count()).toBe(0);
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      for (const theme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: theme });
        expect(await seriousViolations(page)).toEqual([]);
        await screenshot(page, `merged-calls-${theme}`);
      }
      await page.emulateMedia({ colorScheme: 'light' });
      conference.fromMs = Date.now() + 500;
      await page.waitForTimeout(CONFERENCE_MS);
      conference.toMs = Date.now();

      await tabTo(page, 'Leave conference');
      await page.keyboard.press('Enter');
      await page.getByTestId('in-call').first().waitFor({ state: 'detached', timeout: 10_000 });
      // The agent ended both calls: each caller got the BYE.
      await expect
        .poll(() => /agent1@127\.0\.0\.1: session closed/.test(logs.first), { timeout: 10_000 })
        .toBe(true);
      await expect
        .poll(() => /agent1@127\.0\.0\.1: session closed/.test(logs.second), { timeout: 10_000 })
        .toBe(true);
      // Both calls are in the history, answered.
      const entries = page.getByTestId('history-entry');
      await expect
        .poll(async () => `${await entries.nth(0).textContent()} | ${await entries.nth(1).textContent()}`)
        .toMatch(/^(?=.*\(312\) 555-0141.*Answered)(?=.*\(415\) 555-0142.*Answered)/);
    } finally {
      quits.first();
      quits.second();
      await Promise.all([first, second]);
      for (const capture of captures) await capture.stop();
    }
    // While the conference lasted, each caller was sent the other caller and the agent.
    const sent = (which: 'first' | 'second') =>
      pcmuWindowWav(join(workDir, `${which}.pcap`), conference, join(workDir, `${which}-sent.wav`));
    const wavs = { first: sent('first'), second: sent('second') };
    const heard = {
      firstHearsSecond: bandRms(wavs.first, TONE_HZ.second),
      firstHearsAgent: bandRms(wavs.first, TONE_HZ.agent),
      secondHearsFirst: bandRms(wavs.second, TONE_HZ.first),
      secondHearsAgent: bandRms(wavs.second, TONE_HZ.agent),
    };
    const echoes = {
      first: bandRms(wavs.first, TONE_HZ.first),
      second: bandRms(wavs.second, TONE_HZ.second),
    };
    console.log('conference: what each caller was sent (band RMS)', heard, 'its own tone', echoes);
    for (const rms of Object.values(heard)) expect(rms).toBeGreaterThan(HEARD_RMS);
    for (const rms of Object.values(echoes)) expect(rms).toBeLessThan(ECHO_RMS);
  });

  it('logged no renderer errors', () => {
    expect(rendererErrors(agent).filter((message) => !/WebSocket|getStats/i.test(message))).toEqual([]);
  });
});

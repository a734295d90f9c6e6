/**
 * Attended transfer and the conference from the call card, against the real SIP lab: a baresip calls
 * the app (A), the agent answers and consults a second, registered baresip that answers by itself (C),
 * then merges the two into a conference and leaves it. Each step is driven from the keyboard-reachable
 * buttons, axe checks the card, and the consultation and the conference are photographed in both themes
 * (the README's screenshots). A blind transfer to a busy number shows its failure on the card; so does
 * an attended one that fails at C (a C that takes one call at a time refuses A's INVITE), whose legs
 * both stay until *Cancel consultation* resumes A — what A is sent, held and resumed, is read off the
 * wire (tcpdump, test/sip-lab/rtp-capture.ts). The conference's audio is proven in
 * test/integration/sip-transfer.test.ts and ui-merge-calls.test.ts, the failures' in sip-transfer-failed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bandRms, HEARD_RMS, NOT_HEARD_RMS, toneWav } from '../sip-lab/audio-analysis';
import { fakeMicrophoneArg } from '../sip-lab/browser';
import { baresipCall, type BaresipCallResult } from '../sip-lab/baresip';
import { pcmuPayloads, pcmuWindowWav, startRtpCapture } from '../sip-lab/rtp-capture';
import { startConsultTarget, type ConsultTarget } from '../sip-lab/three-parties';
import {
  rendererErrors,
  screenshot,
  seriousViolations,
  startUiEnv,
  type AppInstance,
  type UiEnv,
} from './ui-harness';
import { addLabSipAccount, AGENT_ONE } from './ui-sip-account';

/** The agent's fake microphone sends this tone; A (baresip) gets its RTP on these ports. */
const AGENT_TONE_HZ = 1000;
const A_RTP_PORTS = { from: 31600, to: 31700 } as const;

const workDir = mkdtempSync(join(tmpdir(), 'blockline-ui-transfer-'));
let env: UiEnv;
let agent: AppInstance;

beforeAll(async () => {
  const agentTone = toneWav(join(workDir, 'agent-tone.wav'), AGENT_TONE_HZ, 300);
  env = await startUiEnv({ sipLab: true, chromiumArgs: [fakeMicrophoneArg(agentTone)] });
  agent = await env.openApp({ role: 'agent', viewport: { width: 1100, height: 820 } });
});
afterAll(async () => {
  await env?.close();
});

async function bothThemes(name: string): Promise<void> {
  for (const theme of ['light', 'dark'] as const) {
    await agent.page.emulateMedia({ colorScheme: theme });
    expect(await seriousViolations(agent.page)).toEqual([]);
    await screenshot(agent.page, `${name}-${theme}`);
  }
  await agent.page.emulateMedia({ colorScheme: 'light' });
}

describe('attended transfer and conference from the call card', () => {
  it('registers the agent’s line', async () => {
    const { page } = agent;
    await addLabSipAccount(page, AGENT_ONE);
  });

  it('consults C from a live call, merges into a conference, and leaves it', async () => {
    const { page } = agent;
    const c: ConsultTarget = await startConsultTarget('+13125550177', 60);
    let hangUpA: () => void = () => undefined;
    const a: Promise<BaresipCallResult> = baresipCall({
      from: 'sip:+13125550166@127.0.0.1',
      target: 'sip:agent1@127.0.0.1',
      durationS: 60,
      port: 5096,
      rtpPorts: '31600-31700',
      onLine: (_line, hangUp) => {
        hangUpA = hangUp;
      },
    });
    try {
      const incoming = page.getByRole('dialog', { name: 'Incoming call' });
      await incoming.waitFor({ timeout: 15_000 });
      await incoming.getByRole('button', { name: 'Answer' }).click();
      const first = page.getByRole('article', { name: 'Call with (312) 555-0166' });
      await first.getByText(/^\d+:\d\d$/).waitFor({ timeout: 10_000 });

      // Consult: from the keyboard, the transfer form's second button.
      await first.getByRole('button', { name: 'Transfer', exact: true }).click();
      await first.getByLabel('Transfer to').fill('(312) 555-0177');
      await first.getByLabel('Transfer to').press('Tab');
      await page.keyboard.press('Tab');
      await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Consult first');
      await page.keyboard.press('Enter');
      const consultation = page.getByRole('article', { name: 'Call with (312) 555-0177' });
      const transferGroup = consultation.getByRole('group', { name: 'Attended transfer' });
      await transferGroup
        .getByRole('button', { name: 'Complete transfer' })
        .and(page.locator(':enabled'))
        .waitFor({
          timeout: 15_000,
        });
      await first.getByText('On hold while you consult (312) 555-0177').waitFor();
      await bothThemes('consultation');

      await transferGroup.getByRole('button', { name: 'Merge into conference' }).click();
      await consultation.getByRole('button', { name: 'Leave conference' }).waitFor();
      await first.getByText('In a conference: everyone hears everyone').waitFor();
      await bothThemes('conference');

      await consultation.getByRole('button', { name: 'Leave conference' }).click();
      await page.getByTestId('in-call').first().waitFor({ state: 'detached', timeout: 10_000 });
      const newest = page.getByTestId('history-entry').first();
      await expect.poll(() => newest.textContent()).toMatch(/\(312\) 555-0177/);
    } finally {
      c.hangUp();
      await c.finished;
      hangUpA();
      await a;
    }
  });

  it('a blind transfer to a busy number: "Transferring…", then an alert on the card, and the call goes on', async () => {
    const { page } = agent;
    let hangUpB: () => void = () => undefined;
    let bLog = '';
    const b: Promise<BaresipCallResult> = baresipCall({
      from: 'sip:+13125550188@127.0.0.1',
      target: 'sip:agent1@127.0.0.1',
      durationS: 60,
      port: 5096,
      rtpPorts: '31600-31700',
      onLine: (line, hangUp) => {
        hangUpB = hangUp;
        bLog += `${line}\n`;
      },
    });
    try {
      const incoming = page.getByRole('dialog', { name: 'Incoming call' });
      await incoming.waitFor({ timeout: 15_000 });
      await incoming.getByRole('button', { name: 'Answer' }).click();
      const card = page.getByRole('article', { name: 'Call with (312) 555-0188' });
      await card.getByText(/^\d+:\d\d$/).waitFor({ timeout: 10_000 });
      // Every live-region text the card shows, in order: "Transferring…" lasts only as long as Kamailio's 486.
      await page.evaluate(() => {
        const seen: string[] = [];
        Reflect.set(window, '__liveTexts', seen);
        new MutationObserver(() => {
          for (const node of document.querySelectorAll(
            '[data-testid="in-call"] [role="status"], [data-testid="in-call"] [role="alert"]',
          )) {
            const entry = `${node.getAttribute('role')}: ${node.textContent ?? ''}`;
            if (seen.at(-1) !== entry && !/^status: (\d+:\d\d)?$/.test(entry)) seen.push(entry);
          }
        }).observe(document.body, { subtree: true, childList: true, characterData: true });
      });

      // *486 is answered 486 Busy Here by the lab's Kamailio; baresip reports it in its NOTIFY.
      await card.getByRole('button', { name: 'Transfer', exact: true }).click();
      await card.getByLabel('Transfer to').fill('*486');
      await card.getByLabel('Transfer to').press('Enter');
      const alert = card.getByRole('alert');
      await alert.waitFor({ timeout: 15_000 });
      expect(await alert.textContent()).toBe(
        'Transfer to *486 failed: busy (486 Busy Here). The caller is still on this call.',
      );
      const liveTexts = await page.evaluate(() => Reflect.get(window, '__liveTexts') as string[]);
      expect(liveTexts).toContain('status: Transferring to *486…');
      expect(liveTexts.indexOf('status: Transferring to *486…')).toBeLessThan(
        liveTexts.indexOf(
          'alert: Transfer to *486 failed: busy (486 Busy Here). The caller is still on this call.',
        ),
      );
      // The call is the agent's again: resumed (the transfer had held it), its timer running.
      await card.getByRole('button', { name: 'Hold', exact: true }).waitFor({ timeout: 5000 });
      await card.getByText(/^\d+:\d\d$/).waitFor();
      expect(bLog).toMatch(/session closed: 486 Busy Here/);
      expect(bLog).not.toMatch(/agent1@127\.0\.0\.1: session closed/);
      await bothThemes('transfer-failed');

      // Dismissed from the keyboard: the notice goes, focus lands on the card's Transfer button.
      await card.getByRole('button', { name: 'Dismiss the transfer notice' }).focus();
      await page.keyboard.press('Enter');
      await alert.waitFor({ state: 'detached' });
      await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Transfer');
      await card.getByRole('button', { name: 'Hang up' }).click();
      await card.waitFor({ state: 'detached', timeout: 10_000 });
    } finally {
      hangUpB();
      await b;
    }
  });

  it('an attended transfer the transferee cannot complete: the alert names C and why, both legs stay, Cancel resumes A', async () => {
    const { page } = agent;
    // C takes one call at a time. A (baresip 1.0, no Replaces) follows the REFER with an ordinary INVITE
    // to C, which C, still talking to the agent, answers 486 Max Calls: the transfer fails for real.
    const c: ConsultTarget = await startConsultTarget('+13125550179', 60, { maxCalls: 1 });
    const capture = await startRtpCapture(join(workDir, 'a-attended.pcap'), A_RTP_PORTS);
    let hangUpA: () => void = () => undefined;
    let aLog = '';
    const a: Promise<BaresipCallResult> = baresipCall({
      from: 'sip:+13125550168@127.0.0.1',
      target: 'sip:agent1@127.0.0.1',
      durationS: 60,
      port: 5096,
      rtpPorts: `${A_RTP_PORTS.from}-${A_RTP_PORTS.to}`,
      onLine: (line, hangUp) => {
        hangUpA = hangUp;
        aLog += `${line}\n`;
      },
    });
    try {
      const incoming = page.getByRole('dialog', { name: 'Incoming call' });
      await incoming.waitFor({ timeout: 15_000 });
      await incoming.getByRole('button', { name: 'Answer' }).click();
      const first = page.getByRole('article', { name: 'Call with (312) 555-0168' });
      await first.getByText(/^\d+:\d\d$/).waitFor({ timeout: 10_000 });
      await first.getByRole('button', { name: 'Transfer', exact: true }).click();
      await first.getByLabel('Transfer to').fill('(312) 555-0179');
      await first.getByRole('button', { name: 'Consult first' }).click();
      const consultation = page.getByRole('article', { name: 'Call with (312) 555-0179' });
      const transferGroup = consultation.getByRole('group', { name: 'Attended transfer' });
      const complete = transferGroup.getByRole('button', { name: 'Complete transfer' });
      await complete.and(page.locator(':enabled')).waitFor({ timeout: 15_000 });

      await complete.focus();
      await page.keyboard.press('Enter');
      const alert = first.getByRole('alert');
      await alert.waitFor({ timeout: 15_000 });
      expect(await alert.textContent()).toBe(
        'Transfer to (312) 555-0179 failed: busy (486 Max Calls). The caller is still on this call, on hold: complete the transfer again, or cancel the consultation.',
      );
      // It failed at C, for real: A's INVITE was refused there, and neither of A's calls was taken over.
      expect(aLog).toMatch(/session closed: 486 Max Calls/);
      expect(aLog).not.toMatch(/agent1@127\.0\.0\.1: session closed/);
      // Both legs stay: A on hold, the consultation live and still offering Complete, Cancel and Merge.
      await first.getByText('On hold', { exact: true }).waitFor();
      expect(await first.getByRole('button', { name: 'Resume' }).count()).toBe(1);
      await consultation.getByText(/^\d+:\d\d$/).waitFor();
      await complete.and(page.locator(':enabled')).waitFor();
      expect(await page.getByTestId('in-call').count()).toBe(2);
      const heldFrom = Date.now();
      await bothThemes('attended-transfer-failed');
      const heldTo = Date.now();

      // Cancel consultation, from the keyboard: C's call ends, A is resumed and the notice goes with it.
      await transferGroup.getByRole('button', { name: 'Cancel consultation' }).focus();
      await page.keyboard.press('Enter');
      await consultation.waitFor({ state: 'detached', timeout: 10_000 });
      await first.getByRole('button', { name: 'Hold', exact: true }).waitFor({ timeout: 10_000 });
      await first.getByText(/^\d+:\d\d$/).waitFor();
      expect(await first.getByRole('alert').count()).toBe(0);
      expect(await first.getByRole('group', { name: 'Attended transfer' }).count()).toBe(0);
      const resumedFrom = Date.now() + 500;
      await page.waitForTimeout(2000);
      const resumedTo = Date.now();
      await first.getByRole('button', { name: 'Hang up' }).click();
      await first.waitFor({ state: 'detached', timeout: 10_000 });
      await capture.stop();
      // On the wire: A was sent none of the agent's tone while held, and the agent's tone once resumed.
      const agentToneToA = (window: { fromMs: number; toMs: number }, name: string) =>
        pcmuPayloads(capture.file, window).length === 0
          ? 0
          : bandRms(pcmuWindowWav(capture.file, window, join(workDir, name)), AGENT_TONE_HZ);
      const held = agentToneToA({ fromMs: heldFrom, toMs: heldTo }, 'a-held.wav');
      const resumed = agentToneToA({ fromMs: resumedFrom, toMs: resumedTo }, 'a-resumed.wav');
      console.log('the agent’s tone sent to A (band RMS): held', held, 'resumed', resumed);
      expect(held).toBeLessThan(NOT_HEARD_RMS);
      expect(resumed).toBeGreaterThan(HEARD_RMS);
    } finally {
      await capture.stop();
      c.hangUp();
      await c.finished;
      hangUpA();
      await a;
    }
  });

  it('logged no renderer errors', () => {
    expect(rendererErrors(agent).filter((message) => !/WebSocket|getStats/i.test(message))).toEqual([]);
  });
});

/**
 * The phone views against the real SIP lab (Kamailio + rtpengine): a SIP account set up in
 * Settings → Phone registers; an allowed caller (sipp) rings the incoming-call view with the caller
 * formatted; Answer shows the in-call view; the call lands in the history. axe checks the incoming and
 * in-call views in both themes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baresipCall } from '../sip-lab/baresip';
import { LAB_SIP_PASSWORD } from '../sip-lab/lab';
import { runUac, type SippResult } from '../sip-lab/sipp';
import {
  rendererErrors,
  screenshot,
  seriousViolations,
  startUiEnv,
  type AppInstance,
  type UiEnv,
} from './ui-harness';
import { copyScreenshotsToDocs } from './ui-views';
import { openNewSipAccountForm, waitForLineRegistered } from './ui-sip-account';

let env: UiEnv;
let lead: AppInstance;

beforeAll(async () => {
  env = await startUiEnv({ sipLab: true });
  lead = await env.openApp({ role: 'lead' });
});
afterAll(async () => {
  await env?.close();
});

describe('phone views with a real SIP server', () => {
  it('sets up a SIP account in Settings → Phone and registers the line', async () => {
    const { page } = lead;
    const form = await openNewSipAccountForm(page);
    await form.getByLabel('Server WebSocket URL').fill('ws://192.0.2.1:8080');
    await form.getByLabel('SIP address (user)').fill('agent1');
    await form.getByRole('button', { name: 'Save account' }).click();
    await form.getByText('must be a SIP URI such as sip:agent1@pbx.example.com').waitFor();
    await form.getByLabel('SIP address (user)').fill('sip:agent1@127.0.0.1');
    await form.getByLabel('Line number (E.164)').fill('+12125550100');
    await form.getByRole('button', { name: 'Save account' }).click();
    await form.getByText('Use wss:// (plain ws:// is allowed on this computer’s loopback only)').waitFor();
    await form.getByLabel('Server WebSocket URL').fill('ws://127.0.0.1:8080');
    await form.getByLabel('Password').fill(LAB_SIP_PASSWORD);
    await form.getByLabel('Display name').fill('Agent One');
    await form.getByRole('button', { name: 'Save account' }).click();
    await page.getByText('sip:agent1@127.0.0.1 · line (212) 555-0100 · password saved').waitFor();
    await waitForLineRegistered(page, '(212) 555-0100');
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`rings an allowed caller, answers, and records the call (${theme} theme)`, async () => {
      const { page } = lead;
      await page.emulateMedia({ colorScheme: theme });
      const caller: Promise<SippResult> = runUac({
        scenario: 'uac-ring',
        caller: { callerUri: 'sip:+13125550188@127.0.0.1', callerName: 'Partner' },
      });
      const incoming = page.getByRole('dialog', { name: 'Incoming call' });
      await incoming.waitFor({ timeout: 15_000 });
      expect(await incoming.textContent()).toContain('(312) 555-0188');
      expect(await seriousViolations(page)).toEqual([]);
      await screenshot(page, `incoming-call-${theme}`);
      await incoming.getByRole('button', { name: 'Answer' }).click();
      await page.getByTestId('in-call').waitFor();
      await screenshot(page, `in-call-${theme}`);
      // The sipp caller hangs up one second after the answer.
      const result = await caller;
      expect(result.successful).toBe(1);
      await page.getByTestId('in-call').waitFor({ state: 'detached', timeout: 10_000 });
      const newest = page.getByTestId('history-entry').first();
      await expect.poll(() => newest.textContent()).toMatch(/Incoming.*\(312\) 555-0188.*Answered/);
    });
  }

  for (const theme of ['light', 'dark'] as const) {
    it(`Do not disturb from the header: the caller hears busy, nothing rings, a missed call in the history (${theme} theme)`, async () => {
      const { page } = lead;
      await page.emulateMedia({ colorScheme: theme });
      const availability = page.getByRole('combobox', { name: 'Availability' });
      await availability.focus();
      await availability.selectOption('dnd');
      expect(await seriousViolations(page)).toEqual([]);
      await screenshot(page, `do-not-disturb-${theme}`);
      const caller = `+1312555019${theme === 'light' ? '1' : '2'}`;
      const result = await runUac({ scenario: 'uac-ring', caller: { callerUri: `sip:${caller}@127.0.0.1` } });
      // uac-ring wants a 180 first: the 486 without one is what it reports as a failed call.
      expect(result.successful).toBe(0);
      expect(result.screen + result.stdout).toMatch(/486/);
      expect(await page.getByRole('dialog', { name: 'Incoming call' }).count()).toBe(0);
      const newest = page.getByTestId('history-entry').first();
      await expect.poll(() => newest.textContent()).toMatch(/Incoming.*Missed/);
      await availability.selectOption('available');
    });
  }

  it('the calls panel: a second caller waits, Answer holds the first, both show with their state (README screenshot)', async () => {
    const { page } = lead;
    const dir = mkdtempSync(join(tmpdir(), 'blockline-calls-panel-'));
    // Each caller hangs up (BYE) when told: baresip's own signal handler.
    const hangUps: Array<() => void> = [];
    const keepHangUp = (_line: string, hangUp: () => void) => {
      if (!hangUps.includes(hangUp)) hangUps.push(hangUp);
    };
    const first = baresipCall({
      from: 'sip:+13125550131@127.0.0.1',
      target: 'sip:agent1@127.0.0.1',
      durationS: 30,
      port: 5192,
      rtpPorts: '31600-31650',
      dir: join(dir, 'first'),
      onLine: keepHangUp,
    });
    const incoming = page.getByRole('dialog', { name: 'Incoming call' });
    await incoming.waitFor({ timeout: 15_000 });
    await incoming.getByRole('button', { name: 'Answer' }).click();
    await page.getByRole('heading', { name: 'Call in progress' }).waitFor({ timeout: 15_000 });
    const second = baresipCall({
      from: 'sip:+14155550132@127.0.0.1',
      target: 'sip:agent1@127.0.0.1',
      durationS: 30,
      port: 5194,
      rtpPorts: '31660-31710',
      dir: join(dir, 'second'),
      onLine: keepHangUp,
    });
    await incoming.waitFor({ timeout: 15_000 });
    expect(await incoming.textContent()).toContain('(415) 555-0132');
    await incoming.getByRole('button', { name: 'Answer' }).click();
    const panel = page.getByRole('region', { name: '2 calls in progress' });
    await panel.waitFor({ timeout: 15_000 });
    await expect.poll(() => panel.getByText('On hold').count(), { timeout: 10_000 }).toBe(1);
    expect(await panel.getByRole('button', { name: 'Resume' }).count()).toBe(1);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    for (const theme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: theme });
      expect(await seriousViolations(page)).toEqual([]);
      await screenshot(page, `calls-panel-${theme}`);
    }
    copyScreenshotsToDocs(['calls-panel']);
    // Switching: Resume on the held call holds the other.
    await panel.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => panel.getByText('On hold').count(), { timeout: 10_000 }).toBe(1);
    // Each caller hanging up ends only its own call.
    hangUps[0]?.();
    await page.getByRole('heading', { name: 'Call in progress' }).waitFor({ timeout: 10_000 });
    hangUps[1]?.();
    await page.getByTestId('in-call').waitFor({ state: 'detached', timeout: 10_000 });
    await Promise.all([first, second]);
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('logged no renderer errors', () => {
    expect(rendererErrors(lead).filter((message) => !/WebSocket|getStats/i.test(message))).toEqual([]);
  });
});

/**
 * SPEC §10.9 and §10.7 through the real product in the SIP lab: the org server, the browser host with
 * the built renderer in Debian's Chromium registered as agent1, and baresip calling it. The in-window
 * keyboard shortcuts answer, mute, hold, resume and hang up that real call; while it is up the call
 * card's quality badge shows, with its figures on keyboard focus; afterwards the history keeps the
 * call's worst figures.
 *
 *   unshare -n bash -c 'ip link set lo up; npx vitest run --project e2e test/e2e/app-call-controls.test.ts'
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baresipCall } from '../sip-lab/baresip';
import { startLabAppStack, type LabAppStack } from './lab-app-stack';
import type { RunningApp } from './real-app';

const TOKENS = { admin: 'e2e-admin-token-0002', lead: 'e2e-lead-token-0002', agent: 'e2e-agent-token-0002' };
/** Not in the demo org's list: the call rings. */
const CALLER = '+12125550188';
const canRun =
  existsSync('/usr/bin/chromium') && existsSync('/usr/sbin/kamailio') && existsSync('/usr/bin/baresip');

describe.skipIf(!canRun)(
  `call control from the keyboard on a real call${canRun ? '' : ' (SKIPPED: chromium, kamailio or baresip is not installed)'}`,
  () => {
    let stack: LabAppStack;
    let app: RunningApp;

    beforeAll(async () => {
      stack = await startLabAppStack({ name: 'call-controls', tokens: TOKENS });
      app = await stack.startApp(TOKENS.agent, 'host-data');
    }, 150_000);

    afterAll(async () => {
      await app?.close().catch(() => undefined);
      await stack?.close();
    });

    it('Ctrl+Shift+A answers, M mutes, H holds and resumes, E hangs up; the quality badge shows meanwhile', async () => {
      const { page } = app;
      const call = baresipCall({
        from: `sip:${CALLER}@127.0.0.1`,
        target: 'sip:agent1@127.0.0.1',
        durationS: 25,
        port: 5095,
      });
      await page.getByTestId('incoming-call').waitFor({ timeout: 10_000 });
      // Focus away from any field: the shortcuts work wherever focus is in the window.
      await page.locator('body').click({ position: { x: 5, y: 5 } });

      await page.keyboard.press('Control+Shift+KeyA');
      const card = page.getByTestId('in-call');
      await card.waitFor({ timeout: 10_000 });
      await expect.poll(() => card.getByRole('button', { name: 'Hang up' }).isVisible()).toBe(true);
      await expect.poll(() => page.getByTestId('incoming-call').count(), { timeout: 5000 }).toBe(0);

      // Quality (SPEC §10.7): a clean loopback call is good; the figures show on keyboard focus.
      const badge = card.getByTestId('quality-badge');
      await badge.waitFor({ timeout: 10_000 });
      await expect.poll(() => badge.getAttribute('data-grade'), { timeout: 10_000 }).toBe('good');
      await badge.focus();
      const figures = badge.getByRole('tooltip');
      await expect.poll(() => figures.isVisible()).toBe(true);
      expect(await figures.textContent()).toMatch(
        /MOS 4\.\d · 0\.\d % packet loss · \d+ ms jitter · .* · PCM[UA]/,
      );

      await page.keyboard.press('Control+Shift+KeyM');
      await expect
        .poll(() => card.getByRole('button', { name: 'Unmute' }).getAttribute('aria-pressed'))
        .toBe('true');
      await page.keyboard.press('Control+Shift+KeyM');
      await expect
        .poll(() => card.getByRole('button', { name: 'Mute' }).getAttribute('aria-pressed'))
        .toBe('false');

      await page.keyboard.press('Control+Shift+KeyH');
      await expect
        .poll(() => card.getByRole('button', { name: 'Resume' }).getAttribute('aria-pressed'), {
          timeout: 10_000,
        })
        .toBe('true');
      expect(await card.textContent()).toContain('On hold');
      await page.keyboard.press('Control+Shift+KeyH');
      await expect
        .poll(() => card.getByRole('button', { name: 'Hold' }).getAttribute('aria-pressed'), {
          timeout: 10_000,
        })
        .toBe('false');

      // Well before baresip's own 25 s: the call ends because of the shortcut.
      await page.keyboard.press('Control+Shift+KeyE');
      await expect.poll(() => page.getByTestId('in-call').count(), { timeout: 4000 }).toBe(0);
      const finished = await call;
      // baresip saw the call established and then closed by the far end (our BYE), long before its own end.
      expect(finished.output, finished.output).toMatch(/established/i);
      expect(finished.output).toMatch(/closed|terminated|BYE/i);

      // The history keeps the call, answered, with its worst quality figures.
      const entry = page.getByTestId('history-entry').first();
      await expect.poll(() => entry.textContent(), { timeout: 5000 }).toContain('Answered');
      expect(await entry.textContent()).toMatch(/worst MOS \d\.\d/);
      expect(app.pageErrors.filter((message) => /\[phone\]/.test(message))).toEqual([]);
    });
  },
);

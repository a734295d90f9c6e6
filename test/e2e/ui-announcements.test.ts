/**
 * The org's own announcements in the app (SPEC §7.3, §12.5), end to end in Chromium against the real
 * server and browser hosts: a lead uploads a recording by keyboard, the agent's app gets it, the
 * preview plays it (its length tells it from the built-in clip), a broken file is refused with the
 * server's reason, and the built-in voice comes back; both themes axe-clean.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toneWav } from '../helpers/server-announcements-suite';
import {
  openLeadAndAgent,
  rendererErrors,
  screenshot,
  seriousViolations,
  type AppInstance,
  type UiEnv,
  startUiEnv,
} from './ui-harness';

let env: UiEnv;
let lead: AppInstance;
let agent: AppInstance;

const INBOUND = 'Blocked inbound caller hears';

beforeAll(async () => {
  env = await startUiEnv();
  ({ lead, agent } = await openLeadAndAgent(env));
  for (const app of [lead, agent]) {
    await app.page.getByRole('button', { name: 'Settings' }).click();
    await app.page.getByRole('tab', { name: 'Policies' }).click();
  }
});
afterAll(async () => {
  await env?.close();
});

const source = (page: Page) => page.getByTestId('announcement-source-inbound');

/** How long the preview button says "Playing…", in ms. */
async function previewMs(page: Page): Promise<number> {
  const button = page.getByRole('button', { name: `Play: ${INBOUND}`, exact: true });
  await button.click();
  await expect.poll(() => button.textContent(), { timeout: 2_000, interval: 20 }).toBe('Playing…');
  const started = Date.now();
  await expect.poll(() => button.textContent(), { timeout: 15_000, interval: 20 }).toBe('Play');
  return Date.now() - started;
}

describe('announcements in settings', () => {
  it('agents may preview but not upload', async () => {
    await expect.poll(() => source(agent.page).textContent()).toBe('Built-in voice');
    expect(await agent.page.getByRole('button', { name: `Upload: ${INBOUND}` }).count()).toBe(0);
  });

  it('a lead uploads a recording by keyboard; both apps play it from then on', async () => {
    const { page } = lead;
    const builtInMs = await previewMs(page);
    const file = join(env.workDir, 'our-greeting.wav');
    writeFileSync(file, toneWav({ seconds: 5, amplitude: 0.02 }));
    // Keyboard only: focus the upload button, Enter opens the file chooser.
    await page.getByRole('button', { name: `Upload: ${INBOUND}` }).focus();
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Enter')]);
    await chooser.setFiles(file);
    await page.getByRole('status').filter({ hasText: 'Uploaded our-greeting.wav (5.0 s)' }).waitFor();
    for (const app of [lead, agent])
      await expect
        .poll(() => source(app.page).textContent(), { timeout: 5_000 })
        .toMatch(/^Your org’s recording, 5\.0 s/);
    // The preview is the org's clip now: 5 s instead of the built-in 2.5 s.
    const orgMs = await previewMs(page);
    expect(builtInMs).toBeGreaterThan(2_000);
    expect(builtInMs).toBeLessThan(4_000);
    expect(orgMs).toBeGreaterThan(4_800);
    expect(orgMs).toBeGreaterThan(builtInMs + 1_500);
    expect(await previewMs(agent.page)).toBeGreaterThan(builtInMs + 1_500);
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`shows the org's recording with no serious axe violation in the ${theme} theme`, async () => {
      await lead.page.emulateMedia({ colorScheme: theme });
      await lead.page.getByRole('button', { name: `Use built-in: ${INBOUND}` }).waitFor();
      await lead.page.locator('[data-announcement="inbound"]').scrollIntoViewIfNeeded();
      await lead.page.waitForTimeout(150);
      expect(await seriousViolations(lead.page)).toEqual([]);
      await screenshot(lead.page, `settings-announcements-${theme}`);
    });
  }

  it('refuses a file that is not audio with the server’s reason, and keeps the recording', async () => {
    const { page } = lead;
    const file = join(env.workDir, 'not-audio.wav');
    writeFileSync(file, 'this is not a wave file at all');
    await page.getByTestId('announcement-file-inbound').setInputFiles(file);
    await page.getByRole('alert').filter({ hasText: 'the WAV file cannot be read' }).waitFor();
    expect(await source(page).textContent()).toMatch(/^Your org’s recording, 5\.0 s/);
  });

  it('goes back to the built-in voice on every app', async () => {
    await lead.page.getByRole('button', { name: `Use built-in: ${INBOUND}` }).click();
    for (const app of [lead, agent])
      await expect.poll(() => source(app.page).textContent(), { timeout: 5_000 }).toBe('Built-in voice');
    expect(await previewMs(agent.page)).toBeLessThan(4_000);
    expect(rendererErrors(lead)).toEqual([]);
    expect(rendererErrors(agent)).toEqual([]);
  });
});

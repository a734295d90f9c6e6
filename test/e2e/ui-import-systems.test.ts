/**
 * Moving in (SPEC §13): one export per source system imported through the app against the real server,
 * in Chromium. The dialog names the detected format before anything is written, asks block or allow
 * where the file does not say, and the rules the server stores are what each row should become.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  rendererErrors,
  screenshot,
  startUiEnv,
  waitForList,
  type AppInstance,
  type UiEnv,
} from './ui-harness';

let env: UiEnv;
let lead: AppInstance;

beforeAll(async () => {
  env = await startUiEnv();
  lead = await env.openApp({ role: 'lead' });
  await waitForList(lead.page, 4);
});
afterAll(async () => {
  await env?.close();
});

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/import/${name}`, import.meta.url));

/** In order; the demo org already blocks +1900*, and later files meet what earlier ones created. */
const SYSTEMS: { file: string; label: string; summary: string; kindChoice?: boolean }[] = [
  {
    file: 'freepbx-blacklist.csv',
    label: 'FreePBX / Asterisk blacklist',
    summary: '2 created · 1 invalid · 1 emergency number, refused',
    kindChoice: true,
  },
  {
    file: 'zoom-blocked-list.csv',
    label: 'Zoom Phone blocked list',
    summary: '1 created · 1 already blocked · 2 invalid',
  },
  {
    file: '3cx-blacklist.csv',
    label: '3CX blacklisted numbers',
    summary: '2 created · 2 invalid',
    kindChoice: true,
  },
  {
    file: 'yeastar-blocklist.csv',
    label: 'Yeastar blocklist / allowlist',
    summary: '2 created · 1 already blocked · 2 invalid',
    kindChoice: true,
  },
  {
    file: 'ringcentral-caller-blocking.csv',
    label: 'RingCentral blocked / allowed numbers',
    summary: '2 created',
  },
  { file: 'close-blocked-phone-numbers.csv', label: 'Close blocked phone numbers', summary: '2 created' },
  {
    file: 'teams-blocked-patterns.csv',
    label: 'Microsoft Teams number patterns (Export-Csv)',
    summary: '1 created · 2 already blocked · 3 invalid',
    kindChoice: true,
  },
];

describe('import from other phone systems', () => {
  it('previews the detected format and imports each system’s export through the real server', async () => {
    const { page } = lead;
    for (const system of SYSTEMS) {
      await page.getByRole('button', { name: 'Import CSV' }).click();
      const dialog = page.getByRole('dialog', { name: 'Import CSV' });
      await dialog.getByLabel('CSV file').setInputFiles(fixture(system.file));
      const preview = dialog.getByTestId('import-format');
      await expect.poll(() => preview.textContent()).toContain(`Detected format: ${system.label}`);
      expect(await dialog.getByLabel('These rows are').count(), system.file).toBe(system.kindChoice ? 1 : 0);
      if (system.file === 'teams-blocked-patterns.csv') await screenshot(page, 'import-teams-preview');
      await dialog.getByRole('button', { name: 'Import', exact: true }).click();
      await dialog.getByTestId('bulk-summary').waitFor({ timeout: 60_000 });
      expect(await dialog.getByTestId('bulk-summary').textContent(), system.file).toBe(system.summary);

      if (system.file === 'teams-blocked-patterns.csv') {
        await screenshot(page, 'import-teams-result');
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          dialog.getByRole('button', { name: 'Download import report' }).click(),
        ]);
        const report = readFileSync(await download.path(), 'utf8')
          .trim()
          .split('\r\n');
        expect(report[0]).toBe('line,source,became,status,message');
        expect(report[1]).toMatch(/^3,.*\^\\\+1268\\d\*\$.*,block prefix \+1268\*,already_blocked,/);
        expect(report[2]).toMatch(
          /^4,.*,block number \+12125551234,created,.*here it also stops agents calling that number/,
        );
        expect(report[3]).toMatch(/^5,.*,nothing,refused,"?a general pattern/);
      }
      await page.keyboard.press('Escape');
    }

    const stored = await env.server.blockline.store.allRules('demo');
    const imported = stored.filter((rule) => rule.source === 'import');
    expect(imported.map((rule) => `${rule.kind} ${rule.number}`).sort()).toEqual(
      [
        'block +12125551234',
        'block +1268*',
        'block +13035550147',
        'block +13035550148',
        'block +13035550149',
        'block +13035550150',
        'block +13035550151',
        'block +13035550152',
        'block +14155550132',
        'block +14155550135',
        'block +14155550137',
        'allow +14155550136',
      ].sort(),
    );
    expect(imported.find((rule) => rule.number === '+1268*')?.reason).toBe('Antigua callback scam');
    await expect
      .poll(() => page.getByTestId('rule-count').textContent(), { timeout: 10_000 })
      .toBe('16 rules');
    expect(rendererErrors(lead)).toEqual([]);
  });
});

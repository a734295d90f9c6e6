/**
 * Accessibility and the look of every view, in both themes: axe-core finds no serious or critical
 * violation, and each view is saved as a screenshot (test-results/screenshots/, a few copied to docs/).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { HistoryEntry } from '../../shared/contracts/ipc';
import { rendererErrors, rowOf, startUiEnv, waitForList, type AppInstance, type UiEnv } from './ui-harness';
import { copyScreenshotsToDocs, THEMES, viewChecker } from './ui-views';

let env: UiEnv;
let lead: AppInstance;
let agent: AppInstance;
let signedOut: AppInstance;

const HISTORY: HistoryEntry[] = [
  {
    id: 'h1',
    direction: 'inbound',
    number: '+12125550123',
    display: '+12125550123',
    line: '+12125550100',
    startedAt: '2026-03-02T14:05:00.000Z',
    durationSeconds: 184,
    result: 'answered',
    blockedReason: null,
    verification: 'passed',
  },
  {
    id: 'h2',
    direction: 'inbound',
    number: '+19005550100',
    display: '+19005550100',
    line: '+12125550100',
    startedAt: '2026-03-02T14:20:00.000Z',
    durationSeconds: 0,
    result: 'blocked',
    blockedReason: 'Premium-rate scam line',
    verification: 'failed',
  },
  {
    id: 'h3',
    direction: 'outbound',
    number: '+19005551234',
    display: '+19005551234',
    line: '+12125550100',
    startedAt: '2026-03-02T14:30:00.000Z',
    durationSeconds: 0,
    result: 'blocked',
    blockedReason: 'Premium-rate numbers',
    verification: null,
  },
  {
    id: 'h4',
    direction: 'inbound',
    number: '+13125550188',
    display: '+13125550188',
    line: '+12125550101',
    startedAt: '2026-03-02T15:00:00.000Z',
    durationSeconds: 0,
    result: 'missed',
    blockedReason: null,
    verification: 'none',
  },
];

beforeAll(async () => {
  env = await startUiEnv();
  [lead, agent, signedOut] = await Promise.all([
    env.openApp({ role: 'lead' }),
    env.openApp({ role: 'agent' }),
    env.openApp({ role: null }),
  ]);
  for (const entry of HISTORY) await lead.host.services.invoke('history:add', entry);
  await lead.page.reload();
  await Promise.all([waitForList(lead.page, 4), waitForList(agent.page, 4)]);
});
afterAll(async () => {
  await env?.close();
});

const { found, check } = viewChecker(150);

async function openSettingsTab(page: Page, tab: string) {
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('tab', { name: tab }).click();
}

describe('every view, both themes', () => {
  for (const theme of THEMES) {
    it(`has no serious or critical axe violations in the ${theme} theme`, async () => {
      for (const app of [lead, agent, signedOut]) await app.page.emulateMedia({ colorScheme: theme });

      await signedOut.page.getByLabel('Server address').waitFor();
      await check(signedOut.page, `sign-in-${theme}`);

      const page = lead.page;
      await page.getByRole('button', { name: 'Phone' }).click();
      await page.getByLabel('Number to call').fill('2125550123');
      await page.getByTestId('history-entry').first().waitFor();
      await check(page, `phone-dialer-history-${theme}`);
      await page.getByLabel('Number to call').fill('');

      await page.getByRole('button', { name: 'Block this number: (312) 555-0188' }).click();
      await page.getByRole('dialog', { name: /^Block/ }).waitFor();
      await check(page, `block-this-number-${theme}`);
      await page.keyboard.press('Escape');

      await openSettingsTab(page, 'Blocked numbers');
      await rowOf(page, '+1900*').waitFor();
      await check(page, `settings-blocked-numbers-${theme}`);

      await rowOf(page, '+19005550100')
        .getByRole('button', { name: /Edit reason/ })
        .click();
      await check(page, `settings-inline-edit-${theme}`);
      await page.keyboard.press('Escape');

      await page.getByRole('button', { name: 'Add a number' }).click();
      const add = page.getByRole('dialog', { name: 'Add a number' });
      await add.getByLabel('Number or prefix').fill('911');
      await add.getByRole('button', { name: 'Block number' }).click();
      await add.getByRole('alert').first().waitFor();
      await check(page, `settings-add-number-${theme}`);
      await page.keyboard.press('Escape');

      await page.getByRole('button', { name: 'Add many' }).click();
      const bulk = page.getByRole('dialog', { name: 'Add many numbers' });
      await bulk.getByLabel(/^Numbers/).fill('911\nabc\n+1 900 555 0100');
      await bulk.getByLabel('Reason for all').fill('Screenshot');
      await bulk.getByRole('button', { name: 'Add all' }).click();
      await bulk.getByTestId('bulk-summary').waitFor();
      await check(page, `settings-add-many-${theme}`);
      await page.keyboard.press('Escape');

      await page.getByRole('button', { name: 'Import CSV' }).click();
      await page.getByRole('dialog', { name: 'Import CSV' }).waitFor();
      await check(page, `settings-import-csv-${theme}`);
      await page.keyboard.press('Escape');

      await page.getByRole('button', { name: 'Test a number' }).click();
      const test = page.getByRole('dialog', { name: 'Test a number' });
      await test.getByLabel('Number').fill('+1 900 555 1234');
      await test.getByRole('button', { name: 'Test', exact: true }).click();
      await test.getByTestId('verdict').waitFor();
      await check(page, `settings-test-number-${theme}`);
      await page.keyboard.press('Escape');

      await rowOf(page, '+19005550100')
        .getByRole('button', { name: /Delete rule/ })
        .click();
      await page.getByRole('dialog', { name: 'Delete this rule?' }).waitFor();
      await check(page, `settings-delete-confirm-${theme}`);
      await page.keyboard.press('Escape');

      await openSettingsTab(page, 'Policies');
      await page.getByRole('switch', { name: 'Block anonymous callers' }).waitFor();
      await check(page, `settings-policies-${theme}`);

      await openSettingsTab(page, 'Phone');
      await page.getByRole('button', { name: 'Add SIP account' }).click();
      await page.getByRole('button', { name: 'Save account' }).click();
      await check(page, `settings-phone-${theme}`);
      await page.getByRole('button', { name: 'Cancel' }).click();

      await openSettingsTab(agent.page, 'Blocked numbers');
      await agent.page.getByText('View only').waitFor();
      await check(agent.page, `agent-read-only-${theme}`);
    });
  }

  it('found no serious or critical violation anywhere', () => {
    expect(found, JSON.stringify(found, null, 2)).toEqual([]);
    expect(rendererErrors(lead)).toEqual([]);
    expect(rendererErrors(agent)).toEqual([]);
  });

  it('copies the README screenshots to docs/', () => {
    copyScreenshotsToDocs(['settings-blocked-numbers', 'phone-dialer-history']);
  });
});

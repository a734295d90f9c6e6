/**
 * Two app instances against one org server: a lead and an agent. The lead's add, reason edit and
 * delete reach the agent's list within 1 s; the agent sees everything read-only with the reason why,
 * and a lead whose server goes away gets the offline banner with writes disabled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  openLeadAndAgent,
  rendererErrors,
  rowOf,
  startUiEnv,
  type AppInstance,
  type UiEnv,
} from './ui-harness';

let env: UiEnv;
let lead: AppInstance;
let agent: AppInstance;

beforeAll(async () => {
  env = await startUiEnv();
  ({ lead, agent } = await openLeadAndAgent(env));
});
afterAll(async () => {
  await env?.close();
});

/** Milliseconds from now until `check` holds in the page (polled every animation frame). */
async function msUntil(
  page: Page,
  check: (arg: string) => boolean,
  arg: string,
  timeoutMs = 5_000,
): Promise<number> {
  const started = Date.now();
  await page.waitForFunction(check, arg, { timeout: timeoutMs, polling: 'raf' });
  return Date.now() - started;
}

describe('lead and agent', () => {
  it('shows the agent everything read-only, with the reason', async () => {
    const { page } = agent;
    await page.getByText('View only').waitFor();
    expect(await page.getByRole('status').filter({ hasText: 'Read-only' }).textContent()).toMatch(
      /Only admins and team leads can change/,
    );
    expect(await page.getByRole('button', { name: 'Add a number' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Add many' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Import CSV' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: /Edit reason and expiry/ }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /Delete rule/ }).count()).toBe(0);
    await page.getByRole('tab', { name: 'Policies' }).click();
    await page.getByRole('switch', { name: 'Block anonymous callers' }).waitFor();
    expect(await page.getByRole('switch', { name: 'Block anonymous callers' }).isDisabled()).toBe(true);
    expect(await page.getByLabel('Default country').isDisabled()).toBe(true);
    await page.getByRole('tab', { name: 'Blocked numbers' }).click();
  });

  it("shows the lead's add, reason edit and delete in the agent's list within 1 s", async () => {
    const leadPage = lead.page;
    await leadPage.getByRole('button', { name: 'Add a number' }).click();
    const dialog = leadPage.getByRole('dialog', { name: 'Add a number' });
    await dialog.getByLabel('Number or prefix').fill('+1 212 555 0177');
    await dialog.getByLabel('Reason').fill('Seen by the agent');
    const added = msUntil(
      agent.page,
      (number) => document.querySelector(`[data-rule-number="${number}"]`) !== null,
      '+12125550177',
    );
    await dialog.getByRole('button', { name: 'Block number' }).click();
    expect(await added).toBeLessThan(1_000);
    await leadPage.keyboard.press('Escape');

    await rowOf(leadPage, '+12125550177')
      .getByRole('button', { name: /Edit reason and expiry/ })
      .click();
    await leadPage.getByLabel('Reason for (212) 555-0177').fill('Reason edited by the lead');
    const edited = msUntil(
      agent.page,
      (reason) =>
        document.querySelector('[data-rule-number="+12125550177"]')?.textContent?.includes(reason) === true,
      'Reason edited by the lead',
    );
    await leadPage.getByLabel('Reason for (212) 555-0177').press('Enter');
    expect(await edited).toBeLessThan(1_000);

    await rowOf(leadPage, '+12125550177')
      .getByRole('button', { name: /Delete rule/ })
      .click();
    const deleted = msUntil(
      agent.page,
      (number) => document.querySelector(`[data-rule-number="${number}"]`) === null,
      '+12125550177',
    );
    await leadPage
      .getByRole('dialog', { name: 'Delete this rule?' })
      .getByRole('button', { name: 'Delete' })
      .click();
    expect(await deleted).toBeLessThan(1_000);
  });

  it('shows a policy change made by the lead on the agent', async () => {
    await lead.page.getByRole('tab', { name: 'Policies' }).click();
    await agent.page.getByRole('tab', { name: 'Policies' }).click();
    const toggle = lead.page.getByRole('switch', { name: 'Block anonymous callers' });
    expect(await toggle.getAttribute('aria-checked')).toBe('false');
    await toggle.click();
    await expect.poll(() => toggle.getAttribute('aria-checked')).toBe('true');
    await expect
      .poll(
        () =>
          agent.page.getByRole('switch', { name: 'Block anonymous callers' }).getAttribute('aria-checked'),
        { timeout: 2_000 },
      )
      .toBe('true');
    const window = lead.page.getByLabel('Emergency call-back window (minutes)');
    await window.fill('10');
    await window.press('Enter');
    await lead.page.getByText('Must be between 15 and 1440').waitFor();
    await window.fill('30');
    await window.press('Enter');
    await expect
      .poll(async () => (await env.server.blockline.store.getOrg('demo'))?.settings.psapWindowMinutes)
      .toBe(30);
  });

  it('tells the lead when the server is gone and disables writes without pretending', async () => {
    await lead.page.getByRole('tab', { name: 'Blocked numbers' }).click();
    await env.server.close();
    const banner = lead.page.getByRole('status').filter({ hasText: 'Offline' }).first();
    await banner.waitFor({ timeout: 15_000 });
    expect(await lead.page.getByTestId('sync-status').getAttribute('data-status')).toBe('offline');
    expect(await lead.page.getByTestId('sync-status').textContent()).toMatch(/rules kept locally/);
    expect(await lead.page.getByRole('button', { name: 'Add a number' }).isDisabled()).toBe(true);
    await lead.page.getByText('Changes are paused').waitFor();
    expect(rendererErrors(lead)).toEqual([]);
    expect(rendererErrors(agent)).toEqual([]);
  });
});

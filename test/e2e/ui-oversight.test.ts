/**
 * The oversight views in Chromium (SPEC §12): Settings → Activity shows the blocked calls this test
 * reported to the real server, Settings → Audit filters and exports the real audit log, history entries
 * say what the org knows of a caller; agents see neither view; both themes are axe-clean and saved as
 * screenshots (the README's are copied to docs/).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Rule } from '../../shared/rules';
import { localDateOf } from '../../shared/local-time';
import { rendererErrors, startUiEnv, waitForList, type AppInstance, type UiEnv } from './ui-harness';
import { serverApi } from './ui-server-api';
import { copyScreenshotsToDocs, THEMES, viewChecker } from './ui-views';

const TIME_ZONE = 'America/New_York';
const DAY_MS = 86_400_000;

let env: UiEnv;
let lead: AppInstance;
let agent: AppInstance;
/** Blocked calls the test reported, per local day. */
const perDay = new Map<string, number>();
let total = 0;
let topNumberCount = 0;

/** Two weeks of blocked calls, by every why, at working hours, posted as an agent's app would. */
async function reportTwoWeeks(rules: Rule[]): Promise<void> {
  const scam = rules.find((rule) => rule.number === '+19005550100');
  const premium = rules.find((rule) => rule.number === '+1900*');
  if (!scam || !premium) throw new Error('the demo rules are missing');
  const now = Date.now();
  const reports: Record<string, unknown>[] = [];
  let serial = 0;
  const add = (at: number, number: string | null, why: string, ruleId: string | null) => {
    serial += 1;
    reports.push({
      id: `e2e-report-${serial}`,
      callId: `e2e-call-${serial}`,
      direction: 'inbound',
      line: '+12125550100',
      number,
      anonymous: number === null,
      action: 'block',
      why,
      ruleId,
      at: new Date(at).toISOString(),
      verstat: why === 'failed_verification' ? 'TN-Validation-Failed' : null,
    });
    const day = localDateOf(at, TIME_ZONE);
    perDay.set(day, (perDay.get(day) ?? 0) + 1);
    total += 1;
  };
  for (let day = 0; day < 14; day++) {
    // A different hour each day (and never in the future), so the heat map has a shape.
    const base = now - day * DAY_MS - (day % 6) * 2 * 3_600_000;
    for (let k = 0; k < (day % 5) + 2; k++) {
      add(base - k * 7 * 60_000, '+19005550100', 'rule', scam.id);
      topNumberCount += 1;
    }
    for (let k = 0; k < (day % 3) + 1; k++)
      add(base - (k + 1) * 11 * 60_000, `+1900555${String(1000 + day * 10 + k)}`, 'rule', premium.id);
    if (day % 2 === 0) add(base - 3 * 60_000, null, 'anonymous', null);
    if (day % 3 === 0) add(base - 5 * 60_000, `+1312555${String(2000 + day)}`, 'failed_verification', null);
  }
  await serverApi(env, 'agent', 'POST', '/v1/call-reports', { reports });
}

beforeAll(async () => {
  env = await startUiEnv();
  const rules = ((await serverApi(env, 'lead', 'GET', '/v1/blocked-numbers')) as { items: Rule[] }).items;
  await reportTwoWeeks(rules);
  const scam = rules.find((rule) => rule.number === '+19005550100');
  await serverApi(env, 'lead', 'PATCH', `/v1/blocked-numbers/${scam?.id ?? ''}`, {
    reason: 'Premium-rate robocaller',
  });
  [lead, agent] = await Promise.all([env.openApp({ role: 'lead' }), env.openApp({ role: 'agent' })]);
  await lead.host.services.invoke('history:add', {
    id: 'insight-1',
    direction: 'inbound',
    number: '+19005550100',
    display: '+19005550100',
    line: '+12125550100',
    startedAt: new Date(Date.now() - 60_000).toISOString(),
    durationSeconds: 0,
    result: 'missed',
    blockedReason: null,
    verification: 'none',
  });
  await lead.page.reload();
  await Promise.all([waitForList(lead.page, 4), waitForList(agent.page, 4)]);
});
afterAll(async () => {
  await env?.close();
});

async function openTab(page: Page, tab: string): Promise<void> {
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('tab', { name: tab }).click();
}

describe('oversight views', () => {
  it('Activity shows the blocked calls the test reported, per day, by why and by number', async () => {
    const page = lead.page;
    await openTab(page, 'Activity');
    await expect
      .poll(() => page.getByTestId('total-blocked').textContent())
      .toBe(total.toLocaleString('en-US'));
    await page.getByRole('button', { name: 'Show table' }).first().click();
    const today = localDateOf(Date.now(), TIME_ZONE);
    const todayRow = page.locator(`[data-testid="blocked-table"] tr[data-bucket="${today}"]`);
    await expect
      .poll(() => todayRow.getByTestId('bucket-total').textContent())
      .toBe(String(perDay.get(today)));
    const sum = await page
      .locator('[data-testid="blocked-table"] [data-testid="bucket-total"]')
      .allTextContents();
    expect(sum.reduce((acc, text) => acc + Number(text), 0)).toBe(total);
    const first = page.locator('[data-testid="top-numbers"] tbody tr').first();
    expect(await first.getAttribute('data-number')).toBe('+19005550100');
    expect(await first.getByTestId('top-count').textContent()).toBe(String(topNumberCount));
    await page.getByRole('button', { name: 'Show chart' }).first().click();
    // The 7-day preset reads the same rollups: its total is the last seven local days.
    await page.getByRole('button', { name: '7 days' }).click();
    const lastSeven = [...perDay].filter(([day]) => day > localDateOf(Date.now() - 7 * DAY_MS, TIME_ZONE));
    await expect
      .poll(() => page.getByTestId('total-blocked').textContent())
      .toBe(lastSeven.reduce((acc, [, count]) => acc + count, 0).toLocaleString('en-US'));
    await page.getByRole('button', { name: '30 days' }).click();
    await expect
      .poll(() => page.getByTestId('total-blocked').textContent())
      .toBe(total.toLocaleString('en-US'));
  });

  it('Audit shows who changed what as a readable diff, filters by number, and exports guarded CSV', async () => {
    const page = lead.page;
    await openTab(page, 'Audit');
    await page.getByTestId('audit-entry').first().waitFor();
    await page.getByLabel('Number').fill('(900) 555-0100');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => page.getByTestId('audit-entry').count()).toBe(2);
    const changes = await page.getByTestId('audit-changes').allTextContents();
    expect(changes[0]).toBe("reason 'Premium-rate scam line' → 'Premium-rate robocaller'");
    expect(changes[1]).toContain("number '+19005550100'");
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    const csv = readFileSync(await download.path(), 'utf8').split('\r\n');
    expect(csv[0]).toBe('at,person,action,what,number,target,changes');
    expect(csv).toHaveLength(4);
    // The number would run as a formula in a spreadsheet: it is guarded.
    expect(csv[1]).toContain(",'+19005550100,");
    expect(csv[1]).toContain('Lee Lead');
  });

  it('history entries say what the org knows of the caller, fetched in the background', async () => {
    const page = lead.page;
    await page.getByRole('button', { name: 'Phone' }).click();
    const insight = page.getByTestId('number-insight').first();
    await expect.poll(() => insight.textContent()).toContain('Blocked by Ada Admin: Premium-rate robocaller');
    expect(await insight.textContent()).toContain('prefix +1900*');
  });

  it('agents see neither Activity nor Audit', async () => {
    await agent.page.getByRole('button', { name: 'Settings' }).click();
    await agent.page.getByRole('tab', { name: 'Blocked numbers' }).waitFor();
    expect(await agent.page.getByRole('tab', { name: 'Activity' }).count()).toBe(0);
    expect(await agent.page.getByRole('tab', { name: 'Audit' }).count()).toBe(0);
  });

  const views = viewChecker(200);
  const found = views.found;
  for (const theme of THEMES) {
    it(`is axe-clean in the ${theme} theme (screenshots saved)`, async () => {
      const page = lead.page;
      await page.emulateMedia({ colorScheme: theme });
      const check = (view: string) => views.check(page, view);
      await openTab(page, 'Activity');
      await page.getByTestId('heatmap').waitFor();
      await page.locator('.recharts-bar-rectangle').first().waitFor();
      await check(`settings-activity-${theme}`);
      await page.getByTestId('heatmap').scrollIntoViewIfNeeded();
      await check(`settings-activity-heatmap-${theme}`);
      await page.getByRole('button', { name: 'Show table' }).first().click();
      await check(`settings-activity-table-${theme}`);
      await page.getByRole('button', { name: 'Show chart' }).first().click();
      await openTab(page, 'Audit');
      await page.getByLabel('Number').fill('');
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.getByTestId('audit-entry').nth(3).waitFor();
      await check(`settings-audit-${theme}`);
      await page.getByRole('button', { name: 'Phone' }).click();
      await page.getByTestId('number-insight').first().waitFor();
      await check(`phone-history-insight-${theme}`);
      expect(found, JSON.stringify(found, null, 2)).toEqual([]);
    });
  }

  it('logged no renderer errors and copies the README screenshots to docs/', () => {
    expect(rendererErrors(lead)).toEqual([]);
    expect(rendererErrors(agent)).toEqual([]);
    copyScreenshotsToDocs(['settings-activity', 'settings-audit']);
  });
});

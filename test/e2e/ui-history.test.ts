/**
 * SPEC §10.10 in the real app (browser host + built renderer in Debian's Chromium): a history of
 * 10,000 calls — stored through the host's own service — searched by a formatted number, bare digits
 * and a name, filtered, the missed-call count on the Phone tab, and cleared after a confirmation.
 *   unshare -n bash -c 'ip link set lo up; npx vitest run --project e2e test/e2e/ui-history.test.ts'
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../shared/contracts/ipc';
import { rendererErrors, screenshot, startUiEnv, type AppInstance, type UiEnv } from './ui-harness';

const CALLS = 10_000;
let env: UiEnv;
let agent: AppInstance;

function call(i: number): HistoryEntry {
  const number = `+1718${String(2_000_000 + i * 37)}`;
  return {
    id: `h-${i}`,
    direction: i % 3 === 0 ? 'outbound' : 'inbound',
    number,
    display: i % 500 === 7 ? `Customer ${i}` : number,
    line: '+12125550100',
    // Recent: the missed ones count as not yet seen.
    startedAt: new Date(Date.now() - (CALLS - i) * 1000).toISOString(),
    durationSeconds: i % 4 === 0 ? 0 : 60,
    result: i % 4 === 0 && i % 3 !== 0 ? 'missed' : i % 97 === 0 ? 'blocked' : 'answered',
    blockedReason: i % 97 === 0 ? 'Lab block' : null,
    verification: null,
  };
}
const entries = Array.from({ length: CALLS }, (_, i) => call(i));

beforeAll(async () => {
  env = await startUiEnv();
  agent = await env.openApp({ role: 'agent' });
  for (const entry of entries) await agent.host.services.invoke('history:add', entry);
  await agent.page.reload();
}, 300_000);
afterAll(async () => {
  await env?.close();
});

describe('history of 10,000 calls (SPEC §10.10)', () => {
  it('shows all of them, virtualized, and the missed count on the Phone tab', async () => {
    const { page } = agent;
    const count = page.getByTestId('history-count');
    await expect.poll(() => count.textContent(), { timeout: 60_000 }).toBe('10,000 calls');
    // Only a screenful of rows is in the DOM.
    expect(await page.getByTestId('history-entry').count()).toBeLessThan(40);
    const missed = entries.filter((entry) => entry.result === 'missed').length;
    expect(await page.getByTestId('missed-count').textContent()).toBe(String(missed));
    await expect(
      page.getByRole('button', { name: new RegExp(`^Phone ?, ${missed} missed calls$`) }).count(),
    ).resolves.toBe(1);
  });

  it('finds a number typed formatted or as bare digits, and a name', async () => {
    const { page } = agent;
    const search = page.getByRole('searchbox', { name: 'Search history' });
    const count = page.getByTestId('history-count');
    const target = entries[1234];
    if (!target?.number) throw new Error('no target');
    const national = target.number.slice(2); // 10 digits
    const formatted = `(${national.slice(0, 3)}) ${national.slice(3, 6)}-${national.slice(6)}`;
    await search.fill(formatted);
    await expect.poll(() => count.textContent()).toBe('1 of 10,000 calls');
    expect(await page.getByTestId('history-entry').first().textContent()).toContain(formatted);
    await search.fill(national);
    await expect.poll(() => count.textContent()).toBe('1 of 10,000 calls');
    const named = entries.filter((entry) => entry.display.startsWith('Customer 7')).length;
    await search.fill('customer 7');
    await expect.poll(() => count.textContent()).toBe(`${named} of 10,000 calls`);
    await search.fill('');
  });

  it('filters missed, blocked, incoming and outgoing; choosing Missed clears the missed count', async () => {
    const { page } = agent;
    const count = page.getByTestId('history-count');
    const show = page.getByLabel('Show');
    const expected = {
      missed: entries.filter((entry) => entry.result === 'missed').length,
      blocked: entries.filter((entry) => entry.result === 'blocked').length,
      inbound: entries.filter((entry) => entry.direction === 'inbound').length,
      outbound: entries.filter((entry) => entry.direction === 'outbound').length,
    };
    for (const [filter, n] of Object.entries(expected)) {
      await show.selectOption(filter);
      await expect.poll(() => count.textContent()).toBe(`${n.toLocaleString('en-US')} of 10,000 calls`);
    }
    await show.selectOption('missed');
    await expect.poll(() => page.getByTestId('missed-count').count()).toBe(0);
    await screenshot(page, 'history-10k-missed');
    await show.selectOption('all');
  });

  it('fits every row in the panel, from the desktop window’s minimum width to a wide screen', async () => {
    const { page } = agent;
    // 720 is the window's minimum width and 1,100 its default (electron/policy.ts).
    for (const width of [720, 900, 1040, 1100, 1280, 1600]) {
      await page.setViewportSize({ width, height: 860 });
      await page.getByTestId('history-entry').first().waitFor();
      const overflow = await page.evaluate(() => {
        const scroll = document.querySelector('[data-testid="history-scroll"]');
        if (!scroll) return ['no history'];
        const right = scroll.getBoundingClientRect().right;
        const problems: string[] = [];
        for (const row of document.querySelectorAll('[data-testid="history-entry"]')) {
          for (const part of row.querySelectorAll('button, a, .bl-history__time, .bl-history__number')) {
            const box = part.getBoundingClientRect();
            if (box.width > 0 && box.right > right + 0.5)
              problems.push(`"${part.textContent ?? ''}" ends at ${box.right} beyond ${right}`);
          }
          // The number and its time each keep to one line (the row's height is fixed).
          for (const line of row.querySelectorAll('.bl-history__time, .bl-history__number')) {
            const box = line.getBoundingClientRect();
            const height = parseFloat(getComputedStyle(line).lineHeight);
            if (box.height > height * 1.5) problems.push(`"${line.textContent ?? ''}" wraps`);
          }
        }
        return problems.slice(0, 5);
      });
      expect(overflow, `at ${width} px`).toEqual([]);
      if (width === 1100) await screenshot(page, 'history-default-window');
    }
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it('clears only after the confirmation, and the store is empty after a reload', async () => {
    const { page } = agent;
    await page.getByRole('button', { name: 'Clear history' }).click();
    const dialog = page.getByRole('dialog', { name: 'Clear the call history?' });
    await dialog.getByRole('button', { name: 'Keep it' }).click();
    await expect.poll(() => page.getByTestId('history-count').textContent()).toBe('10,000 calls');
    await page.getByRole('button', { name: 'Clear history' }).click();
    await dialog.getByRole('button', { name: 'Clear 10,000 calls' }).click();
    await expect.poll(() => page.getByText('No calls yet.').count()).toBe(1);
    await page.reload();
    await expect.poll(() => page.getByText('No calls yet.').count(), { timeout: 30_000 }).toBe(1);
    expect(rendererErrors(agent)).toEqual([]);
  });
});

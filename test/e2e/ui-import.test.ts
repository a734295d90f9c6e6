/**
 * CSV import end to end: 10,000 rows of which 50 are bad. Exactly those 50 are reported with their
 * line numbers (in the dialog and in the downloadable report); the other 9,950 reach the server.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  rendererErrors,
  startUiEnv,
  waitForList,
  writeTempFile,
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

const BAD_VALUES = ['not a number', '911', '12', '+1*', 'abc,def'] as const;

/** 10,000 data rows after a header; every 200th row (50 in all) is bad in one of several ways. */
function buildCsv(): { csv: string; badLines: number[] } {
  const rows = ['number,reason,scope,kind,expiresAt'];
  const badLines: number[] = [];
  for (let i = 0; i < 10_000; i++) {
    const line = i + 2;
    if (i % 200 === 117) {
      const variant = badLines.length % 7;
      badLines.push(line);
      if (variant < BAD_VALUES.length) rows.push(`"${BAD_VALUES[variant]}",Bad row ${line}`);
      else if (variant === 5) rows.push(`+1212${String(2000000 + i * 37)},Bad kind ${line},all,maybe`);
      else rows.push(`+1212${String(2000000 + i * 37)},Bad expiry ${line},all,block,next tuesday`);
    } else {
      rows.push(`+1212${String(2000000 + i * 37)},Imported row ${line},all,block,`);
    }
  }
  return { csv: `${rows.join('\r\n')}\r\n`, badLines };
}

describe('CSV import', () => {
  it('imports 10,000 rows in chunks, reporting exactly the 50 bad ones with their line numbers', async () => {
    const { page } = lead;
    const { csv, badLines } = buildCsv();
    expect(badLines).toHaveLength(50);
    const file = writeTempFile(env, 'rules.csv', csv);
    expect(await env.server.blockline.store.allRules('demo')).toHaveLength(4);

    await page.getByRole('button', { name: 'Import CSV' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import CSV' });
    await dialog.getByLabel('CSV file').setInputFiles(file);
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    const progress = dialog.locator('progress');
    await progress.waitFor();
    const started = Date.now();
    await dialog.getByTestId('bulk-summary').waitFor({ timeout: 90_000 });
    const changed = lead.events.filter(
      (event) => event.channel === 'blocklist:changed' && event.at >= started,
    );
    console.log(
      `imported 10,000 rows in ${((Date.now() - started) / 1000).toFixed(1)} s; ${changed.length} blocklist:changed events, ${(changed.reduce((sum, event) => sum + event.bytes, 0) / 1e6).toFixed(1)} MB`,
    );
    // The bad rows: 7 emergency numbers (911), the rest invalid for their stated reasons.
    expect(await dialog.getByTestId('bulk-summary').textContent()).toBe(
      '9,950 created · 43 invalid · 7 emergency number, refused',
    );
    expect(await progress.getAttribute('value')).toBe('10000');

    const reported = await dialog
      .getByTestId('import-problems')
      .locator('[data-line]')
      .evaluateAll((items) => items.map((item) => Number(item.getAttribute('data-line'))));
    expect(reported).toEqual(badLines);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      dialog.getByRole('button', { name: 'Download error report' }).click(),
    ]);
    const reportPath = await download.path();
    const reportLines = readFileSync(reportPath, 'utf8').trim().split('\r\n');
    expect(reportLines[0]).toBe('line,number,status,message');
    expect(reportLines.slice(1).map((row) => Number(row.split(',')[0]))).toEqual(badLines);

    const stored = await env.server.blockline.store.allRules('demo');
    expect(stored).toHaveLength(4 + 9_950);
    expect(stored.filter((rule) => rule.source === 'import')).toHaveLength(9_950);
    const chunks = lead.invokes
      .filter((invoke) => invoke.channel === 'rules:bulkCreate')
      .map((invoke) => invoke.entries ?? 0);
    expect(chunks.length).toBe(Math.ceil(9_950 / 500));
    expect(Math.max(...chunks)).toBeLessThanOrEqual(500);
    expect(chunks.reduce((sum, size) => sum + size, 0)).toBe(9_950);
    await page.keyboard.press('Escape');
    await expect
      .poll(() => page.getByTestId('rule-count').textContent(), { timeout: 10_000 })
      .toBe('9,954 rules');
    expect(rendererErrors(lead)).toEqual([]);
  });
});

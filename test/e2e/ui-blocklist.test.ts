/**
 * Settings → Blocked numbers, end to end: the real org server, the browser host and Chromium.
 * Sign-in, the demo rules, add (validation, server refusal, success), inline edit, delete with
 * confirmation, add many with mixed results and a retry, test a number, search.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rendererErrors, rowOf, startUiEnv, waitForList, type AppInstance, type UiEnv } from './ui-harness';

let env: UiEnv;
let app: AppInstance;

beforeAll(async () => {
  env = await startUiEnv();
  app = await env.openApp({ role: null });
});
afterAll(async () => {
  await env?.close();
});

describe('blocked numbers (lead)', () => {
  it('signs in with the server address and a token, then lists the demo rules', async () => {
    const { page } = app;
    await page.getByLabel('Server address').fill(env.serverUrl);
    await page.getByLabel('Personal token').fill('too-short');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/too short/);
    await page.getByLabel('Personal token').fill('wrong-token-0000000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Could not sign in').waitFor();
    await page.getByLabel('Personal token').fill(env.tokens.lead);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await expect
      .poll(() => page.getByTestId('sync-status').getAttribute('data-status'), { timeout: 10_000 })
      .toBe('synced');
    await waitForList(page, 4);
    expect(await page.getByTestId('rule-count').textContent()).toBe('4 rules');
    await rowOf(page, '+19005550100').waitFor();
    await rowOf(page, '+1900*').waitFor();
    expect(await rowOf(page, '+12125550199').textContent()).toContain('Support');
  });

  it('adds a number: local validation, the server refusal next to the field, then success', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Add a number' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a number' });
    const number = dialog.getByLabel('Number or prefix');
    await number.pressSequentially('2125550142');
    expect(await number.inputValue()).toBe('(212) 555-0142');
    await number.fill('911');
    await dialog.getByLabel('Reason').fill('Testing');
    await dialog.getByRole('button', { name: 'Block number' }).click();
    await expect.poll(() => dialog.getByRole('alert').first().textContent()).toMatch(/emergency number/);
    await number.fill('12345');
    await dialog.getByRole('button', { name: 'Block number' }).click();
    // The message names the input (as formatted while typing) and the reason.
    await expect
      .poll(() => dialog.getByRole('alert').first().textContent())
      .toMatch(/"1 \(234\) 5" is too short/);

    // Already on the list: the server's words, beside the number.
    await number.fill('+1 900 555 0100');
    await dialog.getByRole('button', { name: 'Block number' }).click();
    await expect.poll(() => dialog.getByRole('alert').first().textContent()).toMatch(/already/i);
    expect(await number.getAttribute('aria-invalid')).toBe('true');

    await number.fill('');
    await number.pressSequentially('2125550142');
    const reason = dialog.getByLabel('Reason');
    await reason.fill('x'.repeat(205));
    expect(await dialog.getByText('205 / 200').count()).toBe(1);
    await reason.fill('Spam caller from the e2e test');
    await dialog.getByLabel('Expires').selectOption('7d');
    await dialog.getByRole('button', { name: 'Block number' }).click();
    await dialog.getByText('Blocked (212) 555-0142').waitFor();
    await page.keyboard.press('Escape');
    await rowOf(page, '+12125550142').waitFor();
    const row = await rowOf(page, '+12125550142').textContent();
    expect(row).toContain('Spam caller from the e2e test');
    expect(row).toMatch(/in 6 d 23 h|in 7 d 0 h/);
  });

  it('edits the reason inline: Enter saves, Esc cancels', async () => {
    const { page } = app;
    const row = rowOf(page, '+12125550142');
    await row.getByRole('button', { name: /Edit reason and expiry/ }).click();
    const input = page.getByLabel('Reason for (212) 555-0142');
    await input.fill('Should not be saved');
    await input.press('Escape');
    await expect.poll(() => row.textContent()).toContain('Spam caller from the e2e test');
    await row.getByRole('button', { name: /Edit reason and expiry/ }).click();
    await page.getByLabel('Reason for (212) 555-0142').fill('Edited inline');
    await page.getByLabel('Reason for (212) 555-0142').press('Enter');
    await expect.poll(() => row.textContent()).toContain('Edited inline');
    const stored = await env.server.blockline.store.allRules('demo');
    expect(stored.find((rule) => rule.number === '+12125550142')?.reason).toBe('Edited inline');
  });

  it('deletes with a confirmation', async () => {
    const { page } = app;
    await rowOf(page, '+12125550142')
      .getByRole('button', { name: /Delete rule/ })
      .click();
    const dialog = page.getByRole('dialog', { name: 'Delete this rule?' });
    await dialog.getByRole('button', { name: 'Keep it' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await rowOf(page, '+12125550142').count()).toBe(1);
    await rowOf(page, '+12125550142')
      .getByRole('button', { name: /Delete rule/ })
      .click();
    await page
      .getByRole('dialog', { name: 'Delete this rule?' })
      .getByRole('button', { name: 'Delete' })
      .click();
    await rowOf(page, '+12125550142').waitFor({ state: 'detached' });
    expect(await page.getByTestId('rule-count').textContent()).toBe('4 rules');
  });

  it('adds many: a result per line in place, valid ones saved, failed ones editable for a retry', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Add many' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add many numbers' });
    await dialog
      .getByLabel(/^Numbers/)
      .fill(['212 555 0150', '911', 'abc', '+1 900 555 0100', '212-555-0151'].join('\n'));
    await dialog.getByLabel('Reason for all').fill('Pasted by the e2e test');
    await dialog.getByRole('button', { name: 'Add all' }).click();
    const results = dialog.getByRole('list', { name: 'Result per line' }).getByRole('listitem');
    await expect.poll(() => results.count()).toBe(5);
    expect(
      await results.evaluateAll((items) => items.map((item) => item.getAttribute('data-status'))),
    ).toEqual(['created', 'emergency', 'invalid', 'already_blocked', 'created']);
    await rowOf(page, '+12125550150').waitFor({ state: 'attached' });
    await dialog.getByLabel('Number on line 3').fill('212 555 0152');
    await dialog.getByLabel('Number on line 2').fill('');
    await dialog.getByRole('button', { name: /Retry failed lines/ }).click();
    await expect.poll(() => results.nth(2).getAttribute('data-status')).toBe('created');
    expect(await results.nth(1).getAttribute('data-status')).toBe('emergency');
    await dialog.getByRole('button', { name: 'Close', exact: true }).first().click();
    await rowOf(page, '+12125550152').waitFor();
    expect(await page.getByTestId('rule-count').textContent()).toBe('7 rules');
  });

  it('tests a number: the verdict and the deciding rule', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Test a number' }).click();
    const dialog = page.getByRole('dialog', { name: 'Test a number' });
    await dialog.getByLabel('Number').fill('+1 900 555 1234');
    await dialog.getByRole('button', { name: 'Test', exact: true }).click();
    const verdict = dialog.getByTestId('verdict');
    await verdict.waitFor();
    expect(await verdict.textContent()).toMatch(/Blocked/);
    expect(await verdict.textContent()).toMatch(/\+1900\*/);
    await dialog.getByLabel('Number').fill('+1 212 555 9876');
    await dialog.getByRole('button', { name: 'Test', exact: true }).click();
    await expect.poll(() => verdict.textContent()).toMatch(/Allowed/);
    await page.keyboard.press('Escape');
  });

  it('searches by number in any format and by reason', async () => {
    const { page } = app;
    const search = page.getByLabel('Search number or reason');
    await search.fill('(212) 555-0150');
    await expect.poll(() => page.getByTestId('rule-count').textContent()).toBe('1 of 7 rules');
    await search.fill('premium');
    await expect.poll(() => page.getByTestId('rule-count').textContent()).toBe('2 of 7 rules');
    await search.fill('');
    await page.getByLabel('Sort by').selectOption('number');
    await page.getByLabel('Order').selectOption('asc');
    const shownNumbers = () =>
      page
        .locator('[data-rule-number]')
        .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-rule-number')));
    await expect.poll(async () => (await shownNumbers())[0]).toBe('+12125550150');
    const numbers = await shownNumbers();
    expect(numbers).toHaveLength(7);
    expect(numbers).toEqual([...numbers].sort());
  });

  it('fills the dialer from a tel: link and says why a call cannot be placed without a SIP account', async () => {
    const { page, host } = app;
    host.services.emit('dialer:open', { number: '+12125550123' });
    const dialer = page.getByLabel('Number to call');
    await expect.poll(() => dialer.inputValue()).toBe('+12125550123');
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    await page.getByText('No SIP account is set up: add one in Settings → Phone').waitFor();
    expect(rendererErrors(app)).toEqual([]);
  });
});

/**
 * The rest of the settings pane end to end, against the real server and browser hosts: CSV export, hit
 * counters that follow calls blocked anywhere in the org, auto-block and working hours, announcement
 * previews, the phone's audio choices, and a `403` from the server shown where the change was made.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRulesCsv } from '../../shared/bulk';
import type { CallReport } from '../../shared/contracts/api';
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

describe('settings pane', () => {
  it('exports the list as CSV, every rule once', async () => {
    const rules = await env.server.blockline.store.allRules('demo');
    const [download] = await Promise.all([
      lead.page.waitForEvent('download'),
      lead.page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^blockline-rules-\d{4}-\d{2}-\d{2}\.csv$/);
    const text = readFileSync(await download.path(), 'utf8');
    expect(text.split('\r\n')[0]).toBe('number,reason,scope,kind,expiresAt');
    // Read back the way an import reads it (numbers carry a leading ' so spreadsheets keep them as text).
    const { entries } = parseRulesCsv(text);
    expect(entries.map((entry) => [entry.raw, entry.reason, entry.scope, entry.kind]).sort()).toEqual(
      rules.map((rule) => [rule.number, rule.reason, rule.scope, rule.kind]).sort(),
    );
  });

  it('updates hit counters live when a call is blocked on another agent’s phone', async () => {
    const list = await agent.host.services.invoke('blocklist:get', undefined);
    const rule = list.rules.find(
      (candidate) => candidate.kind === 'block' && !candidate.number.endsWith('*'),
    );
    const line = list.lines[0];
    if (!rule || !line) throw new Error('the demo org has no plain block rule or no line');
    const hitCount = rowOf(lead.page, rule.number).getByTestId('hit-count');
    const before = Number(await hitCount.textContent());
    // What the agent's phone reports after blocking a call (queued, then delivered to the server).
    const report: CallReport = {
      id: 'report-ui-hits-0001',
      callId: 'call-ui-hits-0001',
      direction: 'inbound',
      line: line.number,
      number: rule.number,
      anonymous: false,
      action: 'block',
      why: 'rule',
      ruleId: rule.id,
      at: new Date().toISOString(),
    };
    const sentAt = Date.now();
    await agent.host.services.invoke('calls:report', report);
    await expect.poll(async () => Number(await hitCount.textContent()), { timeout: 3_000 }).toBe(before + 1);
    expect(Date.now() - sentAt).toBeLessThan(3_000);
    expect(await rowOf(lead.page, rule.number).textContent()).toMatch(/last /);
  });

  it('saves auto-block, its working hours and time zone on the server', async () => {
    const { page } = lead;
    await page.getByRole('tab', { name: 'Policies' }).click();
    const settings = async () => (await env.server.blockline.store.getOrg('demo'))?.settings.autoBlock;
    const toggle = page.getByRole('switch', { name: 'Auto-block repeated callers' });
    if ((await toggle.getAttribute('aria-checked')) !== 'true') await toggle.click();
    await expect.poll(async () => (await settings())?.enabled).toBe(true);
    const threshold = page.getByLabel('Calls (threshold)');
    await threshold.fill('4');
    await threshold.press('Enter');
    await expect.poll(async () => (await settings())?.threshold).toBe(4);
    const window = page.getByLabel('Within minutes');
    await window.fill('20');
    await window.press('Enter');
    await expect.poll(async () => (await settings())?.windowMinutes).toBe(20);
    // Saturday becomes a working day, 10:00–14:00.
    // The box follows the server: it is ticked once the change is saved, not when clicked.
    await page.getByRole('checkbox', { name: 'Saturday' }).click();
    await expect.poll(() => page.getByRole('checkbox', { name: 'Saturday' }).isChecked()).toBe(true);
    await expect
      .poll(async () => (await settings())?.workingHours.sat)
      .toEqual({ start: '09:00', end: '17:00' });
    const start = page.getByLabel('Saturday start');
    await start.fill('10:00');
    await start.blur();
    const end = page.getByLabel('Saturday end');
    await end.fill('14:00');
    await end.blur();
    await expect
      .poll(async () => (await settings())?.workingHours.sat)
      .toEqual({ start: '10:00', end: '14:00' });
    await page.getByLabel('Time zone').selectOption('Europe/London');
    await expect.poll(async () => (await settings())?.timeZone).toBe('Europe/London');
    // The agent's app has the same settings, synced.
    await expect
      .poll(async () => (await agent.host.services.invoke('blocklist:get', undefined)).settings.autoBlock)
      .toMatchObject({ threshold: 4, windowMinutes: 20, timeZone: 'Europe/London' });
  });

  it('auto-answer when the PBX asks: off on every line, only an admin turns it on, and every app gets it (SPEC §10.4)', async () => {
    const { page } = lead;
    await page.getByRole('tab', { name: 'Policies' }).click();
    const lines = (await agent.host.services.invoke('blocklist:get', undefined)).lines;
    const first = lines[0];
    if (!first) throw new Error('the demo org has no line');
    expect(lines.every((line) => line.pbxAutoAnswer !== true)).toBe(true);
    // A lead sees the switch, off and disabled, and why.
    const leadSwitch = page.getByRole('switch', { name: /^Answer when the PBX asks on / }).first();
    expect(await leadSwitch.getAttribute('aria-checked')).toBe('false');
    expect(await leadSwitch.isDisabled()).toBe(true);
    await page.getByText('Only admins can change this.').first().waitFor();

    const admin = await env.openApp({ role: 'admin' });
    try {
      await admin.page.getByRole('button', { name: 'Settings' }).click();
      await admin.page.getByRole('tab', { name: 'Policies' }).click();
      const adminSwitch = admin.page.getByRole('switch', { name: /^Answer when the PBX asks on / }).first();
      expect(await adminSwitch.isDisabled()).toBe(false);
      await adminSwitch.click();
      await expect
        .poll(async () => (await env.server.blockline.store.listLines('demo'))[0]?.pbxAutoAnswer)
        .toBe(true);
      await expect.poll(() => adminSwitch.getAttribute('aria-checked')).toBe('true');
      // The agent's app has it, synced: its phone now answers when the PBX asks on that line.
      await expect
        .poll(
          async () => (await agent.host.services.invoke('blocklist:get', undefined)).lines[0]?.pbxAutoAnswer,
        )
        .toBe(true);
      await adminSwitch.click();
      await expect
        .poll(async () => (await env.server.blockline.store.listLines('demo'))[0]?.pbxAutoAnswer)
        .toBe(false);
    } finally {
      await admin.close();
    }
  });

  it('previews both announcements', async () => {
    const { page } = lead;
    for (const name of ['Play: Blocked inbound caller hears', 'Play: Agent calling a blocked number hears']) {
      const button = page.getByRole('button', { name, exact: true });
      await button.click();
      // "Playing…" while the clip plays, "Play" again when it ends.
      await expect.poll(() => button.textContent(), { timeout: 2_000 }).toBe('Playing…');
      await expect.poll(() => button.textContent(), { timeout: 10_000 }).toBe('Play');
    }
    expect(await page.getByRole('alert').filter({ hasText: 'Could not play' }).count()).toBe(0);
  });

  it('keeps the chosen ringtone and devices on this machine across a reload', async () => {
    const { page } = lead;
    await page.getByRole('tab', { name: 'Phone' }).click();
    await page.getByLabel('Ringtone').selectOption('soft');
    // A browser that has not let the app use the microphone yet lists devices without ids or names
    // (the test flags grant it up front, so that state is put back here, remembered like a grant).
    await page.addInitScript(() => {
      const devices = navigator.mediaDevices;
      const enumerate = devices.enumerateDevices.bind(devices);
      const getUserMedia = devices.getUserMedia.bind(devices);
      devices.enumerateDevices = async () => {
        const listed = await enumerate();
        if (sessionStorage.getItem('test-microphone-granted') === 'yes') return listed;
        return listed.map((device) => ({ ...device.toJSON(), deviceId: '', label: '', groupId: '' }));
      };
      devices.getUserMedia = async (constraints) => {
        const stream = await getUserMedia(constraints);
        sessionStorage.setItem('test-microphone-granted', 'yes');
        return stream;
      };
    });
    await page.reload();
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('tab', { name: 'Phone' }).click();
    await page.getByRole('button', { name: 'Show my devices' }).click();
    const microphone = page.getByLabel('Microphone');
    await expect.poll(() => microphone.locator('option').count()).toBeGreaterThan(1);
    const inputs = await microphone
      .locator('option')
      .evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value));
    // Chromium's fake devices: at least "default" and one real-looking microphone.
    expect(inputs.length).toBeGreaterThan(1);
    const chosen = inputs.find((value) => value !== 'default') ?? 'default';
    await microphone.selectOption(chosen);
    await page.reload();
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('tab', { name: 'Phone' }).click();
    expect(await page.getByLabel('Ringtone').inputValue()).toBe('soft');
    // The saved device is selected once the devices are listed again.
    await expect.poll(() => page.getByLabel('Microphone').inputValue()).toBe(chosen);
  });

  it('rings on a device of its own, and tests the microphone with a level meter (SPEC §10.5)', async () => {
    const { page } = lead;
    await page.getByRole('tab', { name: 'Phone' }).click();
    const ringOn = page.getByLabel('Ring on');
    expect(await ringOn.inputValue()).toBe('same');
    await expect.poll(() => ringOn.locator('option').count()).toBeGreaterThan(2);
    const speakers = await ringOn
      .locator('option')
      .evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value));
    const ringDevice = speakers.find((value) => value !== 'same' && value !== 'default') ?? 'default';
    await ringOn.selectOption(ringDevice);
    await page.reload();
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('tab', { name: 'Phone' }).click();
    await expect.poll(() => page.getByLabel('Ring on').inputValue()).toBe(ringDevice);

    // Chromium's fake microphone beeps: the meter moves while the test records, then it plays back.
    await page.getByRole('button', { name: 'Test your mic' }).click();
    await page.getByText('Recording: say something…').waitFor();
    await page.waitForFunction(
      () => Number(document.querySelector<HTMLMeterElement>('meter[aria-label="Input level"]')?.value) > 0.02,
      undefined,
      { timeout: 3000 },
    );
    await page.getByText('Playing back what the other side would hear…').waitFor({ timeout: 5000 });
    await page.getByRole('button', { name: 'Test your mic' }).waitFor({ timeout: 8000 });
  });

  it("shows the server's 403 next to the change when the lead lost the right meanwhile", async () => {
    const { page } = lead;
    // An admin demotes the lead on the server; this app still believes it may manage.
    await env.server.blockline.store.db
      .updateTable('users')
      .set({ role: 'agent' })
      .where('id', '=', 'demo-lead')
      .execute();
    try {
      await page.getByRole('button', { name: 'Settings' }).click();
      await page.getByRole('tab', { name: 'Policies' }).click();
      const toggle = page.getByRole('switch', { name: 'Log blocked inbound calls' });
      const before = await toggle.getAttribute('aria-checked');
      await toggle.click();
      await page
        .getByRole('alert')
        .filter({ hasText: /only admins and leads/i })
        .waitFor();
      // Nothing pretended: the switch shows what the server has.
      expect(await toggle.getAttribute('aria-checked')).toBe(before);
      expect(rendererErrors(lead)).toEqual([]);
    } finally {
      await env.server.blockline.store.db
        .updateTable('users')
        .set({ role: 'lead' })
        .where('id', '=', 'demo-lead')
        .execute();
    }
  });
});

describe('keyboard and filters', () => {
  /** The accessible name of the focused element (its label, aria-label or text). */
  const focusedName = () =>
    lead.page.evaluate(() => {
      const element = document.activeElement as HTMLElement | null;
      if (!element) return '';
      const labelled = element.getAttribute('aria-label');
      if (labelled) return labelled;
      const label = element.id ? document.querySelector(`label[for="${element.id}"]`) : null;
      return (label?.textContent ?? element.textContent ?? '').trim();
    });
  /** Presses Tab until the focus is on the element named `name` (at most `limit` times). */
  async function tabTo(name: string, limit = 25): Promise<void> {
    for (let presses = 0; presses < limit; presses++) {
      if ((await focusedName()).startsWith(name)) return;
      await lead.page.keyboard.press('Tab');
    }
    throw new Error(`Tab never reached "${name}" (last: "${await focusedName()}")`);
  }

  it('adds a rule with the keyboard alone; the dialog takes the focus and gives it back', async () => {
    const { page } = lead;
    await page.getByRole('tab', { name: 'Blocked numbers' }).click();
    await page.getByRole('button', { name: 'Add a number' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Add a number' });
    await dialog.waitFor();
    expect(await focusedName()).toBe('Number or prefix');
    // Esc closes it and the focus goes back to the button that opened it.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await focusedName()).toBe('Add a number');

    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await page.keyboard.type('212 555 0133');
    await tabTo('Reason');
    await page.keyboard.type('Typed without a mouse');
    await page.keyboard.press('Enter'); // submits the form
    await dialog.getByText('Blocked (212) 555-0133').waitFor();
    // The focus never leaves an open dialog: Tab from its last control wraps to its first.
    for (let presses = 0; presses < 15; presses++) {
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => !!document.activeElement?.closest('dialog'))).toBe(true);
    }
    await page.keyboard.press('Escape');
    await rowOf(page, '+12125550133').waitFor();
    expect(await focusedName()).toBe('Add a number');
  });

  it('moves between settings tabs with the arrow keys', async () => {
    const { page } = lead;
    await page.getByRole('tab', { name: 'Blocked numbers' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('tab', { name: 'Policies' }).getAttribute('aria-selected')).toBe('true');
    expect(await focusedName()).toBe('Policies');
    await page.keyboard.press('ArrowLeft');
    expect(await page.getByRole('tab', { name: 'Blocked numbers' }).getAttribute('aria-selected')).toBe(
      'true',
    );
  });

  it('filters by scope and kind, and sorts by hits', async () => {
    const { page } = lead;
    const shownNumbers = () =>
      page
        .locator('[data-rule-number]')
        .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-rule-number')));
    const rules = await env.server.blockline.store.allRules('demo');
    const lineScoped = rules.filter((rule) => rule.scope !== 'all');
    expect(lineScoped.length).toBeGreaterThan(0);
    const scope = lineScoped[0]!.scope;
    await page.locator('.bl-filters').getByLabel('Scope').selectOption(scope);
    await expect
      .poll(async () => (await shownNumbers()).sort())
      .toEqual(
        lineScoped
          .filter((rule) => rule.scope === scope)
          .map((rule) => rule.number)
          .sort(),
      );
    await page.locator('.bl-filters').getByLabel('Scope').selectOption('any');
    await page.locator('.bl-filters').getByLabel('Kind').selectOption('allow');
    await expect
      .poll(async () => (await shownNumbers()).sort())
      .toEqual(
        rules
          .filter((rule) => rule.kind === 'allow')
          .map((rule) => rule.number)
          .sort(),
      );
    await page.locator('.bl-filters').getByLabel('Kind').selectOption('any');
    // The rule a call was blocked by earlier in this file has the most hits.
    await page.getByLabel('Sort by').selectOption('hits');
    await page.getByLabel('Order').selectOption('desc');
    const mostHit = [...rules].sort((a, b) => b.hitCount - a.hitCount)[0]!;
    expect(mostHit.hitCount).toBeGreaterThan(0);
    await expect.poll(async () => (await shownNumbers())[0]).toBe(mostHit.number);
  });
});

/**
 * People and invites in Chromium (SPEC §12.4): an admin invites a person in Settings → People; the
 * invite link, pasted into a signed-out app, shows the server's address and signs in only after the
 * person confirms it; the admin changes a role, sees devices and is refused demoting the last admin;
 * leads see no People tab; a link the OS opens reaches the sign-in page over the bridge; the open view
 * keeps itself current (a redeemed invite, a device's first use) without losing what is typed. Both themes
 * axe-clean, screenshots saved (the README's copied to docs/).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { rendererErrors, startUiEnv, waitForList, type AppInstance, type UiEnv } from './ui-harness';
import { copyScreenshotsToDocs, THEMES, viewChecker } from './ui-views';

let env: UiEnv;
let admin: AppInstance;
let lead: AppInstance;
let newcomer: AppInstance;
let inviteLink = '';

beforeAll(async () => {
  env = await startUiEnv();
  [admin, lead, newcomer] = await Promise.all([
    env.openApp({ role: 'admin' }),
    env.openApp({ role: 'lead' }),
    env.openApp({ role: null }),
  ]);
  await Promise.all([waitForList(admin.page, 4), waitForList(lead.page, 4)]);
});
afterAll(async () => {
  await env?.close();
});

async function openPeople(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('tab', { name: 'People' }).click();
}

/** A reload and the view opened again: what the server says now, for sure (the view also refreshes itself). */
async function reopenPeople(page: Page): Promise<void> {
  await page.reload();
  await openPeople(page);
}

describe('people and invites', () => {
  it('an admin invites a person and gets a link and a code', async () => {
    const page = admin.page;
    await openPeople(page);
    const invite = page.getByRole('region', { name: 'Invite a person' });
    await invite.getByLabel('Name').fill('Nia Newcomer');
    await invite.getByLabel('Role').selectOption('agent');
    await invite.getByRole('button', { name: 'Create invite' }).click();
    await page.getByTestId('invite-result').waitFor();
    inviteLink = await page.getByLabel('Invite link').inputValue();
    expect(inviteLink).toMatch(/^blockline:\/\/invite\?server=http%3A%2F%2F127\.0\.0\.1%3A\d+&code=/);
    expect(await page.getByLabel('Invite code').inputValue()).toMatch(/^[0-9A-Z]{4}-/);
  });

  it('the link shows the server and signs in only after the person confirms it', async () => {
    const page = newcomer.page;
    await page.getByRole('button', { name: 'I have an invite' }).click();
    await page.getByLabel('Invite link or code').fill(inviteLink);
    await page.getByLabel('This computer’s name').fill('Nia laptop');
    await page.getByRole('button', { name: 'Continue' }).click();
    const confirm = page.getByTestId('confirm-server');
    await confirm.waitFor();
    expect(await confirm.locator('.bl-signin__server').textContent()).toBe(env.serverUrl);
    // Nothing has been sent yet: going back leaves the person signed out.
    await page.getByRole('button', { name: 'Back' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: /^Sign in to 127\.0\.0\.1/ }).click();
    await page.getByText('Nia Newcomer · agent · Demo Org').waitFor();
  });

  it('a plain-http link to another machine is refused before anything is sent', async () => {
    const other = await env.openApp({ role: null });
    try {
      await other.page.getByRole('button', { name: 'I have an invite' }).click();
      await other.page
        .getByLabel('Invite link or code')
        .fill(inviteLink.replace(/server=[^&]+/, 'server=http%3A%2F%2Fevil.example'));
      await other.page.getByRole('button', { name: 'Continue' }).click();
      await other.page.getByText(/must start with https:\/\//).waitFor();
      expect(await other.page.getByTestId('confirm-server').count()).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('a link the OS opened (over the bridge) goes to the confirmation; a plain-http one is refused', async () => {
    const other = await env.openApp({ role: null });
    try {
      // What Electron's open-url / second-instance hand-over emits (electron/main.ts).
      other.host.services.emit('invite:open', { link: inviteLink });
      const confirm = other.page.getByTestId('confirm-server');
      await confirm.waitFor();
      expect(await confirm.locator('.bl-signin__server').textContent()).toBe(env.serverUrl);
      expect(other.invokes.map((entry) => entry.channel)).not.toContain('session:redeemInvite');
      await other.page.getByRole('button', { name: 'Back' }).click();
      expect(await other.page.getByLabel('Invite link or code').inputValue()).toBe(inviteLink);

      other.host.services.emit('invite:open', {
        link: inviteLink.replace(/server=[^&]+/, 'server=http%3A%2F%2Fevil.example'),
      });
      await other.page.getByText(/must start with https:\/\//).waitFor();
      expect(await other.page.getByTestId('confirm-server').count()).toBe(0);
      expect(other.invokes.map((entry) => entry.channel)).not.toContain('session:redeemInvite');
    } finally {
      await other.close();
    }
  });

  it('leads see Activity and Audit but not People', async () => {
    await lead.page.getByRole('button', { name: 'Settings' }).click();
    await lead.page.getByRole('tab', { name: 'Audit' }).waitFor();
    expect(await lead.page.getByRole('tab', { name: 'Activity' }).count()).toBe(1);
    expect(await lead.page.getByRole('tab', { name: 'People' }).count()).toBe(0);
  });

  const { found, check } = viewChecker(200);
  for (const theme of THEMES) {
    it(`the invite sign-in is axe-clean in the ${theme} theme (screenshot saved)`, async () => {
      const other = await env.openApp({ role: null, colorScheme: theme });
      try {
        await other.page.getByRole('button', { name: 'I have an invite' }).click();
        await other.page.getByLabel('Invite link or code').fill(inviteLink);
        await other.page.getByRole('button', { name: 'Continue' }).click();
        await other.page.getByTestId('confirm-server').waitFor();
        await check(other.page, `sign-in-invite-confirm-${theme}`);
      } finally {
        await other.close();
      }
      expect(found, JSON.stringify(found, null, 2)).toEqual([]);
    });

    it(`People is axe-clean in the ${theme} theme (screenshot saved)`, async () => {
      const page = admin.page;
      await page.emulateMedia({ colorScheme: theme });
      await reopenPeople(page);
      await page.locator('tr[data-person="Nia Newcomer"]').waitFor();
      const devices = page.getByRole('table', { name: 'Devices of Nia Newcomer' });
      if ((await devices.count()) === 0)
        await page.getByRole('button', { name: /devices? of Nia Newcomer$/ }).click();
      await devices.waitFor();
      await check(page, `settings-people-${theme}`);
      expect(found, JSON.stringify(found, null, 2)).toEqual([]);
      copyScreenshotsToDocs(['settings-people'], [theme]);
    });
  }

  it('the People table lists everyone with role, status and devices; roles change, the last admin stays', async () => {
    const page = admin.page;
    await reopenPeople(page);
    const nia = page.locator('tr[data-person="Nia Newcomer"]');
    await nia.waitFor();
    for (const name of ['Ada Admin', 'Lee Lead', 'Alex Agent']) {
      await page.locator(`tr[data-person="${name}"]`).waitFor();
    }
    expect(await nia.getByLabel('Role of Nia Newcomer').inputValue()).toBe('agent');
    expect(await nia.getByText('Active').count()).toBe(1);
    expect(await nia.getByRole('button', { name: '1 device of Nia Newcomer' }).count()).toBe(1);
    const devices = page.getByRole('table', { name: 'Devices of Nia Newcomer' });
    if ((await devices.count()) === 0)
      await page.getByRole('button', { name: /devices? of Nia Newcomer$/ }).click();
    await devices.getByRole('rowheader', { name: 'Nia laptop' }).waitFor();
    expect(await devices.textContent()).not.toMatch(/[0-9a-f]{40}/);

    // By keyboard: focus the role picker and choose Team lead.
    await nia.getByLabel('Role of Nia Newcomer').focus();
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => nia.getByLabel('Role of Nia Newcomer').inputValue()).toBe('lead');
    // The server agrees: a reload shows the new role.
    await reopenPeople(page);
    await expect
      .poll(() =>
        page.locator('tr[data-person="Nia Newcomer"]').getByLabel('Role of Nia Newcomer').inputValue(),
      )
      .toBe('lead');

    // Ada is the only admin: demoting her is refused, with the reason on her row.
    await page.locator('tr[data-person="Ada Admin"]').getByLabel('Role of Ada Admin').selectOption('agent');
    await page
      .getByRole('alert')
      .filter({ hasText: 'Ada Admin' })
      .getByText(/only active admin/)
      .waitFor();
    await reopenPeople(page);
    await expect
      .poll(() => page.locator('tr[data-person="Ada Admin"]').getByLabel('Role of Ada Admin').inputValue())
      .toBe('admin');
  });

  it('logged no renderer errors', () => {
    expect(rendererErrors(newcomer)).toEqual([]);
  });

  it('stays current while open: a person who redeems an invite appears, then their device’s first use', async () => {
    const page = admin.page;
    await page.setViewportSize({ width: 1280, height: 400 });
    await openPeople(page);
    await page.locator('tr[data-person="Ada Admin"]').waitFor();
    // The admin is half-way through typing an invite (the field has focus), the view scrolled down a little; any loading state
    // the view goes through from now on is recorded.
    const name = page.getByRole('region', { name: 'Invite a person' }).getByLabel('Name');
    await name.fill('Half typ');
    const scrolled = await page.evaluate(() => {
      const table = document.querySelector('[data-testid="people"]');
      let box: Element | null = table;
      while (box && box.scrollHeight <= box.clientHeight + 20) box = box.parentElement;
      const scroller = box ?? document.scrollingElement;
      if (!scroller) throw new Error('nothing scrolls');
      scroller.setAttribute('data-scroller', '');
      scroller.scrollTop = 30;
      const busy: (string | null)[] = [];
      Reflect.set(window, '__busy', busy);
      const section = document.querySelector('.bl-people');
      if (!section) throw new Error('no People view');
      new MutationObserver(() => busy.push(section.getAttribute('aria-busy'))).observe(section, {
        attributes: true,
        attributeFilter: ['aria-busy'],
      });
      return scroller.scrollTop;
    });
    expect(scrolled).toBe(30);
    expect(await name.evaluate((element) => element === document.activeElement)).toBe(true);

    // Another computer redeems an invite (through the API, as the sign-in page would).
    const post = (path: string, body: unknown, token?: string) =>
      fetch(`${env.serverUrl}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        },
        body: JSON.stringify(body),
      }).then((response) => response.json() as Promise<Record<string, string>>);
    const invite = await post('/v1/invites', { name: 'Remy Redeemed', role: 'agent' }, env.tokens.admin);
    const redeemed = await post('/v1/invites/redeem', { code: invite.code, deviceName: 'Remy desk' });
    expect(redeemed.token).toBeTruthy();
    const remy = page.locator('tr[data-person="Remy Redeemed"]');
    expect(await remy.count()).toBe(0);
    // The window regains focus: the view asks again at once.
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await remy.waitFor({ timeout: 5_000 });
    const lastUsed = remy.locator('td').nth(3);
    expect(await lastUsed.textContent()).toBe('Never');

    // Remy's device makes its first request: the next 15-second refresh shows it, with no event at all.
    const me = await fetch(`${env.serverUrl}/v1/me`, {
      headers: { authorization: `Bearer ${redeemed.token}` },
    });
    expect(me.status).toBe(200);
    await expect.poll(() => lastUsed.textContent(), { timeout: 20_000, interval: 250 }).not.toBe('Never');

    // Nothing the admin was doing was lost, and nothing flickered.
    expect(await name.inputValue()).toBe('Half typ');
    expect(await name.evaluate((element) => element === document.activeElement)).toBe(true);
    expect(await page.evaluate(() => document.querySelector('[data-scroller]')?.scrollTop)).toBe(30);
    expect(await page.evaluate(() => Reflect.get(window, '__busy') as unknown[])).toEqual([]);
    await name.fill('');
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it('an admin disables and enables a person, and revokes their device (signed out)', async () => {
    const page = admin.page;
    await openPeople(page);
    const nia = page.locator('tr[data-person="Nia Newcomer"]');
    await nia.getByRole('button', { name: 'Disable Nia Newcomer' }).click();
    await nia.getByText('Disabled').waitFor();
    await nia.getByRole('button', { name: 'Enable Nia Newcomer' }).click();
    await nia.getByText('Active').waitFor();
    const devices = page.getByRole('table', { name: 'Devices of Nia Newcomer' });
    if ((await devices.count()) === 0)
      await page.getByRole('button', { name: /devices? of Nia Newcomer$/ }).click();
    await devices.getByRole('button', { name: 'Revoke Nia laptop' }).click();
    await page.getByText('Nia Newcomer has no device signed in.').waitFor();
    await page.getByRole('button', { name: '0 devices of Nia Newcomer' }).waitFor();
  });
});

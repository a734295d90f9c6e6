/**
 * SPEC §11.6 in the real renderer (Chromium) against the real org server: the keychain choice the
 * desktop app shows when the OS has no real keychain. The host runs the desktop app's own secret store
 * (createManagedSecretStore) with a stand-in for Electron's `safeStorage` — the one part that cannot
 * exist here — reporting `basic_text`, as on a Linux machine without a keyring, or `gnome_libsecret`.
 * Driven by keyboard only; axe-core and screenshots in both themes.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createManagedSecretStore, type KeychainFacts } from '../../host/secret-storage';
import { UNENCRYPTED_SECRETS_FILE, type StringCipher } from '../../host/secrets';
import {
  rendererErrors,
  screenshot,
  seriousViolations,
  startUiEnv,
  type AxeViolation,
  type UiEnv,
} from './ui-harness';

const cipher: StringCipher = {
  isEncryptionAvailable: () => true,
  encryptString: (plain) => Buffer.from(`enc:${Buffer.from(plain).toString('hex')}`),
  decryptString: (encrypted) => Buffer.from(encrypted.toString().replace(/^enc:/, ''), 'hex').toString(),
};
const storeWith = (keychain: KeychainFacts) => (dataDir: string) =>
  createManagedSecretStore({ dir: dataDir, cipher, keychain });
const BASIC_TEXT: KeychainFacts = {
  platform: 'linux',
  encryptionAvailable: true,
  linuxBackend: 'basic_text',
};
const KEYRING: KeychainFacts = {
  platform: 'linux',
  encryptionAvailable: true,
  linuxBackend: 'gnome_libsecret',
};

let env: UiEnv;
beforeAll(async () => {
  env = await startUiEnv();
});
afterAll(async () => {
  await env?.close();
});

/** Every file of the test run (every host's data, the server's database) that holds `text`. */
function filesHolding(text: string): string[] {
  const found: string[] = [];
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const file = join(folder, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (readFileSync(file, 'latin1').includes(text)) found.push(file);
    }
  };
  walk(env.workDir);
  return found;
}

async function signInByKeyboard(page: Page, token: string): Promise<void> {
  await page.getByLabel('Server address').focus();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type(env.serverUrl);
  await page.keyboard.press('Tab');
  await page.keyboard.type(token);
  await page.getByLabel('Personal token').press('Enter');
  await page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: 15_000 });
}

/** Tabs forward from the token field until `name` has the focus; fails if it is not reachable. */
async function tabTo(page: Page, name: string): Promise<void> {
  await page.getByLabel('Personal token').focus();
  for (let step = 0; step < 10; step++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.textContent ?? '');
    if (focused === name) return;
  }
  throw new Error(`"${name}" cannot be reached with Tab`);
}

describe('no real keychain (basic_text)', () => {
  const violations: { view: string; violations: AxeViolation[] }[] = [];

  it('the sign-in card says the sign-in will not be saved, and why, in both themes', async () => {
    const app = await env.openApp({ role: null, secretStore: storeWith(BASIC_TEXT) });
    const notice = app.page.getByRole('region', { name: 'Sign-in is not saved on this computer' });
    await notice.waitFor();
    await expect(notice.textContent()).resolves.toMatch(
      /No keyring is running.*fixed, publicly known password/,
    );
    await app.page.getByText('Not saved on this computer: kept only until you quit Blockline.').waitFor();
    for (const theme of ['light', 'dark'] as const) {
      await app.page.emulateMedia({ colorScheme: theme });
      await app.page.waitForTimeout(150);
      const found = await seriousViolations(app.page);
      if (found.length > 0) violations.push({ view: `sign-in-no-keychain-${theme}`, violations: found });
      await screenshot(app.page, `sign-in-no-keychain-${theme}`);
    }
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
    await app.close();
  });

  it('declining (doing nothing): signed in for this run, and the token is on no file', async () => {
    const app = await env.openApp({ role: null, secretStore: storeWith(BASIC_TEXT) });
    await signInByKeyboard(app.page, env.tokens.agent);
    expect(filesHolding(env.tokens.agent)).toEqual([]);
    // The signed-in app keeps saying so.
    await app.page.getByRole('region', { name: 'Sign-in is not saved on this computer' }).waitFor();
    for (const theme of ['light', 'dark'] as const) {
      await app.page.emulateMedia({ colorScheme: theme });
      await app.page.waitForTimeout(150);
      expect(await seriousViolations(app.page), theme).toEqual([]);
      await screenshot(app.page, `app-secrets-not-stored-${theme}`);
    }
    await expect(app.host.services.invoke('app:info', undefined)).resolves.toMatchObject({
      capabilities: { osKeychain: false },
    });
    expect(rendererErrors(app)).toEqual([]);
    await app.close();
  });

  it('accepting the plain file by keyboard: the app says so, and the token lands in that file only (0600)', async () => {
    const app = await env.openApp({ role: null, secretStore: storeWith(BASIC_TEXT) });
    await app.page.getByRole('region', { name: 'Sign-in is not saved on this computer' }).waitFor();
    await tabTo(app.page, 'Keep secrets in a plain file');
    await app.page.keyboard.press('Enter');
    const done = app.page.getByRole('status').filter({ hasText: 'Secrets are kept unencrypted' });
    await done.waitFor();
    const status = await app.host.services.invoke('secrets:status', undefined);
    expect(status).toMatchObject({ mode: 'plain-file', chosenByUser: true });
    if (status.mode !== 'plain-file') throw new Error('not the plain file');
    await expect(done.textContent()).resolves.toContain(status.file);
    await app.page.getByText('Kept unencrypted in a file only your user account can read.').waitFor();
    for (const theme of ['light', 'dark'] as const) {
      await app.page.emulateMedia({ colorScheme: theme });
      await app.page.waitForTimeout(150);
      expect(await seriousViolations(app.page), theme).toEqual([]);
      await screenshot(app.page, `sign-in-plain-file-accepted-${theme}`);
    }

    await signInByKeyboard(app.page, env.tokens.lead);
    expect(filesHolding(env.tokens.lead)).toEqual([status.file]);
    expect(status.file.endsWith(UNENCRYPTED_SECRETS_FILE)).toBe(true);
    expect(statSync(status.file).mode & 0o777).toBe(0o600);
    await expect(app.host.services.invoke('app:info', undefined)).resolves.toMatchObject({
      capabilities: { osKeychain: false },
    });
    expect(rendererErrors(app)).toEqual([]);
    await app.close();
  });
});

describe('a real keychain (a stand-in reporting gnome_libsecret)', () => {
  it('no notice; the hint names the keychain; only ciphertext on disk', async () => {
    const app = await env.openApp({ role: null, secretStore: storeWith(KEYRING) });
    await app.page.getByText('Your admin gives you this token. Kept in the GNOME libsecret.').waitFor();
    await expect(app.page.getByRole('region', { name: /not saved/ }).count()).resolves.toBe(0);
    await signInByKeyboard(app.page, env.tokens.agent);
    expect(filesHolding(env.tokens.agent)).toEqual([]);
    await expect(app.host.services.invoke('secrets:status', undefined)).resolves.toEqual({
      mode: 'keychain',
      backend: 'GNOME libsecret',
    });
    await app.close();
  });
});

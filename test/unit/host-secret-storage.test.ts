/**
 * The desktop app's secret store on real files, with a stand-in for Electron's `safeStorage` (the one
 * part that cannot exist here): where each secret goes under each decision, and how secrets move when
 * the decision changes.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManagedSecretStore, type KeychainFacts } from '../../host/secret-storage';
import { SERVER_TOKEN_KEY, UNENCRYPTED_SECRETS_FILE, type StringCipher } from '../../host/secrets';

// Reversible and visibly not plain text, like safeStorage (which under basic_text is just as reversible).
const cipher: StringCipher = {
  isEncryptionAvailable: () => true,
  encryptString: (plain) => Buffer.from(`enc:${Buffer.from(plain).toString('hex')}`),
  decryptString: (encrypted) => Buffer.from(encrypted.toString().replace(/^enc:/, ''), 'hex').toString(),
};
const KEYRING: KeychainFacts = {
  platform: 'linux',
  encryptionAvailable: true,
  linuxBackend: 'gnome_libsecret',
};
const BASIC_TEXT: KeychainFacts = {
  platform: 'linux',
  encryptionAvailable: true,
  linuxBackend: 'basic_text',
};
const TOKEN = 'blk_secret_token_0123456789';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'blockline-secrets-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const open = (keychain: KeychainFacts, log: string[] = []) =>
  createManagedSecretStore({ dir, cipher, keychain, log: (message) => log.push(message) });
const plainFile = () => path.join(dir, UNENCRYPTED_SECRETS_FILE);
const filesContain = (text: string) =>
  ['secrets.json', UNENCRYPTED_SECRETS_FILE].some(
    (name) => existsSync(path.join(dir, name)) && readFileSync(path.join(dir, name), 'utf8').includes(text),
  );

describe('the desktop secret store', () => {
  it('with a real keyring: ciphertext on disk, kept across restarts, reported as encrypted', () => {
    const secrets = open(KEYRING);
    secrets.set(SERVER_TOKEN_KEY, TOKEN);
    expect(secrets.encrypted).toBe(true);
    expect(secrets.status()).toEqual({ mode: 'keychain', backend: 'GNOME libsecret' });
    expect(filesContain(TOKEN)).toBe(false);
    expect(open(KEYRING).get(SERVER_TOKEN_KEY)).toBe(TOKEN);
  });

  it('with basic_text: nothing reaches the disk, the secret lives until the app quits', () => {
    const log: string[] = [];
    const secrets = open(BASIC_TEXT, log);
    secrets.set(SERVER_TOKEN_KEY, TOKEN);
    expect(secrets.get(SERVER_TOKEN_KEY)).toBe(TOKEN);
    expect(secrets.encrypted).toBe(false);
    expect(secrets.status()).toMatchObject({ mode: 'not-stored', plainFile: plainFile() });
    expect(filesContain(TOKEN)).toBe(false);
    expect(existsSync(plainFile())).toBe(false);
    expect(log.join('\n')).toMatch(/NOT stored/);
    expect(open(BASIC_TEXT).get(SERVER_TOKEN_KEY)).toBeNull();
  });

  it('the user accepts the plain file: what memory held moves there (0600), and stays across restarts', () => {
    const secrets = open(BASIC_TEXT);
    secrets.set(SERVER_TOKEN_KEY, TOKEN);
    const status = secrets.usePlainFile();
    expect(status).toMatchObject({ mode: 'plain-file', file: plainFile(), chosenByUser: true });
    expect(JSON.parse(readFileSync(plainFile(), 'utf8'))).toEqual({ [SERVER_TOKEN_KEY]: TOKEN });
    expect(statSync(plainFile()).mode & 0o777).toBe(0o600);
    secrets.set('sip-password:a1', 'pw');
    expect(JSON.parse(readFileSync(plainFile(), 'utf8'))).toMatchObject({ 'sip-password:a1': 'pw' });
    const restarted = open(BASIC_TEXT);
    expect(restarted.status().mode).toBe('plain-file');
    expect(restarted.encrypted).toBe(false);
    expect(restarted.get(SERVER_TOKEN_KEY)).toBe(TOKEN);
  });

  it('accepting the plain file with no secret yet still records the choice', () => {
    expect(open(BASIC_TEXT).usePlainFile().mode).toBe('plain-file');
    expect(open(BASIC_TEXT).status().mode).toBe('plain-file');
  });

  it('a real keyring never gives way to the plain file: accepting changes nothing', () => {
    const secrets = open(KEYRING);
    expect(secrets.usePlainFile()).toEqual({ mode: 'keychain', backend: 'GNOME libsecret' });
    expect(existsSync(plainFile())).toBe(false);
  });

  it('a keyring that appears later takes the plain file over, and the file is removed', () => {
    open(BASIC_TEXT).usePlainFile();
    open(BASIC_TEXT).set(SERVER_TOKEN_KEY, TOKEN);
    const log: string[] = [];
    const secrets = open(KEYRING, log);
    expect(secrets.get(SERVER_TOKEN_KEY)).toBe(TOKEN);
    expect(existsSync(plainFile())).toBe(false);
    expect(filesContain(TOKEN)).toBe(false);
    expect(log.join('\n')).toMatch(/moved from the plain file/);
  });

  it('what an older version wrote under basic_text leaves the disk (kept in memory for this run)', () => {
    // The old app encrypted with basic_text into secrets.json: readable by anyone with the fixed key.
    writeFileSync(
      path.join(dir, 'secrets.json'),
      JSON.stringify({ [SERVER_TOKEN_KEY]: cipher.encryptString(TOKEN).toString('base64') }),
    );
    const secrets = open(BASIC_TEXT);
    expect(secrets.get(SERVER_TOKEN_KEY)).toBe(TOKEN);
    expect(readFileSync(path.join(dir, 'secrets.json'), 'utf8')).not.toContain(
      cipher.encryptString(TOKEN).toString('base64'),
    );
  });
});

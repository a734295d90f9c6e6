/**
 * Secrets (the server token, SIP passwords). The interface is what the services use; the
 * implementations differ by host:
 *  - Electron: `createManagedSecretStore` (secret-storage.ts) picks one of these by the policy in
 *    secret-storage-policy.ts: `createEncryptedSecretStore` with Electron's `safeStorage` as the cipher
 *    (OS keychain / DPAPI / libsecret / KWallet) — only ciphertext reaches the disk — or, when the OS
 *    offers no real keychain, memory only, or the plain file below if the user accepted it.
 *  - Browser host (Node, no keychain): `createUnencryptedFileSecretStore` — INSECURE, plain text in a
 *    0600 file named `secrets.UNENCRYPTED.json`. Used only outside Electron, and says so on start.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Conf from 'conf';
import { z } from 'zod';

export interface SecretStore {
  get(key: string): string | null;
  set(key: string, value: string): void;
  delete(key: string): void;
  /** Shown to the user and in app:info: whether secrets are encrypted by the OS. */
  readonly encrypted: boolean;
}

export const SERVER_TOKEN_KEY = 'server-token';
export const sipPasswordKey = (accountId: string) => `sip-password:${accountId}`;
/** A TURN server's credential for one SIP account (SPEC §10.8). */
export const iceCredentialKey = (accountId: string, url: string) => `ice-credential:${accountId}:${url}`;

/** The part of Electron's safeStorage the encrypted store needs (injected, so this module has no Electron import). */
export interface StringCipher {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

export class SecretStorageUnavailableError extends Error {
  constructor() {
    super('The operating system offers no encryption for secrets (no keychain); the secret was not saved.');
    this.name = 'SecretStorageUnavailableError';
  }
}

export interface EncryptedSecretStore extends SecretStore {
  /** Every secret that still decrypts (moving them to another store). */
  entries(): Record<string, string>;
  /** Removes every secret from the disk. */
  clear(): void;
}

export function createEncryptedSecretStore(options: {
  dir: string;
  cipher: StringCipher;
}): EncryptedSecretStore {
  const conf = new Conf<Record<string, string>>({
    cwd: options.dir,
    configName: 'secrets',
    clearInvalidConfig: true,
    configFileMode: 0o600,
  });
  const get = (key: string): string | null => {
    const stored = conf.get(key);
    if (typeof stored !== 'string' || !options.cipher.isEncryptionAvailable()) return null;
    try {
      return options.cipher.decryptString(Buffer.from(stored, 'base64'));
    } catch {
      return null; // encrypted under another OS user or keychain: as good as absent
    }
  };
  return {
    encrypted: true,
    get,
    entries() {
      const values: Record<string, string> = {};
      for (const key of Object.keys(conf.store)) {
        const value = get(key);
        if (value !== null) values[key] = value;
      }
      return values;
    },
    clear() {
      conf.clear();
    },
    set(key, value) {
      if (!options.cipher.isEncryptionAvailable()) throw new SecretStorageUnavailableError();
      conf.set(key, options.cipher.encryptString(value).toString('base64'));
    },
    delete(key) {
      conf.delete(key);
    },
  };
}

export const UNENCRYPTED_SECRETS_FILE = 'secrets.UNENCRYPTED.json';

/**
 * INSECURE FALLBACK: secrets in plain text, protected by file permissions (0600) alone. The browser host
 * uses it; the Electron app only when the OS has no real keychain and the user accepted it.
 */
export interface PlainFileSecretStore extends SecretStore {
  readonly file: string;
  entries(): Record<string, string>;
  /** Replaces the whole file (creating it, also when `values` is empty). */
  replaceAll(values: Record<string, string>): void;
}

export function createUnencryptedFileSecretStore(options: { dir: string }): PlainFileSecretStore {
  const file = path.join(options.dir, UNENCRYPTED_SECRETS_FILE);
  const read = (): Record<string, string> => {
    try {
      const parsed = z.record(z.string(), z.string()).safeParse(JSON.parse(readFileSync(file, 'utf8')));
      return parsed.success ? parsed.data : {};
    } catch {
      return {};
    }
  };
  const write = (values: Record<string, string>) => {
    mkdirSync(options.dir, { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(values, null, 2), { mode: 0o600 });
    chmodSync(temporary, 0o600);
    renameSync(temporary, file);
  };
  return {
    file,
    encrypted: false,
    get: (key) => read()[key] ?? null,
    entries: read,
    replaceAll: write,
    set(key, value) {
      write({ ...read(), [key]: value });
    },
    delete(key) {
      write(Object.fromEntries(Object.entries(read()).filter(([name]) => name !== key)));
    },
  };
}

/** For tests and throwaway sessions. */
export function createMemorySecretStore(): SecretStore {
  const values = new Map<string, string>();
  return {
    encrypted: false,
    get: (key) => values.get(key) ?? null,
    set: (key, value) => void values.set(key, value),
    delete: (key) => void values.delete(key),
  };
}

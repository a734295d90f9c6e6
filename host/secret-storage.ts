/**
 * The desktop app's secret store: one of three places, chosen by `decideSecretStorage` (the policy) at
 * start and when the user accepts the plain file:
 *  - keychain: the encrypted store (only ciphertext on disk);
 *  - not stored: memory only, gone when the app quits (the user signs in again);
 *  - plain file: `secrets.UNENCRYPTED.json` (0600), only after the user accepted it.
 * Secrets follow the choice: a keychain that appears later takes over the plain file's secrets (and the
 * file is removed); secrets an older version wrote with a weak keychain are moved out of its file.
 */
import { existsSync, rmSync } from 'node:fs';
import type { SecretStorageStatus } from '../shared/contracts/ipc';
import { decideSecretStorage, type SecretStorageFacts } from './secret-storage-policy';
import {
  createEncryptedSecretStore,
  createUnencryptedFileSecretStore,
  type SecretStore,
  type StringCipher,
} from './secrets';

/** What the services need to show and change where secrets are kept. */
export interface SecretStorageControl {
  status(): SecretStorageStatus;
  /** Accepts the plain file when secrets are not stored; otherwise changes nothing. */
  usePlainFile(): SecretStorageStatus;
}

export type ManagedSecretStore = SecretStore & SecretStorageControl;

export type KeychainFacts = Pick<SecretStorageFacts, 'platform' | 'encryptionAvailable' | 'linuxBackend'>;

export function createManagedSecretStore(options: {
  dir: string;
  cipher: StringCipher;
  keychain: KeychainFacts;
  log?: (message: string) => void;
}): ManagedSecretStore {
  const log = options.log ?? (() => {});
  const encrypted = createEncryptedSecretStore({ dir: options.dir, cipher: options.cipher });
  const plain = createUnencryptedFileSecretStore({ dir: options.dir });
  const memory = new Map<string, string>();
  const decide = () =>
    decideSecretStorage({
      ...options.keychain,
      plainFileAccepted: existsSync(plain.file),
      plainFile: plain.file,
    });

  let status = decide();
  if (status.mode === 'keychain') {
    if (existsSync(plain.file)) {
      for (const [key, value] of Object.entries(plain.entries())) encrypted.set(key, value);
      rmSync(plain.file, { force: true });
      log(`secrets: moved from the plain file into the ${status.backend}; ${plain.file} removed`);
    }
  } else {
    // Written by an older version under a weak keychain: as readable as plain text, so off the disk.
    const weak = encrypted.entries();
    if (Object.keys(weak).length > 0) {
      if (status.mode === 'plain-file') plain.replaceAll({ ...weak, ...plain.entries() });
      else for (const [key, value] of Object.entries(weak)) memory.set(key, value);
      encrypted.clear();
      log('secrets: removed secrets an earlier version had stored under a weak keychain');
    }
  }
  log(`secrets: ${describeStatus(status)}`);

  const active = (): SecretStore => {
    if (status.mode === 'keychain') return encrypted;
    if (status.mode === 'plain-file') return plain;
    return {
      encrypted: false,
      get: (key) => memory.get(key) ?? null,
      set: (key, value) => void memory.set(key, value),
      delete: (key) => void memory.delete(key),
    };
  };

  return {
    get encrypted() {
      return status.mode === 'keychain';
    },
    get: (key) => active().get(key),
    set: (key, value) => active().set(key, value),
    delete: (key) => active().delete(key),
    status: () => status,
    usePlainFile() {
      if (status.mode !== 'not-stored') return status;
      plain.replaceAll(Object.fromEntries(memory));
      memory.clear();
      status = decide();
      log(`secrets: the user accepted the plain file; ${describeStatus(status)}`);
      return status;
    },
  };
}

export function describeStatus(status: SecretStorageStatus): string {
  if (status.mode === 'keychain') return `kept in the ${status.backend}`;
  if (status.mode === 'plain-file') return `kept UNENCRYPTED in ${status.file} (mode 0600): ${status.reason}`;
  return `NOT stored (memory only, until the app quits): ${status.reason}`;
}

/** The browser host has no keychain at all: its plain file is the only place, and says so. */
export function plainFileOnlyStorage(file: string): SecretStorageControl {
  const status: SecretStorageStatus = {
    mode: 'plain-file',
    file,
    reason: 'The browser host runs outside Electron and has no access to the keychain.',
    chosenByUser: false,
  };
  return { status: () => status, usePlainFile: () => status };
}

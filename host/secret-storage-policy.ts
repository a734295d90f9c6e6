/**
 * Where the desktop app may keep secrets (SPEC §11.6), decided from what Electron's `safeStorage`
 * reports. Pure: the Electron glue passes the facts in, so every case is a unit test.
 *
 * On Linux `safeStorage.isEncryptionAvailable()` is true even without a keyring: Electron then uses the
 * `basic_text` backend, which encrypts with a fixed password written in Chromium's source — the same as
 * plain text. Only a real keyring counts; `basic_text`, `unknown` and any name we do not know yet do not.
 */
import type { SecretStorageStatus } from '../shared/contracts/ipc';

/** `safeStorage.getSelectedStorageBackend()` values that are a real OS keyring, by their user-facing name. */
export const LINUX_KEYRING_BACKENDS: Readonly<Record<string, string>> = {
  gnome_libsecret: 'GNOME libsecret',
  kwallet: 'KWallet',
  kwallet5: 'KWallet 5',
  kwallet6: 'KWallet 6',
};

export interface SecretStorageFacts {
  /** `process.platform`. */
  platform: string;
  /** `safeStorage.isEncryptionAvailable()`. */
  encryptionAvailable: boolean;
  /** `safeStorage.getSelectedStorageBackend()` on Linux; null elsewhere (the call is Linux-only). */
  linuxBackend: string | null;
  /** The user accepted the plain file (it exists). */
  plainFileAccepted: boolean;
  plainFile: string;
}

function keychainName(facts: SecretStorageFacts): string | null {
  if (facts.platform === 'darwin') return 'macOS Keychain';
  if (facts.platform === 'win32') return 'Windows DPAPI';
  if (facts.linuxBackend === null || !Object.hasOwn(LINUX_KEYRING_BACKENDS, facts.linuxBackend)) return null;
  return LINUX_KEYRING_BACKENDS[facts.linuxBackend] ?? null;
}

function whyNoKeychain(facts: SecretStorageFacts): string {
  if (!facts.encryptionAvailable)
    return 'The operating system offers no encryption for secrets (no keychain).';
  if (facts.linuxBackend === 'basic_text') {
    return 'No keyring is running (GNOME Keyring or KWallet): the only encryption left uses a fixed, publicly known password, which protects nothing.';
  }
  return `The keyring could not be identified (${facts.linuxBackend ?? 'none reported'}), so secrets cannot be encrypted with it.`;
}

export function decideSecretStorage(facts: SecretStorageFacts): SecretStorageStatus {
  const backend = keychainName(facts);
  if (facts.encryptionAvailable && backend !== null) return { mode: 'keychain', backend };
  const reason = whyNoKeychain(facts);
  return facts.plainFileAccepted
    ? { mode: 'plain-file', file: facts.plainFile, reason, chosenByUser: true }
    : { mode: 'not-stored', reason, plainFile: facts.plainFile };
}

/** SPEC §11.6: the desktop app claims a keychain only when the OS really has one. */
import { describe, expect, it } from 'vitest';
import {
  decideSecretStorage,
  LINUX_KEYRING_BACKENDS,
  type SecretStorageFacts,
} from '../../host/secret-storage-policy';

const facts = (overrides: Partial<SecretStorageFacts>): SecretStorageFacts => ({
  platform: 'linux',
  encryptionAvailable: true,
  linuxBackend: 'gnome_libsecret',
  plainFileAccepted: false,
  plainFile: '/home/agent/.config/Blockline/secrets.UNENCRYPTED.json',
  ...overrides,
});

describe('decideSecretStorage', () => {
  it('macOS and Windows: the keychain whenever safeStorage can encrypt', () => {
    expect(decideSecretStorage(facts({ platform: 'darwin', linuxBackend: null }))).toEqual({
      mode: 'keychain',
      backend: 'macOS Keychain',
    });
    expect(decideSecretStorage(facts({ platform: 'win32', linuxBackend: null }))).toEqual({
      mode: 'keychain',
      backend: 'Windows DPAPI',
    });
  });

  it('Linux: a real keyring (libsecret, any KWallet) is a keychain', () => {
    for (const [backend, name] of Object.entries(LINUX_KEYRING_BACKENDS))
      expect(decideSecretStorage(facts({ linuxBackend: backend }))).toEqual({
        mode: 'keychain',
        backend: name,
      });
    expect(Object.keys(LINUX_KEYRING_BACKENDS).sort()).toEqual([
      'gnome_libsecret',
      'kwallet',
      'kwallet5',
      'kwallet6',
    ]);
  });

  it('Linux basic_text is no keychain although safeStorage says it can encrypt: secrets are not stored', () => {
    const decision = decideSecretStorage(facts({ linuxBackend: 'basic_text', encryptionAvailable: true }));
    expect(decision).toMatchObject({ mode: 'not-stored', plainFile: facts({}).plainFile });
    expect(decision.mode === 'not-stored' && decision.reason).toMatch(/No keyring is running.*fixed/);
  });

  it('Linux unknown, a backend name we do not know, or none: not a keychain either (fails closed)', () => {
    for (const linuxBackend of ['unknown', 'some_future_backend', null, 'toString', '__proto__']) {
      const decision = decideSecretStorage(facts({ linuxBackend }));
      expect(decision.mode, String(linuxBackend)).toBe('not-stored');
      expect(decision.mode === 'not-stored' && decision.reason).toMatch(/could not be identified/);
    }
  });

  it('no encryption at all, on any platform: not stored, and says why', () => {
    for (const platform of ['darwin', 'win32', 'linux']) {
      const decision = decideSecretStorage(facts({ platform, encryptionAvailable: false }));
      expect(decision.mode === 'not-stored' && decision.reason, platform).toMatch(/no encryption/);
    }
  });

  it('the plain file only when the user accepted it, and never instead of a real keychain', () => {
    expect(decideSecretStorage(facts({ linuxBackend: 'basic_text', plainFileAccepted: true }))).toMatchObject(
      {
        mode: 'plain-file',
        file: facts({}).plainFile,
        chosenByUser: true,
      },
    );
    expect(decideSecretStorage(facts({ plainFileAccepted: true }))).toEqual({
      mode: 'keychain',
      backend: 'GNOME libsecret',
    });
  });
});

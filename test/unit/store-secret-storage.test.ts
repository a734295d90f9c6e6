import { describe, expect, it } from 'vitest';
import { createSecretStorageStore, secretStorageHint } from '../../renderer/stores/secret-storage';
import type { SecretStorageStatus } from '../../shared/contracts/ipc';
import { createFakeApi } from './store-helpers';

const notStored: SecretStorageStatus = {
  mode: 'not-stored',
  reason: 'No keyring is running',
  plainFile: '/home/a/.config/Blockline/secrets.UNENCRYPTED.json',
};
const plainFile: SecretStorageStatus = {
  mode: 'plain-file',
  file: notStored.plainFile,
  reason: notStored.reason,
  chosenByUser: true,
};

describe('secret storage store', () => {
  it('loads where the host keeps secrets', async () => {
    const api = createFakeApi();
    api.handle('secrets:status', () => notStored);
    const store = createSecretStorageStore(api);
    expect(store.getState().status).toBeNull();
    await store.getState().load();
    expect(store.getState().status).toEqual(notStored);
  });

  it('accepting the plain file asks the host and shows what the host now does', async () => {
    const api = createFakeApi();
    api.handle('secrets:status', () => notStored);
    api.handle('secrets:usePlainFile', () => plainFile);
    const store = createSecretStorageStore(api);
    await store.getState().load();
    expect(await store.getState().usePlainFile()).toBe(true);
    expect(store.getState()).toMatchObject({ status: plainFile, accepting: false, error: null });
    expect(api.calls.map((call) => call.channel)).toEqual(['secrets:status', 'secrets:usePlainFile']);
  });

  it('a refused or failed call is shown, not swallowed', async () => {
    const api = createFakeApi();
    api.handle('secrets:usePlainFile', () => {
      throw new Error('disk full');
    });
    const store = createSecretStorageStore(api);
    expect(await store.getState().usePlainFile()).toBe(false);
    expect(store.getState()).toMatchObject({ accepting: false, error: 'disk full' });
  });

  it('the hint under a password field says where it will be kept, never "keychain" without one', () => {
    expect(secretStorageHint({ mode: 'keychain', backend: 'macOS Keychain' })).toBe(
      'Kept in the macOS Keychain.',
    );
    expect(secretStorageHint(plainFile)).toMatch(/unencrypted/);
    expect(secretStorageHint(notStored)).toMatch(/Not saved.*until you quit/);
    for (const status of [plainFile, notStored]) expect(secretStorageHint(status)).not.toMatch(/keychain/i);
    expect(secretStorageHint(null)).toBe('');
  });
});

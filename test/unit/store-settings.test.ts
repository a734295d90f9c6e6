import { describe, expect, it } from 'vitest';
import { createSettingsStore, messageForField } from '../../renderer/stores/settings';
import { defaultOrgSettings } from '../../shared/settings';
import { sipAccountSchema, type SipAccount } from '../../shared/contracts/ipc';
import { createFakeApi } from './store-helpers';

describe('settings store', () => {
  it('tracks a pending change and clears it when the server confirms', async () => {
    const api = createFakeApi();
    let release: () => void = () => undefined;
    api.handle(
      'settings:update',
      () =>
        new Promise(
          (resolve) =>
            (release = () => resolve({ ok: true, value: { ...defaultOrgSettings(), blockAnonymous: true } })),
        ),
    );
    const store = createSettingsStore(api);
    const done = store.getState().update('blockAnonymous', { blockAnonymous: true });
    expect(store.getState().pending).toEqual({ blockAnonymous: true });
    release();
    expect((await done).ok).toBe(true);
    expect(store.getState().pending).toEqual({});
    expect(store.getState().errors).toEqual({});
  });

  it('keeps the server refusal next to the field that changed', async () => {
    const api = createFakeApi();
    api.handle('settings:update', () => ({
      ok: false,
      code: 'validation_failed',
      message: 'Invalid settings',
      details: { issues: [{ path: ['psapWindowMinutes'], message: 'must be at least 15' }] },
    }));
    const store = createSettingsStore(api);
    await store.getState().update('psapWindowMinutes', { psapWindowMinutes: 15 });
    const error = store.getState().errors.psapWindowMinutes;
    expect(error).toBeDefined();
    expect(error && messageForField(error, 'psapWindowMinutes')).toBe('must be at least 15');
    expect(store.getState().errors.blockAnonymous).toBeUndefined();
    api.handle('settings:update', () => ({
      ok: false,
      code: 'forbidden',
      message: 'Only leads may change settings',
    }));
    await store.getState().update('blockAnonymous', { blockAnonymous: true });
    const forbidden = store.getState().errors.blockAnonymous;
    expect(forbidden && messageForField(forbidden, 'blockAnonymous')).toBe('Only leads may change settings');
    store.getState().clearError('blockAnonymous');
    expect(store.getState().errors.blockAnonymous).toBeUndefined();
    expect(store.getState().errors.psapWindowMinutes).toBeDefined();
  });

  it('loads, saves and removes SIP accounts, counting changes for the phone restart', async () => {
    const api = createFakeApi();
    const account: SipAccount = {
      id: 'a1',
      websocketUrl: 'wss://pbx.example.com/ws',
      sipUri: 'sip:agent1@pbx.example.com',
      displayName: 'Agent 1',
      lineNumber: '+12125550100',
      iceServers: [],
      enabled: true,
    };
    const saved: SipAccount[] = [];
    api.handle('phone:accounts', () => saved.map((entry) => ({ account: entry, hasPassword: true })));
    api.handle('phone:saveAccount', (request) => {
      saved.push(sipAccountSchema.parse(request.account));
      return { ok: true };
    });
    api.handle('phone:removeAccount', () => {
      saved.length = 0;
      return { ok: true };
    });
    const store = createSettingsStore(api);
    expect(await store.getState().saveAccount(account, 'secret')).toBe(true);
    expect(api.calls.find((call) => call.channel === 'phone:saveAccount')?.request).toEqual({
      account,
      password: 'secret',
    });
    expect(store.getState().accounts).toEqual([{ account, hasPassword: true }]);
    expect(store.getState().accountsVersion).toBe(1);
    await store.getState().saveAccount(account, '');
    expect(api.calls.filter((call) => call.channel === 'phone:saveAccount')[1]?.request).toEqual({ account });
    await store.getState().removeAccount('a1');
    expect(store.getState().accounts).toEqual([]);
    expect(store.getState().accountsVersion).toBe(3);
  });

  it('reports a failed account save instead of throwing', async () => {
    const api = createFakeApi();
    api.handle('phone:saveAccount', () => {
      throw new Error('keychain locked');
    });
    const store = createSettingsStore(api);
    const account: SipAccount = {
      id: 'a',
      websocketUrl: 'wss://x/ws',
      sipUri: 'sip:a@x',
      displayName: '',
      lineNumber: '+12125550100',
      iceServers: [],
      enabled: true,
    };
    expect(await store.getState().saveAccount(account, undefined)).toBe(false);
    expect(store.getState().accountsError).toBe('keychain locked');
    expect(store.getState().accountsVersion).toBe(0);
  });
});

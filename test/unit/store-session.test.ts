import { describe, expect, it } from 'vitest';
import { canManage, createSessionStore } from '../../renderer/stores/session';
import type { Session } from '../../shared/contracts/ipc';
import { createFakeApi } from './store-helpers';

const signedIn = (manage: boolean): Session => ({
  signedIn: true,
  serverUrl: 'https://blockline.example.com',
  me: {
    user: { id: 'u1', name: 'Lee', role: manage ? 'lead' : 'agent' },
    org: { id: 'o1', name: 'Org', defaultCountry: 'US', timeZone: 'America/New_York' },
    canManage: manage,
  },
});

describe('session store', () => {
  it('loads the session from the main process', async () => {
    const api = createFakeApi();
    api.handle('session:get', () => signedIn(true));
    const store = createSessionStore(api);
    expect(store.getState().session).toBeNull();
    await store.getState().load();
    expect(store.getState().session).toEqual(signedIn(true));
  });

  it('refuses a malformed address or short token without calling the server', async () => {
    const api = createFakeApi();
    const store = createSessionStore(api);
    expect(await store.getState().signIn('blockline.example.com', 'x'.repeat(20))).toBe(false);
    expect(store.getState().signInError?.message).toMatch(/server address/);
    expect(await store.getState().signIn('https://b.example.com', 'short')).toBe(false);
    expect(store.getState().signInError?.message).toMatch(/too short/);
    expect(api.calls).toHaveLength(0);
  });

  it('signs in with trimmed values and keeps the session', async () => {
    const api = createFakeApi();
    api.handle('session:signIn', () => ({ ok: true, value: signedIn(true) }));
    const store = createSessionStore(api);
    expect(await store.getState().signIn(' https://b.example.com ', ' token-1234567890 ')).toBe(true);
    expect(api.calls[0]).toEqual({
      channel: 'session:signIn',
      request: { serverUrl: 'https://b.example.com', token: 'token-1234567890' },
    });
    expect(store.getState().session).toEqual(signedIn(true));
    expect(store.getState().signingIn).toBe(false);
  });

  it('shows the server refusal in its own words, and a transport failure as network', async () => {
    const api = createFakeApi();
    api.handle('session:signIn', () => ({
      ok: false,
      code: 'unauthorized',
      message: 'The token is not valid',
    }));
    const store = createSessionStore(api);
    expect(await store.getState().signIn('https://b.example.com', 'token-1234567890')).toBe(false);
    expect(store.getState().signInError).toMatchObject({
      code: 'unauthorized',
      message: 'The token is not valid',
    });
    api.handle('session:signIn', () => {
      throw new Error('socket closed');
    });
    expect(await store.getState().signIn('https://b.example.com', 'token-1234567890')).toBe(false);
    expect(store.getState().signInError).toMatchObject({ code: 'network', message: 'socket closed' });
  });

  it('follows session:changed events and stops after dispose', () => {
    const api = createFakeApi();
    const store = createSessionStore(api);
    api.emit('session:changed', signedIn(false));
    expect(canManage(store.getState().session)).toBe(false);
    api.emit('session:changed', signedIn(true));
    expect(canManage(store.getState().session)).toBe(true);
    store.getState().dispose();
    api.emit('session:changed', { signedIn: false });
    expect(store.getState().session).toEqual(signedIn(true));
  });

  it('signs out', async () => {
    const api = createFakeApi();
    api.handle('session:signOut', () => ({ ok: true }));
    const store = createSessionStore(api);
    store.setState({ session: signedIn(true) });
    await store.getState().signOut();
    expect(store.getState().session).toEqual({ signedIn: false });
    expect(canManage(store.getState().session)).toBe(false);
  });
});

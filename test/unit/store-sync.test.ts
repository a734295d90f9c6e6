import { describe, expect, it } from 'vitest';
import { createSyncStore, describeSync, formatAge, writesBlockedReason } from '../../renderer/stores/sync';
import { createFakeApi } from './store-helpers';

describe('sync store', () => {
  it('starts signed out, loads, and follows sync:state events', async () => {
    const api = createFakeApi();
    api.handle('sync:state', () => ({ status: 'syncing', revision: 3, ruleCount: 10 }));
    const store = createSyncStore(api);
    expect(store.getState().state.status).toBe('signed_out');
    await store.getState().load();
    expect(store.getState().state).toEqual({ status: 'syncing', revision: 3, ruleCount: 10 });
    api.emit('sync:state', {
      status: 'synced',
      revision: 4,
      ruleCount: 11,
      syncedAt: '2026-01-01T10:00:00.000Z',
    });
    expect(store.getState().state.status).toBe('synced');
  });

  it('stays offline through reconnection attempts until the server answers', () => {
    const api = createFakeApi();
    const store = createSyncStore(api);
    api.emit('sync:state', {
      status: 'offline',
      revision: 5,
      ruleCount: 9,
      lastSyncedAt: '2026-01-01T10:00:00.000Z',
      error: 'refused',
    });
    api.emit('sync:state', { status: 'syncing', revision: 5, ruleCount: 9 });
    expect(store.getState().state).toMatchObject({ status: 'offline', error: 'refused' });
    expect(writesBlockedReason(store.getState().state)).toMatch(/Offline/);
    api.emit('sync:state', {
      status: 'synced',
      revision: 6,
      ruleCount: 10,
      syncedAt: '2026-01-01T10:05:00.000Z',
    });
    expect(store.getState().state.status).toBe('synced');
    api.emit('sync:state', { status: 'syncing', revision: 6, ruleCount: 10 });
    expect(store.getState().state.status).toBe('syncing');
  });

  it('blocks writes offline and signed out, with the reason', () => {
    expect(
      writesBlockedReason({ status: 'offline', revision: 1, ruleCount: 2, lastSyncedAt: null, error: 'x' }),
    ).toMatch(/Offline/);
    expect(writesBlockedReason({ status: 'signed_out' })).toMatch(/Sign in/);
    expect(writesBlockedReason({ status: 'syncing', revision: 1, ruleCount: 2 })).toBeNull();
    expect(
      writesBlockedReason({
        status: 'synced',
        revision: 1,
        ruleCount: 2,
        syncedAt: '2026-01-01T10:00:00.000Z',
      }),
    ).toBeNull();
  });

  it('describes offline with the age and size of the local list', () => {
    const now = Date.parse('2026-01-01T12:05:00.000Z');
    const text = describeSync(
      {
        status: 'offline',
        revision: 9,
        ruleCount: 12345,
        lastSyncedAt: '2026-01-01T10:00:00.000Z',
        error: 'refused',
      },
      now,
    );
    expect(text).toBe('Offline: list 2 h 5 min old, 12,345 rules kept locally');
    expect(
      describeSync({ status: 'offline', revision: 0, ruleCount: 0, lastSyncedAt: null, error: 'x' }, now),
    ).toMatch(/never synced/);
  });

  it('formats ages', () => {
    const base = Date.parse('2026-01-01T00:00:00.000Z');
    expect(formatAge('2026-01-01T00:00:00.000Z', base + 42_000)).toBe('42 s');
    expect(formatAge('2026-01-01T00:00:00.000Z', base + 5 * 60_000)).toBe('5 min');
    expect(formatAge('2026-01-01T00:00:00.000Z', base + 3 * 86_400_000)).toBe('3 d');
  });
});

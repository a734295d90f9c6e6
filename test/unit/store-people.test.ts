import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Device, Person } from '../../shared/contracts/oversight';
import { PEOPLE_POLL_MS, createPeopleStore, type PollWindow } from '../../renderer/stores/people';
import { createFakeApi } from './store-helpers';

const person = (id: string, overrides: Partial<Person> = {}): Person => ({
  id,
  name: `Person ${id}`,
  role: 'agent',
  disabled: false,
  createdAt: '2026-12-01T10:00:00.000Z',
  devices: 1,
  lastUsedAt: null,
  ...overrides,
});
const device = (id: string, lastUsedAt: string | null): Device => ({
  id,
  deviceName: `Laptop ${id}`,
  createdAt: '2026-12-01T10:00:00.000Z',
  lastUsedAt,
});

/** A window the test shows, hides and focuses. */
function scriptedWindow() {
  let visible = true;
  const wakers = new Set<() => void>();
  const shown: PollWindow = {
    isVisible: () => visible,
    onWake(callback) {
      wakers.add(callback);
      return () => wakers.delete(callback);
    },
  };
  return {
    shown,
    hide: () => {
      visible = false;
    },
    show: () => {
      visible = true;
      for (const wake of wakers) wake();
    },
    focus: () => {
      for (const wake of wakers) wake();
    },
    listeners: () => wakers.size,
  };
}

function setUp() {
  const api = createFakeApi();
  let users = [person('a')];
  api.handle('people:list', () => ({ ok: true, value: { users } }));
  const store = createPeopleStore(api);
  const lists = () => api.calls.filter((call) => call.channel === 'people:list').length;
  return {
    api,
    store,
    lists,
    setUsers: (next: Person[]) => {
      users = next;
    },
  };
}

describe('the People store keeps itself current while the view is shown', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('loads once with a loading state, then refreshes every 15 s quietly: a redeemed invite appears', async () => {
    const { store, lists, setUsers } = setUp();
    const loadingSeen: boolean[] = [];
    store.subscribe((state) => loadingSeen.push(state.loading));
    const window = scriptedWindow();
    const stop = store.getState().poll({ window: window.shown });
    await vi.advanceTimersByTimeAsync(0);
    expect(store.getState().users.map((user) => user.id)).toEqual(['a']);
    expect(loadingSeen).toEqual([true, false]);

    setUsers([person('a', { lastUsedAt: '2026-12-01T11:00:00.000Z' }), person('b')]);
    await vi.advanceTimersByTimeAsync(PEOPLE_POLL_MS - 1);
    expect(lists()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(lists()).toBe(2);
    expect(store.getState().users.map((user) => [user.id, user.lastUsedAt])).toEqual([
      ['a', '2026-12-01T11:00:00.000Z'],
      ['b', null],
    ]);
    // No flicker: the refresh never went through a loading state.
    expect(loadingSeen).toEqual([true, false, false]);
    stop();
  });

  it('changes nothing when the server’s answer is the same (no re-render)', async () => {
    const { store } = setUp();
    const stop = store.getState().poll({ window: scriptedWindow().shown });
    await vi.advanceTimersByTimeAsync(0);
    const listener = vi.fn();
    store.subscribe(listener);
    await vi.advanceTimersByTimeAsync(PEOPLE_POLL_MS * 3);
    expect(listener).not.toHaveBeenCalled();
    stop();
  });

  it('does not poll a hidden window; shown again or focused, it refreshes at once', async () => {
    const { store, lists, setUsers } = setUp();
    const window = scriptedWindow();
    const stop = store.getState().poll({ window: window.shown });
    await vi.advanceTimersByTimeAsync(0);
    window.hide();
    await vi.advanceTimersByTimeAsync(PEOPLE_POLL_MS * 4);
    expect(lists()).toBe(1);
    setUsers([person('a'), person('c')]);
    window.show();
    await vi.advanceTimersByTimeAsync(0);
    expect(lists()).toBe(2);
    expect(store.getState().users.map((user) => user.id)).toEqual(['a', 'c']);
    window.focus();
    await vi.advanceTimersByTimeAsync(0);
    expect(lists()).toBe(3);
    stop();
  });

  it('stops when the view closes: no timer, no wake-up listener', async () => {
    const { store, lists } = setUp();
    const window = scriptedWindow();
    const stop = store.getState().poll({ window: window.shown });
    await vi.advanceTimersByTimeAsync(0);
    expect(window.listeners()).toBe(1);
    stop();
    expect(window.listeners()).toBe(0);
    window.focus();
    await vi.advanceTimersByTimeAsync(PEOPLE_POLL_MS * 4);
    expect(lists()).toBe(1);
  });

  it('refreshes the open device list too (a device’s last use)', async () => {
    const { api, store } = setUp();
    let lastUsedAt: string | null = null;
    api.handle('people:devices', () => ({ ok: true, value: { devices: [device('t1', lastUsedAt)] } }));
    const stop = store.getState().poll({ window: scriptedWindow().shown, devicesOf: () => ['a'] });
    await vi.advanceTimersByTimeAsync(0);
    await store.getState().loadDevices('a');
    expect(store.getState().devices.a?.[0]?.lastUsedAt).toBeNull();
    lastUsedAt = '2026-12-01T12:00:00.000Z';
    await vi.advanceTimersByTimeAsync(PEOPLE_POLL_MS);
    expect(store.getState().devices.a?.[0]?.lastUsedAt).toBe('2026-12-01T12:00:00.000Z');
    stop();
  });

  it('a failed refresh keeps the list and says so; the next good one clears it', async () => {
    const { api, store } = setUp();
    const stop = store.getState().poll({ window: scriptedWindow().shown });
    await vi.advanceTimersByTimeAsync(0);
    api.handle('people:list', () => ({ ok: false, code: 'offline', message: 'You are offline' }));
    await vi.advanceTimersByTimeAsync(PEOPLE_POLL_MS);
    expect(store.getState().users.map((user) => user.id)).toEqual(['a']);
    expect(store.getState().error?.code).toBe('offline');
    api.handle('people:list', () => ({ ok: true, value: { users: [person('a')] } }));
    await vi.advanceTimersByTimeAsync(PEOPLE_POLL_MS);
    expect(store.getState().error).toBeNull();
    stop();
  });

  it('an answer asked for before the admin’s change does not undo it', async () => {
    const { api, store } = setUp();
    await store.getState().load();
    let answer: (users: Person[]) => void = () => undefined;
    api.handle(
      'people:list',
      () =>
        new Promise((resolve) => {
          answer = (users) => resolve({ ok: true, value: { users } });
        }),
    );
    const refreshed = store.getState().refresh();
    api.handle('people:update', () => ({ ok: true, value: person('a', { role: 'lead' }) }));
    expect(await store.getState().update('a', { role: 'lead' })).toBe(true);
    answer([person('a', { role: 'agent' })]); // what the server said before the change
    await refreshed;
    expect(store.getState().users[0]?.role).toBe('lead');
  });
});

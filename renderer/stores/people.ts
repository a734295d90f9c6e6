import { createStore } from 'zustand/vanilla';
import type { Role } from '../../shared/contracts/api';
import type { BlocklineApi, WriteError } from '../../shared/contracts/ipc';
import type { Device, InviteCreated, Person, UserPatch } from '../../shared/contracts/oversight';
import { safeWrite } from '../app/api';

/** How often the People view asks the server again while it is shown (devices' last use, redeemed invites). */
export const PEOPLE_POLL_MS = 15_000;

/** What polling needs from the window; the browser's in the app, a scripted one in unit tests. */
export interface PollWindow {
  /** Whether the window is shown (`document.visibilityState`): a hidden one is not polled. */
  isVisible(): boolean;
  /** Calls back when the window is shown again or regains focus; returns the unsubscribe. */
  onWake(callback: () => void): () => void;
}

/** The browser window: visibility from `document`, wake-ups from `visibilitychange` and `focus`. */
export function browserPollWindow(): PollWindow {
  return {
    isVisible: () => typeof document === 'undefined' || document.visibilityState === 'visible',
    onWake(callback) {
      if (typeof window === 'undefined') return () => undefined;
      const onVisibility = () => {
        if (document.visibilityState === 'visible') callback();
      };
      document.addEventListener('visibilitychange', onVisibility);
      window.addEventListener('focus', callback);
      return () => {
        document.removeEventListener('visibilitychange', onVisibility);
        window.removeEventListener('focus', callback);
      };
    },
  };
}

export interface PeopleStoreState {
  users: Person[];
  devices: Record<string, Device[]>;
  loading: boolean;
  error: WriteError | null;
  /** The server's refusal for one person's change (the last admin, offline), shown on their row. */
  rowErrors: Record<string, WriteError>;
  lastInvite: (InviteCreated & { name: string; role: Role }) | null;
  load(): Promise<void>;
  /**
   * Asks the server again without a loading state: the list (and these people's device lists) change
   * only where the server's answer differs; a failure keeps what is shown and says so in `error`.
   */
  refresh(devicesOf?: readonly string[]): Promise<void>;
  /**
   * While the People view is shown: loads it, then refreshes every `PEOPLE_POLL_MS` while the window is
   * visible and at once when it is shown again or regains focus. Returns the function that stops it.
   */
  poll(options?: { devicesOf?: () => readonly string[]; window?: PollWindow }): () => void;
  update(id: string, patch: UserPatch): Promise<boolean>;
  loadDevices(id: string): Promise<void>;
  revokeDevice(userId: string, tokenId: string): Promise<boolean>;
  revokeAll(userId: string): Promise<boolean>;
  invite(name: string, role: Role): Promise<WriteError | null>;
}

/** Settings → People (SPEC §12.4): admins only; every change goes to the server, never optimistic. */
export function createPeopleStore(api: BlocklineApi) {
  return createStore<PeopleStoreState>()((set, get) => {
    /** Bumped by every change the admin makes: a refresh asked for before it must not undo it. */
    let writes = 0;
    let refreshing: Promise<void> | null = null;
    const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    const rowError = (id: string, error: WriteError | null) => {
      const others = Object.entries(get().rowErrors).filter(([key]) => key !== id);
      set({ rowErrors: Object.fromEntries(error === null ? others : [...others, [id, error]]) });
    };
    return {
      users: [],
      devices: {},
      loading: false,
      error: null,
      rowErrors: {},
      lastInvite: null,
      async load() {
        set({ loading: true, error: null });
        const result = await safeWrite(() => api.invoke('people:list', undefined));
        set(result.ok ? { loading: false, users: result.value.users } : { loading: false, error: result });
      },
      refresh(devicesOf = []) {
        // One at a time: a wake-up during a slow answer does not stack requests.
        refreshing ??= (async () => {
          const startedAt = writes;
          const [list, ...deviceLists] = await Promise.all([
            safeWrite(() => api.invoke('people:list', undefined)),
            ...devicesOf.map((id) => safeWrite(() => api.invoke('people:devices', { id }))),
          ]);
          if (startedAt !== writes || list === undefined) return;
          if (!list.ok) {
            if (!sameJson(get().error, list)) set({ error: list });
            return;
          }
          const devices = { ...get().devices };
          deviceLists.forEach((result, index) => {
            const id = devicesOf[index];
            if (id !== undefined && result.ok) devices[id] = result.value.devices;
          });
          const patch: Partial<PeopleStoreState> = {};
          if (get().error !== null) patch.error = null;
          if (!sameJson(get().users, list.value.users)) patch.users = list.value.users;
          if (!sameJson(get().devices, devices)) patch.devices = devices;
          if (Object.keys(patch).length > 0) set(patch);
        })().finally(() => {
          refreshing = null;
        });
        return refreshing;
      },
      poll(options = {}) {
        const shown = options.window ?? browserPollWindow();
        const devicesOf = options.devicesOf ?? (() => []);
        const tick = () => {
          if (shown.isVisible()) void get().refresh(devicesOf());
        };
        void get().load();
        const timer = setInterval(tick, PEOPLE_POLL_MS);
        const offWake = shown.onWake(tick);
        return () => {
          clearInterval(timer);
          offWake();
        };
      },
      async update(id, patch) {
        writes += 1;
        const result = await safeWrite(() => api.invoke('people:update', { id, patch }));
        if (!result.ok) {
          rowError(id, result);
          return false;
        }
        rowError(id, null);
        set({ users: get().users.map((user) => (user.id === id ? result.value : user)) });
        return true;
      },
      async loadDevices(id) {
        const result = await safeWrite(() => api.invoke('people:devices', { id }));
        if (!result.ok) return rowError(id, result);
        set({ devices: { ...get().devices, [id]: result.value.devices } });
      },
      async revokeDevice(userId, tokenId) {
        writes += 1;
        const result = await safeWrite(() => api.invoke('people:revokeDevice', { tokenId }));
        if (!result.ok) {
          rowError(userId, result);
          return false;
        }
        await Promise.all([get().loadDevices(userId), get().load()]);
        return true;
      },
      async revokeAll(userId) {
        writes += 1;
        const result = await safeWrite(() => api.invoke('people:revokeAll', { id: userId }));
        if (!result.ok) {
          rowError(userId, result);
          return false;
        }
        await Promise.all([get().loadDevices(userId), get().load()]);
        return true;
      },
      async invite(name, role) {
        writes += 1;
        const result = await safeWrite(() => api.invoke('people:invite', { name, role }));
        if (!result.ok) return result;
        set({ lastInvite: { ...result.value, name, role } });
        return null;
      },
    };
  });
}

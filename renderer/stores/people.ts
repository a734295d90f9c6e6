import { createStore } from 'zustand/vanilla';
import type { Role } from '../../shared/contracts/api';
import type { BlocklineApi, WriteError } from '../../shared/contracts/ipc';
import type { Device, InviteCreated, Person, UserPatch } from '../../shared/contracts/oversight';
import { safeWrite } from '../app/api';

export interface PeopleStoreState {
  users: Person[];
  devices: Record<string, Device[]>;
  loading: boolean;
  error: WriteError | null;
  /** The server's refusal for one person's change (the last admin, offline), shown on their row. */
  rowErrors: Record<string, WriteError>;
  lastInvite: (InviteCreated & { name: string; role: Role }) | null;
  load(): Promise<void>;
  update(id: string, patch: UserPatch): Promise<boolean>;
  loadDevices(id: string): Promise<void>;
  revokeDevice(userId: string, tokenId: string): Promise<boolean>;
  revokeAll(userId: string): Promise<boolean>;
  invite(name: string, role: Role): Promise<WriteError | null>;
}

/** Settings → People (SPEC §12.4): admins only; every change goes to the server, never optimistic. */
export function createPeopleStore(api: BlocklineApi) {
  return createStore<PeopleStoreState>()((set, get) => {
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
      async update(id, patch) {
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
        const result = await safeWrite(() => api.invoke('people:revokeDevice', { tokenId }));
        if (!result.ok) {
          rowError(userId, result);
          return false;
        }
        await Promise.all([get().loadDevices(userId), get().load()]);
        return true;
      },
      async revokeAll(userId) {
        const result = await safeWrite(() => api.invoke('people:revokeAll', { id: userId }));
        if (!result.ok) {
          rowError(userId, result);
          return false;
        }
        await Promise.all([get().loadDevices(userId), get().load()]);
        return true;
      },
      async invite(name, role) {
        const result = await safeWrite(() => api.invoke('people:invite', { name, role }));
        if (!result.ok) return result;
        set({ lastInvite: { ...result.value, name, role } });
        return null;
      },
    };
  });
}

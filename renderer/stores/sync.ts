import { createStore } from 'zustand/vanilla';
import type { BlocklineApi, SyncState } from '../../shared/contracts/ipc';

export interface SyncStoreState {
  state: SyncState;
  load(): Promise<void>;
  dispose(): void;
}

export type SyncStore = ReturnType<typeof createSyncStore>;

/** The sync state the main process reports (SPEC §5.4). */
export function createSyncStore(api: BlocklineApi) {
  const store = createStore<SyncStoreState>()((set) => ({
    state: { status: 'signed_out' },
    async load() {
      const state = await api.invoke('sync:state', undefined);
      set({ state: shownState(store.getState().state, state) });
    },
    dispose() {
      unsubscribe();
    },
  }));
  const unsubscribe = api.on('sync:state', (state) =>
    store.setState({ state: shownState(store.getState().state, state) }),
  );
  return store;
}

/**
 * While offline the host keeps retrying, and each attempt reports `syncing`: the app stays "offline"
 * (banner shown, writes disabled) until the server has answered again, instead of flickering.
 */
export function shownState(current: SyncState, next: SyncState): SyncState {
  if (current.status === 'offline' && next.status === 'syncing') {
    return { ...current, revision: next.revision, ruleCount: next.ruleCount };
  }
  return next;
}

/** Why writes are refused right now, or null when they may go to the server (SPEC §5.5). */
export function writesBlockedReason(state: SyncState): string | null {
  switch (state.status) {
    case 'signed_out':
      return 'Sign in to make changes.';
    case 'offline':
      return 'Offline: changes cannot be saved until the connection to the server is back.';
    case 'syncing':
    case 'synced':
      return null;
  }
}

/** A short human age such as "3 min" or "2 h 5 min". */
export function formatAge(fromIso: string, nowMs: number): string {
  const seconds = Math.max(0, Math.round((nowMs - Date.parse(fromIso)) / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d`;
}

/** The one line the status indicator shows. */
export function describeSync(state: SyncState, nowMs: number): string {
  switch (state.status) {
    case 'signed_out':
      return 'Signed out';
    case 'syncing':
      return `Syncing… (${state.ruleCount.toLocaleString('en-US')} rules)`;
    case 'synced':
      return `Synced ${new Date(state.syncedAt).toLocaleTimeString('en-US', { hour: '2-digit', minute: '2-digit', second: '2-digit' })}`;
    case 'offline': {
      const age =
        state.lastSyncedAt === null ? 'never synced' : `list ${formatAge(state.lastSyncedAt, nowMs)} old`;
      return `Offline: ${age}, ${state.ruleCount.toLocaleString('en-US')} rules kept locally`;
    }
  }
}

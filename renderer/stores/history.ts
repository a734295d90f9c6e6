import { createStore } from 'zustand/vanilla';
import type { BlocklineApi, HistoryEntry } from '../../shared/contracts/ipc';
import { errorMessage } from '../../shared/error-message';

export interface HistoryStoreState {
  /** Newest first. */
  entries: HistoryEntry[];
  error: string | null;
  load(): Promise<void>;
  add(entry: HistoryEntry): Promise<void>;
  clear(): Promise<void>;
}

export type HistoryStore = ReturnType<typeof createHistoryStore>;

/** This machine's call history, kept by the main process. */
export function createHistoryStore(api: BlocklineApi) {
  return createStore<HistoryStoreState>()((set, get) => ({
    entries: [],
    error: null,
    async load() {
      try {
        set({ entries: newestFirst(await api.invoke('history:list', undefined)), error: null });
      } catch (error) {
        set({ error: errorMessage(error) });
      }
    },
    async add(entry) {
      await api.invoke('history:add', entry);
      const others = get().entries.filter((existing) => existing.id !== entry.id);
      set({ entries: newestFirst([entry, ...others]) });
    },
    async clear() {
      await api.invoke('history:clear', undefined);
      set({ entries: [] });
    },
  }));
}

function newestFirst(entries: HistoryEntry[]): HistoryEntry[] {
  return [...entries].sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt));
}

/** What the history shows as the result of a call. */
export function describeResult(entry: HistoryEntry): string {
  switch (entry.result) {
    case 'blocked': {
      const label = entry.direction === 'inbound' ? 'Hung up: blocked' : 'Blocked';
      return entry.blockedReason ? `${label} (${entry.blockedReason})` : label;
    }
    case 'answered':
      return 'Answered';
    case 'missed':
      return 'Missed';
    case 'declined':
      return 'Declined';
    case 'failed':
      return 'Failed';
    case 'cancelled':
      return 'Cancelled';
  }
}

/** `m:ss`, or `h:mm:ss` from an hour on. */
export function formatDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

import { createStore } from 'zustand/vanilla';
import type { BlocklineApi, HistoryEntry } from '../../shared/contracts/ipc';
import { errorMessage } from '../../shared/error-message';
import type { HistoryFilter } from './history-query';

export interface HistoryStoreState {
  /** Newest first. */
  entries: HistoryEntry[];
  error: string | null;
  /** Missed calls up to this moment (epoch ms) have been seen (SPEC §10.10: the count on the Phone tab). */
  missedSeenAt: number;
  load(): Promise<void>;
  add(entry: HistoryEntry): Promise<void>;
  clear(): Promise<void>;
  markMissedSeen(): void;
  /** The wrap-up the host has just kept with an entry (SPEC §10.11), shown without reloading the list. */
  showWrapUp(id: string, wrapUp: NonNullable<HistoryEntry['wrapUp']>): void;
  /** What the history view shows: its search text and filter. */
  query: string;
  filter: HistoryFilter;
  setQuery(query: string): void;
  /** Choosing "Missed" counts as seeing the missed calls. */
  setFilter(filter: HistoryFilter): void;
}

const MISSED_SEEN_KEY = 'blockline.history.missedSeenAt';

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

export type HistoryStore = ReturnType<typeof createHistoryStore>;

/** This machine's call history, kept by the main process. */
export function createHistoryStore(api: BlocklineApi) {
  return createStore<HistoryStoreState>()((set, get) => ({
    entries: [],
    error: null,
    missedSeenAt: Number(storage()?.getItem(MISSED_SEEN_KEY) ?? 0) || 0,
    async load() {
      try {
        set({ entries: newestFirst(await api.invoke('history:list', undefined)), error: null });
      } catch (error) {
        set({ error: errorMessage(error) });
      }
    },
    async add(entry) {
      await api.invoke('history:add', entry);
      const entries = get().entries;
      const others = entries.some((existing) => existing.id === entry.id)
        ? entries.filter((existing) => existing.id !== entry.id)
        : entries;
      // The new call is almost always the newest: no re-sort of 10,000 entries for it.
      const newest = others[0];
      set({
        entries:
          !newest || Date.parse(newest.startedAt) <= Date.parse(entry.startedAt)
            ? [entry, ...others]
            : newestFirst([entry, ...others]),
      });
    },
    async clear() {
      await api.invoke('history:clear', undefined);
      set({ entries: [] });
    },
    showWrapUp(id, wrapUp) {
      const entries = get().entries;
      const index = entries.findIndex((entry) => entry.id === id);
      const found = entries[index];
      if (found === undefined) return;
      const next = [...entries];
      next[index] = { ...found, wrapUp };
      set({ entries: next });
    },
    markMissedSeen() {
      const now = Date.now();
      storage()?.setItem(MISSED_SEEN_KEY, String(now));
      set({ missedSeenAt: now });
    },
    query: '',
    filter: 'all',
    setQuery(query) {
      set({ query });
    },
    setFilter(filter) {
      set({ filter });
      if (filter === 'missed') get().markMissedSeen();
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

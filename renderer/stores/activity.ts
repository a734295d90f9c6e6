import { createStore } from 'zustand/vanilla';
import type { BlocklineApi, WriteError } from '../../shared/contracts/ipc';
import type { StatsBlockedResponse, StatsTopResponse } from '../../shared/contracts/oversight';
import { addDays, localDateOf } from '../../shared/local-time';
import { safeWrite } from '../app/api';

export type ActivityPreset = '7' | '30' | '90' | 'custom';

export interface ActivityRange {
  from: string;
  to: string;
}

export interface ActivityStoreState {
  preset: ActivityPreset;
  range: ActivityRange;
  bucket: 'day' | 'hour';
  blocked: StatsBlockedResponse | null;
  top: StatsTopResponse | null;
  loading: boolean;
  error: WriteError | null;
  /** Chooses the last 7, 30 or 90 days up to today in the org's time zone, and loads them. */
  choosePreset(preset: Exclude<ActivityPreset, 'custom'>, timeZone: string, nowMs?: number): Promise<void>;
  chooseRange(range: ActivityRange): Promise<void>;
  chooseBucket(bucket: 'day' | 'hour'): Promise<void>;
  load(): Promise<void>;
}

/** The last `days` days, today included, in the org's time zone. */
export function lastDays(days: number, timeZone: string, nowMs: number): ActivityRange {
  const to = localDateOf(nowMs, timeZone);
  return { from: addDays(to, -(days - 1)), to };
}

/** The blocked-calls dashboard (SPEC §12.2): one range, both reads, the newest answer wins. */
export function createActivityStore(api: BlocklineApi) {
  let generation = 0;
  return createStore<ActivityStoreState>()((set, get) => ({
    preset: '30',
    range: lastDays(30, 'UTC', Date.now()),
    bucket: 'day',
    blocked: null,
    top: null,
    loading: false,
    error: null,
    async choosePreset(preset, timeZone, nowMs = Date.now()) {
      set({ preset, range: lastDays(Number(preset), timeZone, nowMs) });
      await get().load();
    },
    async chooseRange(range) {
      set({ preset: 'custom', range });
      await get().load();
    },
    async chooseBucket(bucket) {
      set({ bucket });
      await get().load();
    },
    async load() {
      const mine = ++generation;
      const { range, bucket } = get();
      set({ loading: true, error: null });
      const [blocked, top] = await Promise.all([
        safeWrite(() => api.invoke('oversight:statsBlocked', { ...range, bucket })),
        safeWrite(() => api.invoke('oversight:statsTop', { ...range, limit: 10 })),
      ]);
      if (mine !== generation) return;
      if (!blocked.ok) return set({ loading: false, error: blocked });
      if (!top.ok) return set({ loading: false, error: top });
      set({ loading: false, blocked: blocked.value, top: top.value });
    },
  }));
}

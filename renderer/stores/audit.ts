import { createStore } from 'zustand/vanilla';
import type { BlocklineApi, WriteError } from '../../shared/contracts/ipc';
import type { AuditListEntry, AuditListQuery } from '../../shared/contracts/oversight';
import { auditToCsv } from '../../shared/audit-csv';
import { safeWrite } from '../app/api';

export type AuditFilters = Pick<AuditListQuery, 'person' | 'action' | 'number' | 'from' | 'to'>;

export interface AuditStoreState {
  filters: AuditFilters;
  items: AuditListEntry[];
  actors: { id: string; name: string }[];
  nextCursor: string | null;
  loading: boolean;
  error: WriteError | null;
  setFilters(filters: AuditFilters): Promise<void>;
  /** The first page for the current filters. */
  load(): Promise<void>;
  /** The next page, appended (the view asks when its end scrolls into sight). */
  loadMore(): Promise<void>;
  /** Every entry that matches the filters, as CSV. */
  exportCsv(): Promise<{ ok: true; value: string } | WriteError>;
}

const PAGE = 200;

/** The audit view (SPEC §12.1): filters, cursor pages, CSV export. */
export function createAuditStore(api: BlocklineApi) {
  let generation = 0;
  return createStore<AuditStoreState>()((set, get) => ({
    filters: {},
    items: [],
    actors: [],
    nextCursor: null,
    loading: false,
    error: null,
    async setFilters(filters) {
      set({ filters });
      await get().load();
    },
    async load() {
      const mine = ++generation;
      set({ loading: true, error: null });
      const result = await safeWrite(() => api.invoke('oversight:audit', { ...get().filters, limit: PAGE }));
      if (mine !== generation) return;
      if (!result.ok) return set({ loading: false, error: result, items: [], nextCursor: null });
      set({
        loading: false,
        items: result.value.items,
        nextCursor: result.value.nextCursor,
        actors: result.value.actors.length > 0 ? result.value.actors : get().actors,
      });
    },
    async loadMore() {
      const { nextCursor, loading } = get();
      if (nextCursor === null || loading) return;
      const mine = generation;
      set({ loading: true });
      const result = await safeWrite(() =>
        api.invoke('oversight:audit', { ...get().filters, cursor: nextCursor, limit: PAGE }),
      );
      if (mine !== generation) return;
      if (!result.ok) return set({ loading: false, error: result });
      set({
        loading: false,
        items: [...get().items, ...result.value.items],
        nextCursor: result.value.nextCursor,
      });
    },
    async exportCsv() {
      const all: AuditListEntry[] = [];
      let cursor: string | undefined;
      do {
        const page = await safeWrite(() =>
          api.invoke('oversight:audit', { ...get().filters, limit: 500, ...(cursor ? { cursor } : {}) }),
        );
        if (!page.ok) return page;
        all.push(...page.value.items);
        cursor = page.value.nextCursor ?? undefined;
      } while (cursor !== undefined);
      return { ok: true, value: auditToCsv(all) };
    },
  }));
}

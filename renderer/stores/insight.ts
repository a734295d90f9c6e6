import { createStore } from 'zustand/vanilla';
import type { BlocklineApi } from '../../shared/contracts/ipc';
import type { InsightResponse } from '../../shared/contracts/oversight';
import { E164_PATTERN } from '../../shared/rules';
import { safeWrite } from '../app/api';

export type InsightEntry =
  | { status: 'loading'; at: number }
  | { status: 'ready'; at: number; insight: InsightResponse }
  | { status: 'unavailable'; at: number; message: string };

export interface InsightStoreState {
  byNumber: Record<string, InsightEntry>;
  /**
   * Asks the server in the background (SPEC §12.3). Returns at once: nothing on a call's path waits
   * for it, and a failure only leaves the card without the extra line.
   */
  request(number: string, nowMs?: number): void;
}

/** How long an answer stays fresh: "rang N agents in the last hour" moves quickly. */
export const INSIGHT_TTL_MS = 60_000;
const MAX_ENTRIES = 500;

export function createInsightStore(api: BlocklineApi) {
  return createStore<InsightStoreState>()((set, get) => ({
    byNumber: {},
    request(number, nowMs = Date.now()) {
      if (!E164_PATTERN.test(number)) return;
      const known = get().byNumber[number];
      if (known !== undefined && nowMs - known.at < INSIGHT_TTL_MS) return;
      const put = (entry: InsightEntry) => {
        const entries = Object.entries({ ...get().byNumber, [number]: entry });
        // The oldest answers go first once there are many (insertion order is request order).
        set({ byNumber: Object.fromEntries(entries.slice(-MAX_ENTRIES)) });
      };
      put({ status: 'loading', at: nowMs });
      void safeWrite(() => api.invoke('oversight:insight', { number })).then((result) =>
        put(
          result.ok
            ? { status: 'ready', at: nowMs, insight: result.value }
            : { status: 'unavailable', at: nowMs, message: result.message },
        ),
      );
    },
  }));
}

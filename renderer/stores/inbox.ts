import { createStore } from 'zustand/vanilla';
import type { AutoBlockReview, ReviewDecision } from '../../shared/contracts/api';
import type {
  BlockRequest,
  CreateBlockRequest,
  CreateBlockRequestResponse,
  ResolveBlockRequest,
  ResolveBlockRequestResponse,
} from '../../shared/contracts/block-requests';
import type { BlocklineApi, Session, WriteError } from '../../shared/contracts/ipc';
import { safeWrite, type WriteOutcome } from '../app/api';

/** How often a lead's app looks for new items while it runs (the inbox is not in the change feed). */
export const INBOX_POLL_MS = 15_000;

export interface InboxStoreState {
  reviews: AutoBlockReview[];
  requests: BlockRequest[];
  /** The last refresh's refusal (offline, or a role that may not read the inbox). */
  error: WriteError | null;
  loadedAt: number | null;
  refresh(): Promise<void>;
  decideReview(ruleId: string, decision: ReviewDecision): Promise<WriteOutcome<unknown>>;
  resolveRequest(
    id: string,
    resolution: ResolveBlockRequest,
  ): Promise<WriteOutcome<ResolveBlockRequestResponse>>;
  /** For everyone: agents ask, leads are asked. */
  ask(input: CreateBlockRequest): Promise<WriteOutcome<CreateBlockRequestResponse>>;
  /** Starts polling (leads and admins); returns the function that stops it. */
  poll(): () => void;
}

/** Leads and admins see the inbox, whatever the org lets agents manage (the server says the same). */
export function seesInbox(session: Session | null): boolean {
  return session?.signedIn === true && session.me.user.role !== 'agent';
}

/** Items waiting for a lead: the count on the Settings tab and the inbox's own tab. */
export function inboxCount(state: Pick<InboxStoreState, 'reviews' | 'requests'>): number {
  return state.reviews.length + state.requests.length;
}

/**
 * The lead inbox (SPEC §11.4 reviews, §7.1b block requests): what the server says is waiting, refreshed
 * on a timer and after every decision; a decided item leaves the list only when the server confirmed it.
 */
export function createInboxStore(api: BlocklineApi) {
  return createStore<InboxStoreState>()((set, get) => ({
    reviews: [],
    requests: [],
    error: null,
    loadedAt: null,
    async refresh() {
      const result = await safeWrite(() => api.invoke('inbox:get', undefined));
      if (result.ok) {
        set({ ...result.value, error: null, loadedAt: Date.now() });
      } else set({ error: result });
    },
    async decideReview(ruleId, decision) {
      const result = await safeWrite(() => api.invoke('inbox:decideReview', { ruleId, decision }));
      if (result.ok) set({ reviews: get().reviews.filter((review) => review.rule.id !== ruleId) });
      void get().refresh();
      return result;
    },
    async resolveRequest(id, resolution) {
      const result = await safeWrite(() => api.invoke('inbox:resolveRequest', { id, resolution }));
      if (result.ok) set({ requests: get().requests.filter((request) => request.id !== id) });
      void get().refresh();
      return result;
    },
    ask: (input) => safeWrite(() => api.invoke('blockRequests:create', input)),
    poll() {
      void get().refresh();
      const timer = setInterval(() => void get().refresh(), INBOX_POLL_MS);
      return () => clearInterval(timer);
    },
  }));
}

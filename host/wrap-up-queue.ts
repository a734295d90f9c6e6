/**
 * Wrap-ups (SPEC §10.11) wait in the local store until the server has them, like call reports do
 * (report-queue.ts), and go only after the reports: a wrap-up names its call's report, which must have
 * arrived first. One entry per report id — a later wrap-up of the same call replaces the waiting one —
 * and a PUT, so sending one again after a lost response is harmless. The queue survives restarts.
 */
import type { PendingWrapUp } from '../shared/contracts/wrap-up';
import type { OrgApiClient } from './api-client';
import type { LocalStore } from './local-store';

export interface WrapUpQueueOptions {
  store: LocalStore;
  getApi: () => OrgApiClient | null;
  isOnline: () => boolean;
  /** Whether the report with this id is still waiting to be sent (then its wrap-up waits too). */
  reportPending: (reportId: string) => boolean;
  log?: (message: string) => void;
}

export interface WrapUpFlushResult {
  delivered: number;
  remaining: number;
  error: string | null;
}

/** Refusals no retry can fix: the wrap-up is dropped from the queue (it stays in the history). */
const PERMANENT = new Set(['validation_failed', 'bad_request', 'unprocessable', 'forbidden', 'not_found']);

export class WrapUpQueue {
  private readonly options: WrapUpQueueOptions;
  private inFlight: Promise<WrapUpFlushResult> | null = null;

  constructor(options: WrapUpQueueOptions) {
    this.options = options;
  }

  size(): number {
    return this.options.store.getPendingWrapUps().length;
  }

  enqueue(pending: PendingWrapUp): number {
    const others = this.options.store
      .getPendingWrapUps()
      .filter((existing) => existing.reportId !== pending.reportId);
    this.options.store.setPendingWrapUps([...others, pending]);
    return this.size();
  }

  flush(): Promise<WrapUpFlushResult> {
    this.inFlight ??= this.deliver().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async deliver(): Promise<WrapUpFlushResult> {
    const log = this.options.log ?? (() => {});
    let delivered = 0;
    const tried = new Set<string>();
    for (;;) {
      const next = this.options.store
        .getPendingWrapUps()
        .find((pending) => !tried.has(pending.reportId) && !this.options.reportPending(pending.reportId));
      const remaining = this.size();
      if (next === undefined) return { delivered, remaining, error: null };
      const api = this.options.getApi();
      if (api === null || !this.options.isOnline()) return { delivered, remaining, error: 'offline' };
      tried.add(next.reportId);
      const result = await api.putWrapUp(next.reportId, next.wrapUp);
      if (!result.ok && !PERMANENT.has(result.code)) return { delivered, remaining, error: result.message };
      if (!result.ok)
        log(`wrap-ups: the server refused the wrap-up of ${next.reportId} (${result.message}); dropping it`);
      else delivered += 1;
      this.remove(next);
    }
  }

  /** Removes what was sent, unless a newer wrap-up of the same call was queued meanwhile. */
  private remove(sent: PendingWrapUp): void {
    this.options.store.setPendingWrapUps(
      this.options.store.getPendingWrapUps().filter((pending) => pending !== sent),
    );
  }
}

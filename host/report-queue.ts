/**
 * Call reports (SPEC §3.4, §4.2) wait in the local store until the server has acknowledged them: a
 * report leaves the queue only after a 2xx for the batch that carried it, so a crash or a lost
 * response means it is sent again — and the server ignores ids it has already seen, which makes the
 * delivery exactly-once as far as the counters are concerned. The queue survives restarts.
 */
import { MAX_BULK_ENTRIES, type CallReport } from '../shared/contracts/api';
import type { OrgApiClient } from './api-client';
import type { LocalStore } from './local-store';

export interface ReportQueueOptions {
  store: LocalStore;
  /** The API of the signed-in session, or null when signed out. */
  getApi: () => OrgApiClient | null;
  /** Delivery is attempted only while the sync client is online. */
  isOnline: () => boolean;
  log?: (message: string) => void;
  batchSize?: number;
}

export interface FlushResult {
  delivered: number;
  remaining: number;
  error: string | null;
}

export class ReportQueue {
  private readonly options: ReportQueueOptions;
  private inFlight: Promise<FlushResult> | null = null;

  constructor(options: ReportQueueOptions) {
    this.options = options;
  }

  size(): number {
    return this.options.store.getPendingReports().length;
  }

  /** Stores the report (once per id) and returns how many are waiting. */
  enqueue(report: CallReport): number {
    const pending = this.options.store.getPendingReports();
    if (!pending.some((existing) => existing.id === report.id)) {
      this.options.store.setPendingReports([...pending, report]);
    }
    return this.size();
  }

  /** Sends everything waiting, batch by batch; one flush at a time. */
  flush(): Promise<FlushResult> {
    this.inFlight ??= this.deliver().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async deliver(): Promise<FlushResult> {
    const log = this.options.log ?? (() => {});
    const batchSize = Math.min(this.options.batchSize ?? MAX_BULK_ENTRIES, MAX_BULK_ENTRIES);
    let delivered = 0;
    for (;;) {
      const pending = this.options.store.getPendingReports();
      if (pending.length === 0) return { delivered, remaining: 0, error: null };
      const api = this.options.getApi();
      if (api === null || !this.options.isOnline()) {
        return { delivered, remaining: pending.length, error: 'offline' };
      }
      const batch = pending.slice(0, batchSize);
      const result = await api.postCallReports(batch);
      if (!result.ok) {
        // A batch the server can never accept would block the queue forever: drop it, loudly.
        if (result.code === 'validation_failed' || result.code === 'bad_request') {
          log(`reports: the server refused ${batch.length} call reports (${result.message}); dropping them`);
          this.remove(batch);
          continue;
        }
        return { delivered, remaining: pending.length, error: result.message };
      }
      this.remove(batch);
      delivered += batch.length;
    }
  }

  private remove(batch: CallReport[]): void {
    const sent = new Set(batch.map((report) => report.id));
    // Re-read: reports queued while the batch was in flight must stay.
    this.options.store.setPendingReports(
      this.options.store.getPendingReports().filter((report) => !sent.has(report.id)),
    );
  }
}

/**
 * Keeps the local copy of the org's blocklist in step with the server (SPEC §5):
 *  1. the cached list is loaded synchronously at construction, so it is enforced before anything
 *     else runs — before any SIP line registers, and offline;
 *  2. on connect: the changes since the local revision, or a snapshot when the server answers 410;
 *  3. then the SSE stream, resumed with Last-Event-ID = the local revision;
 *  4. a revision gap (or an unreadable change) triggers a resync; failures back off with jitter.
 * Plain Node: the store, secrets, fetch, clock and randomness are injected.
 *
 * Every change is in force in memory the moment it is applied (`getBlocklistState()` is always
 * current). The renderer is told what changed — the rules touched since the last announcement, or the
 * whole list when it was replaced (a snapshot, a reset) — and a burst (a bulk import: thousands of
 * changes) is announced coalesced: the first change after a quiet spell at once, then at most one
 * announcement per `emitIntervalMs`, and always a last one when the burst ends. The store coalesces
 * its disk writes the same way.
 */
import type { EventSourceMessage } from 'eventsource-parser';
import {
  apiRoutes,
  changeSchema,
  SSE_EVENT_CHANGE,
  type Change,
  type Snapshot,
} from '../shared/contracts/api';
import type { BlocklistChange, BlocklistState, SyncState } from '../shared/contracts/ipc';
import type { Rule } from '../shared/rules';
import { OrgApiClient, describeError, type FetchLike } from './api-client';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import { EventStreamError, readEventStream } from './event-stream';
import { SERVER_TOKEN_KEY, type SecretStore } from './secrets';
import type { CachedBlocklist, LocalStore } from './store';

export interface SyncClientOptions {
  store: LocalStore;
  secrets: SecretStore;
  fetch: FetchLike;
  now: () => Date;
  random: () => number;
  onState: (state: SyncState) => void;
  onBlocklist: (change: BlocklistChange) => void;
  /** Every change applied, in order (diagnostics and tests). */
  onChangeApplied?: (change: Change) => void;
  log?: (message: string) => void;
  backoff?: BackoffOptions;
  /** Silence on the stream longer than this means the connection is dead (the server sends heartbeats). */
  idleTimeoutMs?: number;
  /** The shortest pause between two `onBlocklist` announcements during a burst (default 250 ms). */
  emitIntervalMs?: number;
}

export const DEFAULT_EMIT_INTERVAL_MS = 250;
/**
 * An announcement that takes long (a huge list) stretches the pause, so announcing never dominates.
 * The page pays several times the host's cost for each list (parse, then apply), hence the factor.
 */
const EMIT_COST_FACTOR = 8;
const MAX_EMIT_INTERVAL_MS = 2000;

class RevisionGapError extends Error {
  constructor(expected: number, received: number) {
    super(`revision gap: expected ${expected}, received ${received}`);
    this.name = 'RevisionGapError';
  }
}

class StoppedError extends Error {
  constructor() {
    super('sync stopped');
    this.name = 'StoppedError';
  }
}

class SyncFailure extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'SyncFailure';
  }
}

const MAX_CATCH_UP_ROUNDS = 50;

/** What changed since the last announcement (see `BlocklistDelta`). */
interface PendingDelta {
  fromRevision: number;
  upserted: Map<string, Rule>;
  removed: Set<string>;
  settings: boolean;
  lines: boolean;
}

export class SyncClient {
  private readonly options: SyncClientOptions;
  private readonly log: (message: string) => void;
  private list: CachedBlocklist;
  private rulesById: Map<string, Rule>;
  private state: SyncState;
  private running: AbortController | null = null;
  private loop: Promise<void> | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  /** Changes applied but not yet announced. */
  private announcePending = false;
  /** The list was replaced since the last announcement: the next one carries all of it. */
  private replacedSinceAnnounced = false;
  private delta: PendingDelta | null = null;
  /** `list.rules` lags `rulesById` (the array is built only when the list is handed out). */
  private rulesStale = false;
  private lastAnnouncedAt = Number.NEGATIVE_INFINITY;
  private lastAnnounceCostMs = 0;
  private onlineWaiters: Array<() => void> = [];
  private snapshotNext = false;

  constructor(options: SyncClientOptions) {
    this.options = options;
    this.log = options.log ?? (() => {});
    // Synchronous on purpose: the cached list is in force from the first instant.
    this.list = options.store.getBlocklist();
    this.rulesById = new Map(this.list.rules.map((rule) => [rule.id, rule]));
    this.state = this.hasSession() ? this.offlineState('not connected yet') : { status: 'signed_out' };
  }

  getState(): SyncState {
    return this.state;
  }

  isOnline(): boolean {
    return this.state.status === 'synced';
  }

  /** The list in force right now, including changes not yet announced or written. */
  getBlocklistState(): BlocklistState {
    this.commitToStore();
    return this.options.store.getBlocklistState();
  }

  /** Starts (or keeps) the sync loop. Without a session it only reports `signed_out`. */
  start(): void {
    if (this.running !== null) return;
    if (!this.hasSession()) {
      this.setState({ status: 'signed_out' });
      return;
    }
    const controller = new AbortController();
    this.running = controller;
    this.loop = this.run(controller.signal).finally(() => {
      if (this.running === controller) this.running = null;
    });
  }

  async stop(): Promise<void> {
    const controller = this.running;
    const loop = this.loop;
    this.running = null;
    this.loop = null;
    controller?.abort(new StoppedError());
    await loop;
    this.flushNow();
    // Not connected any more: writes must be refused until the next start.
    if (this.state.status === 'synced' || this.state.status === 'syncing')
      this.setState(this.offlineState('sync stopped'));
    this.commitToStore();
    await this.options.store.flushBlocklist();
  }

  /** Drops the cached list (sign-out, or a sign-in to another org). */
  async reset(): Promise<void> {
    await this.stop();
    await this.options.store.clearBlocklist();
    this.list = this.options.store.getBlocklist();
    this.rulesById = new Map();
    this.rulesStale = false;
    this.delta = null;
    this.replacedSinceAnnounced = false;
    this.options.onBlocklist({ kind: 'full', state: this.getBlocklistState() });
    this.setState(this.hasSession() ? this.offlineState('not connected yet') : { status: 'signed_out' });
  }

  /** Resolves once the client is `synced` (or at once if it is); for callers that can wait. */
  whenOnline(): Promise<void> {
    if (this.isOnline()) return Promise.resolve();
    return new Promise((resolve) => this.onlineWaiters.push(resolve));
  }

  private hasSession(): boolean {
    return this.options.store.getSession() !== null && this.options.secrets.get(SERVER_TOKEN_KEY) !== null;
  }

  private createApi(): OrgApiClient | null {
    const session = this.options.store.getSession();
    const token = this.options.secrets.get(SERVER_TOKEN_KEY);
    if (session === null || token === null) return null;
    return new OrgApiClient({ serverUrl: session.serverUrl, token, fetch: this.options.fetch });
  }

  private async run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    // Resyncs after a gap skip the back-off, but only a few in a row: a server that keeps
    // producing gaps must not spin this loop.
    let quickResyncs = 0;
    while (!signal.aborted) {
      const api = this.createApi();
      if (api === null) {
        this.setState({ status: 'signed_out' });
        return;
      }
      const stream = new AbortController();
      const stopStream = () => stream.abort(signal.reason);
      signal.addEventListener('abort', stopStream, { once: true });
      try {
        if (this.state.status !== 'synced') this.setState({ status: 'syncing', ...this.counts() });
        await this.catchUp(api);
        if (signal.aborted) break;
        await readEventStream({
          url: api.url(apiRoutes.events.path),
          headers: api.authHeaders(),
          lastEventId: String(this.list.revision),
          fetch: this.options.fetch,
          signal: stream.signal,
          idleTimeoutMs: this.options.idleTimeoutMs ?? 45_000,
          onOpen: () => {
            failures = 0;
            quickResyncs = 0;
            this.markSynced();
          },
          onEvent: (message) => this.onStreamMessage(message, stream),
        });
        // The server ended the stream (a restart, a deploy): reconnect after a short jittered pause.
        this.flushNow();
        if (signal.aborted) break;
        this.setState({ status: 'syncing', ...this.counts() });
        await this.sleep(
          backoffDelay(0, this.options.random, this.options.backoff ?? DEFAULT_BACKOFF),
          signal,
        );
      } catch (error) {
        this.flushNow();
        if (signal.aborted) break;
        const resync =
          error instanceof RevisionGapError ||
          (error instanceof EventStreamError && error.code === 'snapshot_required');
        if (resync && quickResyncs < 3) {
          quickResyncs++;
          this.log(`sync: ${error.message}; resyncing`);
          if (error instanceof EventStreamError) this.snapshotNext = true;
          continue;
        }
        const message = describeError(error);
        this.log(`sync: ${message}`);
        this.setState(this.offlineState(message));
        try {
          await this.sleep(
            backoffDelay(failures++, this.options.random, this.options.backoff ?? DEFAULT_BACKOFF),
            signal,
          );
        } catch {
          break;
        }
      } finally {
        signal.removeEventListener('abort', stopStream);
      }
    }
  }

  /** Changes since the local revision until level with the server; a snapshot when they cannot be. */
  private async catchUp(api: OrgApiClient): Promise<void> {
    if (this.snapshotNext) {
      this.snapshotNext = false;
      return this.loadSnapshot(api);
    }
    for (let round = 0; round < MAX_CATCH_UP_ROUNDS; round++) {
      const result = await api.changes(this.list.revision);
      if (!result.ok) {
        if (result.code === 'snapshot_required') return this.loadSnapshot(api);
        throw new SyncFailure(result.message, result.code);
      }
      const { revision: serverRevision, changes } = result.value;
      // The server is behind us (its database was replaced): only a snapshot is the truth.
      if (serverRevision < this.list.revision) return this.loadSnapshot(api);
      try {
        for (const change of changes) this.applyChange(change);
      } catch (error) {
        if (error instanceof RevisionGapError) return this.loadSnapshot(api);
        throw error;
      }
      // Announced through the coalescing timer: a long catch-up must not hand out the list per page.
      if (this.list.revision >= serverRevision) return;
      if (changes.length === 0) return this.loadSnapshot(api);
    }
    return this.loadSnapshot(api);
  }

  private async loadSnapshot(api: OrgApiClient): Promise<void> {
    const result = await api.snapshot();
    if (!result.ok) throw new SyncFailure(result.message, result.code);
    this.replaceWithSnapshot(result.value);
  }

  private replaceWithSnapshot(snapshot: Snapshot): void {
    const session = this.options.store.getSession();
    this.rulesById = new Map(snapshot.rules.map((rule) => [rule.id, rule]));
    this.list = {
      ...this.list,
      serverUrl: session?.serverUrl ?? this.list.serverUrl,
      orgId: session?.me.org.id ?? this.list.orgId,
      revision: snapshot.revision,
      settings: snapshot.settings,
      lines: snapshot.lines,
    };
    this.rulesStale = true;
    this.replacedSinceAnnounced = true;
    this.delta = null;
    this.log(`sync: snapshot at revision ${snapshot.revision} (${snapshot.rules.length} rules)`);
    this.announcePending = true;
    this.flushNow();
  }

  private onStreamMessage(message: EventSourceMessage, stream: AbortController): void {
    if (message.event !== SSE_EVENT_CHANGE) return; // heartbeats only keep the idle timer alive
    let change: Change;
    try {
      const parsed = changeSchema.safeParse(JSON.parse(message.data));
      if (!parsed.success) throw new Error(parsed.error.message);
      change = parsed.data;
    } catch (error) {
      this.log(`sync: unreadable change event ${message.id ?? ''}: ${describeError(error)}`);
      stream.abort(new RevisionGapError(this.list.revision + 1, Number.NaN));
      return;
    }
    try {
      this.applyChange(change);
    } catch (error) {
      stream.abort(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Applies one change in revision order; replays are ignored, a gap throws. */
  private applyChange(change: Change): void {
    if (change.revision <= this.list.revision) return;
    if (change.revision !== this.list.revision + 1)
      throw new RevisionGapError(this.list.revision + 1, change.revision);
    const delta = this.pendingDelta();
    const upsert = (rule: Rule) => {
      this.rulesById.set(rule.id, rule);
      delta?.upserted.set(rule.id, rule);
      delta?.removed.delete(rule.id);
    };
    switch (change.type) {
      case 'rule_upserted':
        upsert(change.rule);
        break;
      case 'rule_deleted':
        this.rulesById.delete(change.ruleId);
        delta?.upserted.delete(change.ruleId);
        delta?.removed.add(change.ruleId);
        break;
      case 'rule_hits': {
        const rule = this.rulesById.get(change.ruleId);
        if (rule !== undefined) upsert({ ...rule, hitCount: change.hitCount, lastHitAt: change.lastHitAt });
        break;
      }
      case 'settings_updated':
        this.list = { ...this.list, settings: change.settings };
        if (delta) delta.settings = true;
        break;
      case 'lines_updated':
        this.list = { ...this.list, lines: change.lines };
        if (delta) delta.lines = true;
        break;
    }
    this.list = { ...this.list, revision: change.revision };
    if (change.type !== 'settings_updated' && change.type !== 'lines_updated') this.rulesStale = true;
    this.options.onChangeApplied?.(change);
    this.scheduleFlush();
  }

  /** The delta being collected, or null while a replaced list waits to be announced whole. */
  private pendingDelta(): PendingDelta | null {
    if (this.replacedSinceAnnounced) return null;
    this.delta ??= {
      fromRevision: this.list.revision,
      upserted: new Map(),
      removed: new Set(),
      settings: false,
      lines: false,
    };
    return this.delta;
  }

  /** What the renderer needs to catch up with everything applied since the last announcement. */
  private takeChange(): BlocklistChange | null {
    const delta = this.delta;
    const replaced = this.replacedSinceAnnounced;
    this.delta = null;
    this.replacedSinceAnnounced = false;
    const state = this.getBlocklistState();
    if (replaced) return { kind: 'full', state };
    if (delta === null) return null;
    return {
      kind: 'delta',
      delta: {
        fromRevision: delta.fromRevision,
        revision: state.revision,
        upserted: [...delta.upserted.values()],
        removed: [...delta.removed],
        ...(delta.settings ? { settings: state.settings } : {}),
        ...(delta.lines ? { lines: state.lines } : {}),
      },
    };
  }

  /**
   * Changes arriving together are announced once: the first after a quiet spell on the next tick,
   * later ones no sooner than the interval after the previous announcement (trailing one guaranteed).
   */
  private scheduleFlush(): void {
    this.announcePending = true;
    if (this.flushTimer !== null) return;
    const interval = Math.min(
      MAX_EMIT_INTERVAL_MS,
      Math.max(
        this.options.emitIntervalMs ?? DEFAULT_EMIT_INTERVAL_MS,
        this.lastAnnounceCostMs * EMIT_COST_FACTOR,
      ),
    );
    const wait = Math.max(0, this.lastAnnouncedAt + interval - performance.now());
    this.flushTimer = setTimeout(() => this.flushNow(), wait);
  }

  /** Hands the current list to the store (memory now, disk coalesced) — one consistent snapshot. */
  private commitToStore(): void {
    if (!this.rulesStale && this.options.store.getBlocklist() === this.list) return;
    if (this.rulesStale) this.list = { ...this.list, rules: [...this.rulesById.values()] };
    this.rulesStale = false;
    this.options.store.saveBlocklist(this.list);
  }

  /** Announces pending changes now (the list to the renderer, the counts in the sync state). */
  private flushNow(): void {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (!this.announcePending) return;
    this.announcePending = false;
    const started = performance.now();
    const syncedAt = this.isOnline() ? this.options.now().toISOString() : this.list.lastSyncedAt;
    if (syncedAt !== this.list.lastSyncedAt) this.list = { ...this.list, lastSyncedAt: syncedAt };
    const change = this.takeChange();
    if (change !== null) this.options.onBlocklist(change);
    if (this.state.status === 'synced' && syncedAt !== null)
      this.setState({ status: 'synced', ...this.counts(), syncedAt });
    else if (this.state.status !== 'signed_out') this.setState({ ...this.state, ...this.counts() });
    this.lastAnnouncedAt = performance.now();
    this.lastAnnounceCostMs = this.lastAnnouncedAt - started;
  }

  private markSynced(): void {
    const syncedAt = this.options.now().toISOString();
    if (this.list.lastSyncedAt !== syncedAt) {
      this.list = { ...this.list, lastSyncedAt: syncedAt };
      this.commitToStore();
    }
    this.setState({ status: 'synced', ...this.counts(), syncedAt });
    const waiters = this.onlineWaiters;
    this.onlineWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private counts(): { revision: number; ruleCount: number } {
    return { revision: this.list.revision, ruleCount: this.rulesById.size };
  }

  private offlineState(error: string): SyncState {
    return { status: 'offline', ...this.counts(), lastSyncedAt: this.list.lastSyncedAt, error };
  }

  private setState(next: SyncState): void {
    const previous = this.state;
    this.state = next;
    if (JSON.stringify(previous) !== JSON.stringify(next)) this.options.onState(next);
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

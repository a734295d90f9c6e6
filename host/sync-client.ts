/**
 * Keeps the local copy of the org's blocklist in step with the server (SPEC §5):
 *  1. the cached list is loaded synchronously at construction, so it is enforced before anything
 *     else runs — before any SIP line registers, and offline;
 *  2. on connect: the changes since the local revision, or a snapshot when the server answers 410;
 *  3. then the SSE stream, resumed with Last-Event-ID = the local revision;
 *  4. a revision gap (or an unreadable change) triggers a resync; failures back off with jitter.
 * Plain Node: the store, secrets, fetch, clock and randomness are injected.
 *
 * This file is the connection loop; the local copy it feeds — the list in force, the store's writes
 * and the coalesced announcements to the renderer — is blocklist-copy.ts.
 */
import type { EventSourceMessage } from 'eventsource-parser';
import { apiRoutes, changeSchema, SSE_EVENT_CHANGE, type Change } from '../shared/contracts/api';
import type { BlocklistChange, BlocklistState, SyncState } from '../shared/contracts/ipc';
import { OrgApiClient, describeError, type FetchLike } from './api-client';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import { BlocklistCopy, RevisionGapError, type AnnouncementSink } from './blocklist-copy';
import { EventStreamError, readEventStream } from './event-stream';
import type { LocalStore } from './local-store';
import { SERVER_TOKEN_KEY, type SecretStore } from './secrets';

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
  /** The org's announcement versions as the feed names them. */
  announcements?: AnnouncementSink;
  log?: (message: string) => void;
  backoff?: BackoffOptions;
  /** Silence on the stream longer than this means the connection is dead (the server sends heartbeats). */
  idleTimeoutMs?: number;
  /** The shortest pause between two `onBlocklist` announcements during a burst (default 250 ms). */
  emitIntervalMs?: number;
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

export class SyncClient {
  private readonly options: SyncClientOptions;
  private readonly log: (message: string) => void;
  private readonly copy: BlocklistCopy;
  private state: SyncState;
  private running: AbortController | null = null;
  private loop: Promise<void> | null = null;
  private onlineWaiters: Array<() => void> = [];
  private snapshotNext = false;

  constructor(options: SyncClientOptions) {
    this.options = options;
    this.log = options.log ?? (() => {});
    this.copy = new BlocklistCopy({
      store: options.store,
      now: options.now,
      isOnline: () => this.isOnline(),
      onBlocklist: options.onBlocklist,
      onAnnounced: (syncedAt) => {
        if (this.state.status === 'synced' && syncedAt !== null)
          this.setState({ status: 'synced', ...this.counts(), syncedAt });
        else if (this.state.status !== 'signed_out') this.setState({ ...this.state, ...this.counts() });
      },
      onChangeApplied: options.onChangeApplied,
      ...(options.announcements === undefined ? {} : { announcements: options.announcements }),
      log: this.log,
      emitIntervalMs: options.emitIntervalMs,
    });
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
    return this.copy.getBlocklistState();
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
    this.copy.flushNow();
    // Not connected any more: writes must be refused until the next start.
    if (this.state.status === 'synced' || this.state.status === 'syncing')
      this.setState(this.offlineState('sync stopped'));
    this.copy.commitToStore();
    await this.options.store.flushBlocklist();
  }

  /** Drops the cached list (sign-out, or a sign-in to another org). */
  async reset(): Promise<void> {
    await this.stop();
    await this.options.store.clearBlocklist();
    this.copy.reload();
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
          lastEventId: String(this.copy.revision),
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
        this.copy.flushNow();
        if (signal.aborted) break;
        this.setState({ status: 'syncing', ...this.counts() });
        await this.sleep(
          backoffDelay(0, this.options.random, this.options.backoff ?? DEFAULT_BACKOFF),
          signal,
        );
      } catch (error) {
        this.copy.flushNow();
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
      const result = await api.changes(this.copy.revision);
      if (!result.ok) {
        if (result.code === 'snapshot_required') return this.loadSnapshot(api);
        throw new SyncFailure(result.message, result.code);
      }
      const { revision: serverRevision, changes } = result.value;
      // The server is behind us (its database was replaced): only a snapshot is the truth.
      if (serverRevision < this.copy.revision) return this.loadSnapshot(api);
      try {
        for (const change of changes) this.copy.applyChange(change);
      } catch (error) {
        if (error instanceof RevisionGapError) return this.loadSnapshot(api);
        throw error;
      }
      // Announced through the coalescing timer: a long catch-up must not hand out the list per page.
      if (this.copy.revision >= serverRevision) return;
      if (changes.length === 0) return this.loadSnapshot(api);
    }
    return this.loadSnapshot(api);
  }

  private async loadSnapshot(api: OrgApiClient): Promise<void> {
    const result = await api.snapshot();
    if (!result.ok) throw new SyncFailure(result.message, result.code);
    this.copy.replaceWithSnapshot(result.value);
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
      stream.abort(new RevisionGapError(this.copy.revision + 1, Number.NaN));
      return;
    }
    try {
      this.copy.applyChange(change);
    } catch (error) {
      stream.abort(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private markSynced(): void {
    const syncedAt = this.options.now().toISOString();
    this.copy.markSynced(syncedAt);
    this.setState({ status: 'synced', ...this.counts(), syncedAt });
    const waiters = this.onlineWaiters;
    this.onlineWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private counts(): { revision: number; ruleCount: number } {
    return this.copy.counts();
  }

  private offlineState(error: string): SyncState {
    return { status: 'offline', ...this.counts(), lastSyncedAt: this.copy.lastSyncedAt, error };
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

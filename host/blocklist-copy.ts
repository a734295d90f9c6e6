/**
 * The host's copy of the org's blocklist, and its announcements (SPEC §5). The sync loop
 * (sync-client.ts) feeds it server changes in revision order, or a whole snapshot; this class keeps
 * the list in force in memory from the moment each change is applied, hands it to the local store
 * (which coalesces its disk writes), and tells the renderer what changed: the rules touched since the
 * last announcement, or the whole list when it was replaced (a snapshot, a reset).
 *
 * A burst (a bulk import: thousands of changes) is announced coalesced: the first change after a
 * quiet spell at once, then at most one announcement per `emitIntervalMs`, and always a last one when
 * the burst ends.
 */
import type { Change, Snapshot } from '../shared/contracts/api';
import type { BlocklistChange, BlocklistState } from '../shared/contracts/ipc';
import {
  emptyDelta,
  noteRemoval,
  noteUpsert,
  toBlocklistDelta,
  type MergedDelta,
} from '../shared/blocklist-delta';
import type { AnnouncementInfo, AnnouncementKind, Announcements } from '../shared/announcements';
import type { Rule } from '../shared/rules';
import type { CachedBlocklist, LocalStore } from './local-store';

export const DEFAULT_EMIT_INTERVAL_MS = 250;
/**
 * An announcement that takes long (a huge list) stretches the pause, so announcing never dominates.
 * The page pays several times the host's cost for each list (parse, then apply), hence the factor.
 */
const EMIT_COST_FACTOR = 8;
const MAX_EMIT_INTERVAL_MS = 2000;

/** A change that does not follow on from the copy's revision: the changes in between are missing. */
export class RevisionGapError extends Error {
  constructor(expected: number, received: number) {
    super(`revision gap: expected ${expected}, received ${received}`);
    this.name = 'RevisionGapError';
  }
}

/** Where the org's announcement versions go as the feed names them (announcement-cache.ts). */
export interface AnnouncementSink {
  setAll(announcements: Announcements): void;
  set(kind: AnnouncementKind, info: AnnouncementInfo | null): void;
}

export interface BlocklistCopyOptions {
  store: LocalStore;
  now: () => Date;
  /** Whether the copy is level with the server: then each announcement stamps the time of sync. */
  isOnline: () => boolean;
  onBlocklist: (change: BlocklistChange) => void;
  /** After each announcement, with the copy's time of sync (the sync state's counts follow it). */
  onAnnounced: (syncedAt: string | null) => void;
  /** Every change applied, in order (diagnostics and tests). */
  onChangeApplied?: (change: Change) => void;
  /** The org's announcements in use, from snapshots and changes. */
  announcements?: AnnouncementSink;
  log: (message: string) => void;
  /** The shortest pause between two `onBlocklist` announcements during a burst (default 250 ms). */
  emitIntervalMs?: number;
}

export class BlocklistCopy {
  private readonly options: BlocklistCopyOptions;
  private list: CachedBlocklist;
  private rulesById: Map<string, Rule>;
  private flushTimer: NodeJS.Timeout | null = null;
  /** Changes applied but not yet announced. */
  private announcePending = false;
  /** The list was replaced since the last announcement: the next one carries all of it. */
  private replacedSinceAnnounced = false;
  /** What changed since the last announcement. */
  private delta: MergedDelta | null = null;
  /** `list.rules` lags `rulesById` (the array is built only when the list is handed out). */
  private rulesStale = false;
  private lastAnnouncedAt = Number.NEGATIVE_INFINITY;
  private lastAnnounceCostMs = 0;

  constructor(options: BlocklistCopyOptions) {
    this.options = options;
    // Synchronous on purpose: the cached list is in force from the first instant.
    this.list = options.store.getBlocklist();
    this.rulesById = new Map(this.list.rules.map((rule) => [rule.id, rule]));
  }

  get revision(): number {
    return this.list.revision;
  }

  get lastSyncedAt(): string | null {
    return this.list.lastSyncedAt;
  }

  counts(): { revision: number; ruleCount: number } {
    return { revision: this.list.revision, ruleCount: this.rulesById.size };
  }

  /** The list in force right now, including changes not yet announced or written. */
  getBlocklistState(): BlocklistState {
    this.commitToStore();
    return this.options.store.getBlocklistState();
  }

  /** Drops the copy (the store's list was cleared) and tells the renderer at once. */
  reload(): void {
    this.list = this.options.store.getBlocklist();
    this.rulesById = new Map();
    this.rulesStale = false;
    this.delta = null;
    this.replacedSinceAnnounced = false;
    this.options.onBlocklist({ kind: 'full', state: this.getBlocklistState() });
  }

  /** The copy is level with the server now. */
  markSynced(syncedAt: string): void {
    if (this.list.lastSyncedAt === syncedAt) return;
    this.list = { ...this.list, lastSyncedAt: syncedAt };
    this.commitToStore();
  }

  replaceWithSnapshot(snapshot: Snapshot): void {
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
    this.options.announcements?.setAll(snapshot.announcements);
    this.options.log(`sync: snapshot at revision ${snapshot.revision} (${snapshot.rules.length} rules)`);
    this.announcePending = true;
    this.flushNow();
  }

  /** Applies one change in revision order; replays are ignored, a gap throws. */
  applyChange(change: Change): void {
    if (change.revision <= this.list.revision) return;
    if (change.revision !== this.list.revision + 1)
      throw new RevisionGapError(this.list.revision + 1, change.revision);
    const delta = this.pendingDelta();
    const upsert = (rule: Rule) => {
      this.rulesById.set(rule.id, rule);
      if (delta) noteUpsert(delta, rule);
    };
    switch (change.type) {
      case 'rule_upserted':
        upsert(change.rule);
        break;
      case 'rule_deleted':
        this.rulesById.delete(change.ruleId);
        if (delta) noteRemoval(delta, change.ruleId);
        break;
      case 'rule_hits': {
        const rule = this.rulesById.get(change.ruleId);
        if (rule !== undefined) upsert({ ...rule, hitCount: change.hitCount, lastHitAt: change.lastHitAt });
        break;
      }
      case 'settings_updated':
        this.list = { ...this.list, settings: change.settings };
        if (delta) delta.settings = change.settings;
        break;
      case 'lines_updated':
        this.list = { ...this.list, lines: change.lines };
        if (delta) delta.lines = change.lines;
        break;
      case 'announcement_updated':
        this.options.announcements?.set(change.kind, change.announcement);
        break;
    }
    this.list = { ...this.list, revision: change.revision };
    if (delta) delta.revision = change.revision;
    if (change.type === 'rule_upserted' || change.type === 'rule_deleted' || change.type === 'rule_hits')
      this.rulesStale = true;
    this.options.onChangeApplied?.(change);
    this.scheduleFlush();
  }

  /** Announces pending changes now (the list to the renderer, then `onAnnounced`). */
  flushNow(): void {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (!this.announcePending) return;
    this.announcePending = false;
    const started = performance.now();
    const syncedAt = this.options.isOnline() ? this.options.now().toISOString() : this.list.lastSyncedAt;
    if (syncedAt !== this.list.lastSyncedAt) this.list = { ...this.list, lastSyncedAt: syncedAt };
    const change = this.takeChange();
    if (change !== null) this.options.onBlocklist(change);
    this.options.onAnnounced(syncedAt);
    this.lastAnnouncedAt = performance.now();
    this.lastAnnounceCostMs = this.lastAnnouncedAt - started;
  }

  /** The delta being collected, or null while a replaced list waits to be announced whole. */
  private pendingDelta(): MergedDelta | null {
    if (this.replacedSinceAnnounced) return null;
    this.delta ??= emptyDelta(this.list.revision);
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
    return { kind: 'delta', delta: toBlocklistDelta(delta) };
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
  commitToStore(): void {
    if (!this.rulesStale && this.options.store.getBlocklist() === this.list) return;
    if (this.rulesStale) this.list = { ...this.list, rules: [...this.rulesById.values()] };
    this.rulesStale = false;
    this.options.store.saveBlocklist(this.list);
  }
}

/**
 * The host's local store: the app's persistence on this machine, over `conf` (the library
 * electron-store is built on), so the same code runs in Electron and in the browser host. Two files: `blocklist.json` (the org's rules, settings,
 * lines and revision — large, rewritten as a whole) and `app.json` (session, call history, pending
 * call reports, SIP accounts — small, written often). Both carry a schema version with migrations;
 * every value is re-validated with the shared zod schemas on load, so a damaged file costs the
 * damaged entries, never the start-up. Secrets are NOT stored here (see secrets.ts).
 *
 * The blocklist is large (tens of MB at 100,000 rules), so it is held in memory — always current —
 * and written to disk coalesced: at most about once a second, asynchronously (temp file + rename, so
 * a crash leaves the previous file whole), each write one consistent snapshot (the revision never
 * ahead of the rules). `flushBlocklist()` writes what is pending; callers await it on stop.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Conf from 'conf';
import { z } from 'zod';
import {
  callReportSchema,
  lineSchema,
  meResponseSchema,
  type CallReport,
  type Line,
  type MeResponse,
} from '../shared/contracts/api';
import {
  historyEntrySchema,
  sipAccountSchema,
  type BlocklistState,
  type HistoryEntry,
  type SipAccount,
} from '../shared/contracts/ipc';
import { pendingWrapUpSchema, type PendingWrapUp } from '../shared/contracts/wrap-up';
import { isoDateTimeSchema, ruleSchema, type Rule } from '../shared/rules';
import { defaultOrgSettings, orgSettingsSchema, type OrgSettings } from '../shared/settings';
import { HistoryLog } from './history-log';

/** Bumped when a stored shape changes; each bump gets a migration below. */
export const STORE_SCHEMA_VERSION = '1.1.0';
/** SPEC §10.10: ten thousand calls, kept in their own append-only file (history-log.ts). */
export const MAX_HISTORY_ENTRIES = 10_000;
export const MAX_PENDING_REPORTS = 20_000;

export interface CachedBlocklist {
  /** Which org (on which server) this list belongs to; a different sign-in starts from empty. */
  serverUrl: string | null;
  orgId: string | null;
  revision: number;
  rules: Rule[];
  settings: OrgSettings | null;
  lines: Line[];
  lastSyncedAt: string | null;
}

export interface StoredSession {
  serverUrl: string;
  me: MeResponse;
}

interface BlocklistFile extends Record<string, unknown> {
  serverUrl: string | null;
  orgId: string | null;
  revision: number;
  rules: unknown[];
  settings: unknown;
  lines: unknown[];
  lastSyncedAt: string | null;
}

interface AppFile extends Record<string, unknown> {
  session: unknown;
  history: unknown[];
  pendingReports: unknown[];
  pendingWrapUps: unknown[];
  sipAccounts: unknown[];
  lastEmergencyAt: string | null;
  blockedToday: { day: string; count: number };
}

const EMPTY_BLOCKLIST: BlocklistFile = {
  serverUrl: null,
  orgId: null,
  revision: 0,
  rules: [],
  settings: null,
  lines: [],
  lastSyncedAt: null,
};

const EMPTY_APP: AppFile = {
  session: null,
  history: [],
  pendingReports: [],
  pendingWrapUps: [],
  sipAccounts: [],
  lastEmergencyAt: null,
  blockedToday: { day: '', count: 0 },
};

const nullableString = { type: ['string', 'null'] } as const;

/**
 * Migrations of app.json. 1.0.0 wrote no `blockedToday` counter and could hold history entries
 * beyond the cap; 1.1.0 adds the counter and trims history.
 */
const appMigrations = {
  '1.1.0': (store: Conf<AppFile>) => {
    if (store.get('blockedToday') === undefined) store.set('blockedToday', { day: '', count: 0 });
    const history = store.get('history');
    if (Array.isArray(history) && history.length > MAX_HISTORY_ENTRIES) {
      store.set('history', history.slice(0, MAX_HISTORY_ENTRIES));
    }
  },
};

/** Keeps the entries that still match their schema; drops (and counts) the rest. */
function keepValid<T>(schema: z.ZodType<T>, values: unknown, onDropped: (count: number) => void): T[] {
  if (!Array.isArray(values)) return [];
  const kept: T[] = [];
  for (const value of values) {
    const parsed = schema.safeParse(value);
    if (parsed.success) kept.push(parsed.data);
  }
  if (kept.length !== values.length) onDropped(values.length - kept.length);
  return kept;
}

export interface LocalStoreOptions {
  /** The directory holding the store files (Electron: app.getPath('userData'); browser host: --data-dir). */
  dir: string;
  log?: (message: string) => void;
  /** The shortest pause between two writes of blocklist.json (default 1000 ms). */
  blocklistWriteIntervalMs?: number;
  /** Called after each completed write of blocklist.json (diagnostics and tests). */
  onBlocklistWritten?: (written: CachedBlocklist) => void;
}

export const DEFAULT_BLOCKLIST_WRITE_INTERVAL_MS = 1000;
/** A write that takes long (a huge list) stretches the pause, so writing never dominates the process. */
const WRITE_COST_FACTOR = 4;
const MAX_BLOCKLIST_WRITE_INTERVAL_MS = 5000;

export class LocalStore {
  private readonly blocklistConf: Conf<BlocklistFile>;
  private readonly appConf: Conf<AppFile>;
  private blocklist: CachedBlocklist;
  private session: StoredSession | null;
  private readonly history: HistoryLog;
  private pendingReports: CallReport[];
  private pendingWrapUps: PendingWrapUp[];
  private sipAccounts: SipAccount[];
  private readonly log: (message: string) => void;
  private readonly writeIntervalMs: number;
  private readonly onBlocklistWritten: ((written: CachedBlocklist) => void) | undefined;
  /** Whether memory holds a list newer than the one on disk (or being written). */
  private blocklistDirty = false;
  private writeTimer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;
  private lastWriteStartedAt = Number.NEGATIVE_INFINITY;
  private lastWriteCostMs = 0;

  /** The folder of the store's files (other host services keep theirs beside them). */
  readonly dir: string;

  constructor(options: LocalStoreOptions) {
    this.dir = options.dir;
    const log = options.log ?? (() => {});
    this.log = log;
    this.writeIntervalMs = options.blocklistWriteIntervalMs ?? DEFAULT_BLOCKLIST_WRITE_INTERVAL_MS;
    this.onBlocklistWritten = options.onBlocklistWritten;
    // 0600: call history and the org's list are nobody else's business on a shared machine.
    const common = {
      cwd: options.dir,
      projectVersion: STORE_SCHEMA_VERSION,
      clearInvalidConfig: true,
      configFileMode: 0o600,
    } as const;
    this.blocklistConf = new Conf<BlocklistFile>({
      ...common,
      configName: 'blocklist',
      defaults: EMPTY_BLOCKLIST,
      schema: {
        serverUrl: nullableString,
        orgId: nullableString,
        revision: { type: 'integer', minimum: 0 },
        // Items are checked with the shared zod schemas on load: a JSON-schema pass over 100k rules on
        // every write would cost more than it protects.
        rules: { type: 'array' },
        settings: { type: ['object', 'null'] },
        lines: { type: 'array' },
        lastSyncedAt: nullableString,
      },
    });
    this.appConf = new Conf<AppFile>({
      ...common,
      configName: 'app',
      defaults: EMPTY_APP,
      migrations: appMigrations,
      schema: {
        session: { type: ['object', 'null'] },
        history: { type: 'array' },
        pendingReports: { type: 'array' },
        pendingWrapUps: { type: 'array' },
        sipAccounts: { type: 'array' },
        lastEmergencyAt: nullableString,
        blockedToday: {
          type: 'object',
          properties: { day: { type: 'string' }, count: { type: 'integer', minimum: 0 } },
          required: ['day', 'count'],
        },
      },
    });

    const dropped = (what: string) => (count: number) => log(`store: dropped ${count} unreadable ${what}`);
    const rawList = this.blocklistConf.store;
    const settings = orgSettingsSchema.safeParse(rawList.settings);
    this.blocklist = {
      serverUrl: rawList.serverUrl,
      orgId: rawList.orgId,
      revision: rawList.revision,
      rules: keepValid(ruleSchema, rawList.rules, dropped('rules')),
      settings: settings.success ? settings.data : null,
      lines: keepValid(lineSchema, rawList.lines, dropped('lines')),
      lastSyncedAt: isoDateTimeSchema.safeParse(rawList.lastSyncedAt).success ? rawList.lastSyncedAt : null,
    };
    const rawApp = this.appConf.store;
    const session = z.object({ serverUrl: z.string(), me: meResponseSchema }).safeParse(rawApp.session);
    this.session = session.success ? session.data : null;
    this.history = new HistoryLog({ dir: options.dir, maxEntries: MAX_HISTORY_ENTRIES, log });
    // Stores before history.jsonl kept the history inside app.json: move it over once.
    const olderHistory = keepValid(historyEntrySchema, rawApp.history, dropped('history entries'));
    if (olderHistory.length > 0) {
      if (this.history.list().length === 0) this.history.rewrite(olderHistory);
      this.appConf.set('history', []);
    }
    this.pendingReports = keepValid(callReportSchema, rawApp.pendingReports, dropped('call reports'));
    this.pendingWrapUps = keepValid(pendingWrapUpSchema, rawApp.pendingWrapUps, dropped('call wrap-ups'));
    this.sipAccounts = keepValid(sipAccountSchema, rawApp.sipAccounts, dropped('SIP accounts'));
  }

  /** Where the files live (for diagnostics and tests). */
  get paths(): { blocklist: string; app: string } {
    return { blocklist: this.blocklistConf.path, app: this.appConf.path };
  }

  getBlocklist(): CachedBlocklist {
    return this.blocklist;
  }

  /** The list as the renderer sees it; settings fall back to the defaults before the first sync. */
  getBlocklistState(): BlocklistState {
    const { revision, rules, settings, lines } = this.blocklist;
    return { revision, rules, settings: settings ?? defaultOrgSettings(), lines };
  }

  /** In force at once (memory); written to disk within about a second (see `flushBlocklist`). */
  saveBlocklist(next: CachedBlocklist): void {
    this.blocklist = next;
    this.blocklistDirty = true;
    this.scheduleBlocklistWrite();
  }

  /** Drops the list; on disk too before the returned promise settles (another org's list must not linger). */
  clearBlocklist(): Promise<void> {
    this.saveBlocklist({ ...EMPTY_BLOCKLIST, rules: [], lines: [], settings: null });
    return this.flushBlocklist();
  }

  /** Writes a pending list now (and waits for a write under way). Resolves once the disk is current. */
  async flushBlocklist(): Promise<void> {
    while (this.writing !== null || this.blocklistDirty) {
      if (this.writing !== null) await this.writing;
      else await this.startBlocklistWrite();
    }
  }

  /** Whether a newer list than the one on disk is waiting to be written. */
  hasPendingBlocklistWrite(): boolean {
    return this.blocklistDirty || this.writing !== null;
  }

  private scheduleBlocklistWrite(): void {
    if (this.writeTimer !== null || this.writing !== null) return; // the running write reschedules
    const interval = Math.min(
      MAX_BLOCKLIST_WRITE_INTERVAL_MS,
      Math.max(this.writeIntervalMs, this.lastWriteCostMs * WRITE_COST_FACTOR),
    );
    const wait = Math.max(0, this.lastWriteStartedAt + interval - performance.now());
    this.writeTimer = setTimeout(() => {
      this.writeTimer = null;
      if (this.blocklistDirty && this.writing === null) void this.startBlocklistWrite();
    }, wait);
  }

  private startBlocklistWrite(): Promise<void> {
    if (this.writeTimer !== null) {
      clearTimeout(this.writeTimer);
      this.writeTimer = null;
    }
    const snapshot = this.blocklist;
    this.blocklistDirty = false;
    this.lastWriteStartedAt = performance.now();
    const written = this.writeBlocklistFile(snapshot)
      .then(
        () => this.onBlocklistWritten?.(snapshot),
        (error: unknown) => {
          this.log(`store: could not write ${this.blocklistConf.path}: ${String(error)}`);
        },
      )
      .finally(() => {
        this.writing = null;
        if (this.blocklistDirty) this.scheduleBlocklistWrite();
      });
    this.writing = written;
    return written;
  }

  /** One consistent snapshot, serialized at once, then written beside the file and renamed over it. */
  private async writeBlocklistFile(snapshot: CachedBlocklist): Promise<void> {
    const serializeStarted = performance.now();
    const file: BlocklistFile = { ...snapshot };
    const data = JSON.stringify(file);
    this.lastWriteCostMs = performance.now() - serializeStarted;
    const target = this.blocklistConf.path;
    const temporary = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    await mkdir(path.dirname(target), { recursive: true });
    try {
      await writeFile(temporary, data, { mode: 0o600 });
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  getSession(): StoredSession | null {
    return this.session;
  }

  setSession(session: StoredSession | null): void {
    this.session = session;
    this.appConf.set('session', session);
  }

  getHistory(): HistoryEntry[] {
    return this.history.list();
  }

  /** Newest first, bounded: the oldest entries fall off. Re-adding an id replaces the entry. One line appended. */
  addHistoryEntry(entry: HistoryEntry): void {
    this.history.add(entry);
  }

  clearHistory(): void {
    this.history.clear();
  }

  getPendingReports(): CallReport[] {
    return this.pendingReports;
  }

  setPendingReports(reports: CallReport[]): void {
    this.pendingReports = reports.slice(-MAX_PENDING_REPORTS);
    this.appConf.set('pendingReports', this.pendingReports);
  }

  /** Wrap-ups waiting for the server (SPEC §10.11), oldest first; one per report id. */
  getPendingWrapUps(): PendingWrapUp[] {
    return this.pendingWrapUps;
  }

  setPendingWrapUps(wrapUps: PendingWrapUp[]): void {
    this.pendingWrapUps = wrapUps.slice(-MAX_PENDING_REPORTS);
    this.appConf.set('pendingWrapUps', this.pendingWrapUps);
  }

  getSipAccounts(): SipAccount[] {
    return this.sipAccounts;
  }

  saveSipAccount(account: SipAccount): void {
    const others = this.sipAccounts.filter((existing) => existing.id !== account.id);
    const index = this.sipAccounts.findIndex((existing) => existing.id === account.id);
    this.sipAccounts =
      index === -1 ? [...others, account] : this.sipAccounts.map((a) => (a.id === account.id ? account : a));
    this.appConf.set('sipAccounts', this.sipAccounts);
  }

  removeSipAccount(accountId: string): void {
    this.sipAccounts = this.sipAccounts.filter((existing) => existing.id !== accountId);
    this.appConf.set('sipAccounts', this.sipAccounts);
  }

  getLastEmergencyAt(): string | null {
    return this.appConf.get('lastEmergencyAt');
  }

  setLastEmergencyAt(at: string): void {
    this.appConf.set('lastEmergencyAt', at);
  }

  /** Counts inbound calls blocked on `day` (YYYY-MM-DD, local); resets when the day changes. */
  countBlockedCall(day: string): number {
    const current = this.appConf.get('blockedToday');
    const count = current.day === day ? current.count + 1 : 1;
    this.appConf.set('blockedToday', { day, count });
    return count;
  }

  blockedCallsOn(day: string): number {
    const current = this.appConf.get('blockedToday');
    return current.day === day ? current.count : 0;
  }
}

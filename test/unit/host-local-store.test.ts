/** The local store (conf), its migration, and the secret stores. */
import {
  appendFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backoffDelay } from '../../host/backoff';
import {
  createEncryptedSecretStore,
  createUnencryptedFileSecretStore,
  SecretStorageUnavailableError,
  UNENCRYPTED_SECRETS_FILE,
  type StringCipher,
} from '../../host/secrets';
import { HISTORY_FILE, HistoryLog } from '../../host/history-log';
import { LocalStore, MAX_HISTORY_ENTRIES } from '../../host/local-store';
import type { HistoryEntry } from '../../shared/contracts/ipc';
import type { Rule } from '../../shared/rules';
import { defaultOrgSettings } from '../../shared/settings';

const rule = (id: string, number: string): Rule => ({
  id,
  kind: 'block',
  number,
  scope: 'all',
  reason: 'test',
  expiresAt: null,
  source: 'manual',
  createdBy: 'u1',
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  hitCount: 0,
  lastHitAt: null,
});
const entry = (id: string): HistoryEntry => ({
  id,
  direction: 'inbound',
  number: '+12125551234',
  display: '+1 212 555 1234',
  line: '+12125550100',
  startedAt: '2026-01-01T00:00:00Z',
  durationSeconds: 3,
  result: 'answered',
  blockedReason: null,
  verification: null,
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'blockline-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('LocalStore', () => {
  it('keeps the list, settings, revision and lines across a restart', async () => {
    const first = new LocalStore({ dir });
    first.saveBlocklist({
      serverUrl: 'https://org.example',
      orgId: 'org1',
      revision: 7,
      rules: [rule('r1', '+12125551234'), rule('r2', '+1900*')],
      settings: { ...defaultOrgSettings(), blockAnonymous: true },
      lines: [{ number: '+12125550100', label: 'Sales', announcementMode: 'early-media' }],
      lastSyncedAt: '2026-01-01T00:00:00.000Z',
    });
    await first.flushBlocklist();
    const second = new LocalStore({ dir });
    expect(second.getBlocklistState()).toMatchObject({ revision: 7, settings: { blockAnonymous: true } });
    expect(second.getBlocklist().rules.map((r) => r.id)).toEqual(['r1', 'r2']);
    expect(second.getBlocklist()).toMatchObject({ orgId: 'org1', lastSyncedAt: '2026-01-01T00:00:00.000Z' });
  });

  it('before any sync: an empty list with the default settings', () => {
    expect(new LocalStore({ dir }).getBlocklistState()).toEqual({
      revision: 0,
      rules: [],
      settings: defaultOrgSettings(),
      lines: [],
    });
  });

  it('drops damaged entries on load and keeps the rest', async () => {
    const logs: string[] = [];
    const writer = new LocalStore({ dir });
    writer.saveBlocklist({
      serverUrl: null,
      orgId: null,
      revision: 2,
      rules: [rule('good', '+12125551234')],
      settings: null,
      lines: [],
      lastSyncedAt: null,
    });
    await writer.flushBlocklist();
    const file = path.join(dir, 'blocklist.json');
    const raw = JSON.parse(readFileSync(file, 'utf8'));
    raw.rules.push({ id: 'bad', number: 'not a number' });
    writeFileSync(file, JSON.stringify(raw));
    const reloaded = new LocalStore({ dir, log: (message) => logs.push(message) });
    expect(reloaded.getBlocklist().rules.map((r) => r.id)).toEqual(['good']);
    expect(logs).toEqual(['store: dropped 1 unreadable rules']);
  });

  it('coalesces a burst of saves into a few whole, consistent writes; memory is current at once', async () => {
    const written: Array<{ revision: number; ruleCount: number }> = [];
    const store = new LocalStore({
      dir,
      blocklistWriteIntervalMs: 100,
      onBlocklistWritten: (list) => written.push({ revision: list.revision, ruleCount: list.rules.length }),
    });
    const rules: Rule[] = [];
    const started = Date.now();
    for (let revision = 1; revision <= 300; revision++) {
      rules.push(rule(`r${revision}`, `+1212555${String(1000 + revision)}`));
      store.saveBlocklist({
        serverUrl: null,
        orgId: null,
        revision,
        rules: [...rules],
        settings: null,
        lines: [],
        lastSyncedAt: null,
      });
      expect(store.getBlocklist().revision).toBe(revision);
      if (revision % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const burstMs = Date.now() - started;
    expect(store.hasPendingBlocklistWrite()).toBe(true);
    await store.flushBlocklist();
    expect(store.hasPendingBlocklistWrite()).toBe(false);
    // One write per interval at most (plus the final flush), never one per save.
    expect(written.length).toBeGreaterThanOrEqual(1);
    expect(written.length).toBeLessThanOrEqual(Math.ceil(burstMs / 100) + 2);
    for (const snapshot of written) expect(snapshot.ruleCount).toBe(snapshot.revision);
    expect(written.at(-1)).toEqual({ revision: 300, ruleCount: 300 });
    const onDisk = JSON.parse(readFileSync(path.join(dir, 'blocklist.json'), 'utf8'));
    expect(onDisk.revision).toBe(300);
    expect(onDisk.rules).toHaveLength(300);
    expect(statSync(path.join(dir, 'blocklist.json')).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(new LocalStore({ dir }).getBlocklist().rules).toHaveLength(300);
  });

  it('writes nothing until the interval has passed, then the latest list', async () => {
    const written: number[] = [];
    const store = new LocalStore({
      dir,
      blocklistWriteIntervalMs: 200,
      onBlocklistWritten: (list) => written.push(list.revision),
    });
    const list = (revision: number) => ({
      serverUrl: null,
      orgId: null,
      revision,
      rules: [],
      settings: null,
      lines: [],
      lastSyncedAt: null,
    });
    store.saveBlocklist(list(1));
    await new Promise((resolve) => setTimeout(resolve, 50));
    store.saveBlocklist(list(2));
    // The first write may start at once (a quiet store); the second must wait for the interval.
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(written.filter((revision) => revision === 2)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(written.at(-1)).toBe(2);
    expect(written.length).toBeLessThanOrEqual(2);
  });

  it('clearing the list reaches the disk before it resolves', async () => {
    const store = new LocalStore({ dir });
    store.saveBlocklist({
      serverUrl: 'https://org.example',
      orgId: 'org1',
      revision: 3,
      rules: [rule('r1', '+12125551234')],
      settings: null,
      lines: [],
      lastSyncedAt: null,
    });
    await store.clearBlocklist();
    const onDisk = JSON.parse(readFileSync(path.join(dir, 'blocklist.json'), 'utf8'));
    expect(onDisk).toMatchObject({ revision: 0, rules: [], orgId: null });
  });

  it('starts empty, not crashed, from a file that is not JSON', () => {
    writeFileSync(path.join(dir, 'blocklist.json'), '{ this is not json');
    expect(new LocalStore({ dir }).getBlocklist().rules).toEqual([]);
  });

  it('bounds the call history, newest first', () => {
    new LocalStore({ dir }); // creates app.json at the current schema version
    const file = path.join(dir, 'app.json');
    const raw = JSON.parse(readFileSync(file, 'utf8'));
    raw.history = Array.from({ length: MAX_HISTORY_ENTRIES }, (_, i) =>
      entry(`h${MAX_HISTORY_ENTRIES - 1 - i}`),
    );
    writeFileSync(file, JSON.stringify(raw));
    const store = new LocalStore({ dir });
    for (let i = MAX_HISTORY_ENTRIES; i < MAX_HISTORY_ENTRIES + 3; i++) store.addHistoryEntry(entry(`h${i}`));
    const history = new LocalStore({ dir }).getHistory();
    expect(history).toHaveLength(MAX_HISTORY_ENTRIES);
    expect(history.slice(0, 4).map((h) => h.id)).toEqual([
      `h${MAX_HISTORY_ENTRIES + 2}`,
      `h${MAX_HISTORY_ENTRIES + 1}`,
      `h${MAX_HISTORY_ENTRIES}`,
      `h${MAX_HISTORY_ENTRIES - 1}`,
    ]);
    expect(history.at(-1)?.id).toBe('h3');
  });

  it('migrates a 1.0.0 app file: adds the blocked-today counter and trims history', () => {
    const old = {
      session: null,
      history: Array.from({ length: MAX_HISTORY_ENTRIES + 10 }, (_, i) => entry(`old${i}`)),
      pendingReports: [],
      sipAccounts: [],
      lastEmergencyAt: '2026-01-01T00:00:00Z',
      __internal__: { migrations: { version: '1.0.0' } },
    };
    writeFileSync(path.join(dir, 'app.json'), JSON.stringify(old));
    const store = new LocalStore({ dir });
    expect(store.getHistory()).toHaveLength(MAX_HISTORY_ENTRIES);
    expect(store.blockedCallsOn('2026-01-01')).toBe(0);
    expect(store.countBlockedCall('2026-01-01')).toBe(1);
    expect(store.getLastEmergencyAt()).toBe('2026-01-01T00:00:00Z');
    const raw = JSON.parse(readFileSync(path.join(dir, 'app.json'), 'utf8'));
    expect(raw.__internal__.migrations.version).toBe('1.1.0');
  });

  it('counts blocked calls per day and resets on a new day', () => {
    const store = new LocalStore({ dir });
    store.countBlockedCall('2026-01-01');
    store.countBlockedCall('2026-01-01');
    expect(store.blockedCallsOn('2026-01-01')).toBe(2);
    expect(store.countBlockedCall('2026-01-02')).toBe(1);
    expect(store.blockedCallsOn('2026-01-01')).toBe(0);
  });
});

describe('secret stores', () => {
  // A stand-in for safeStorage: reversible, and visibly not plain text.
  const cipher = (available = true): StringCipher => ({
    isEncryptionAvailable: () => available,
    encryptString: (plain) => Buffer.from(`enc:${Buffer.from(plain).toString('hex')}`),
    decryptString: (encrypted) => Buffer.from(encrypted.toString().replace(/^enc:/, ''), 'hex').toString(),
  });

  it('the encrypted store writes only ciphertext and reads it back', () => {
    const secrets = createEncryptedSecretStore({ dir, cipher: cipher() });
    secrets.set('server-token', 'super-secret-token');
    expect(secrets.get('server-token')).toBe('super-secret-token');
    expect(readFileSync(path.join(dir, 'secrets.json'), 'utf8')).not.toContain('super-secret-token');
    expect(createEncryptedSecretStore({ dir, cipher: cipher() }).get('server-token')).toBe(
      'super-secret-token',
    );
    secrets.delete('server-token');
    expect(secrets.get('server-token')).toBeNull();
    expect(secrets.encrypted).toBe(true);
  });

  it('refuses to store a secret when the OS has no encryption, rather than writing plain text', () => {
    const secrets = createEncryptedSecretStore({ dir, cipher: cipher(false) });
    expect(() => secrets.set('server-token', 'super-secret-token')).toThrow(SecretStorageUnavailableError);
  });

  it('the browser-host fallback is labelled unencrypted and readable by the owner only', () => {
    const secrets = createUnencryptedFileSecretStore({ dir });
    secrets.set('sip-password:a1', 'pw');
    expect(path.basename(secrets.file)).toBe(UNENCRYPTED_SECRETS_FILE);
    expect(secrets.encrypted).toBe(false);
    expect(statSync(secrets.file).mode & 0o777).toBe(0o600);
    expect(createUnencryptedFileSecretStore({ dir }).get('sip-password:a1')).toBe('pw');
    secrets.delete('sip-password:a1');
    expect(secrets.get('sip-password:a1')).toBeNull();
  });
});

describe('backoffDelay', () => {
  const options = { baseMs: 500, capMs: 30_000 };
  it('grows exponentially, is capped, and never zero', () => {
    expect(backoffDelay(0, () => 0, options)).toBe(250);
    expect(backoffDelay(0, () => 0.999999, options)).toBe(500);
    expect(backoffDelay(3, () => 0.999999, options)).toBe(4000);
    expect(backoffDelay(50, () => 0.999999, options)).toBe(30_000);
    expect(backoffDelay(50, () => 0, options)).toBe(250);
  });
  it('spreads reconnects: different random draws give different delays', () => {
    const delays = new Set([0.1, 0.3, 0.5, 0.7, 0.9].map((r) => backoffDelay(4, () => r, options)));
    expect(delays.size).toBe(5);
  });
});

describe('call history on disk (SPEC §10.10: one call appends, it does not rewrite)', () => {
  const at = (id: string, startedAt: string): HistoryEntry => ({ ...entry(id), startedAt });

  it('appends one line per call; app.json is not rewritten for it', () => {
    const store = new LocalStore({ dir });
    store.addHistoryEntry(at('a', '2026-01-01T09:00:00Z'));
    const appBefore = readFileSync(path.join(dir, 'app.json'), 'utf8');
    const logBefore = readFileSync(path.join(dir, HISTORY_FILE), 'utf8');
    store.addHistoryEntry(at('b', '2026-01-01T10:00:00Z'));
    const logAfter = readFileSync(path.join(dir, HISTORY_FILE), 'utf8');
    // The earlier bytes are untouched: the new call is one more line at the end.
    expect(logAfter.startsWith(logBefore)).toBe(true);
    expect(logAfter.slice(logBefore.length).trim().split('\n')).toHaveLength(1);
    expect(readFileSync(path.join(dir, 'app.json'), 'utf8')).toBe(appBefore);
    expect(new LocalStore({ dir }).getHistory().map((h) => h.id)).toEqual(['b', 'a']);
  });

  it('a re-added id replaces the entry; a torn last line costs that line only', () => {
    const store = new LocalStore({ dir });
    store.addHistoryEntry(at('a', '2026-01-01T09:00:00Z'));
    store.addHistoryEntry({ ...at('a', '2026-01-01T09:00:00Z'), durationSeconds: 42 });
    appendFileSync(path.join(dir, HISTORY_FILE), '{"id":"torn","direc');
    const logs: string[] = [];
    const reloaded = new LocalStore({ dir, log: (message) => logs.push(message) }).getHistory();
    expect(reloaded).toEqual([{ ...at('a', '2026-01-01T09:00:00Z'), durationSeconds: 42 }]);
    expect(logs).toContain('store: dropped 1 unreadable history lines');
  });

  it('keeps 10,000 entries, newest first, across a restart', () => {
    const store = new LocalStore({ dir });
    const base = Date.parse('2026-01-01T00:00:00Z');
    for (let i = 0; i < MAX_HISTORY_ENTRIES + 5; i++)
      store.addHistoryEntry(at(`c${i}`, new Date(base + i * 1000).toISOString()));
    const history = new LocalStore({ dir }).getHistory();
    expect(history).toHaveLength(MAX_HISTORY_ENTRIES);
    expect(history[0]?.id).toBe(`c${MAX_HISTORY_ENTRIES + 4}`);
    expect(history.at(-1)?.id).toBe('c5');
  }, 60_000);

  it('compacts the file only when it holds twice the entries kept', () => {
    const log = new HistoryLog({ dir, maxEntries: 50 });
    const base = Date.parse('2026-01-01T00:00:00Z');
    const lineCount = () => readFileSync(log.file, 'utf8').trim().split('\n').length;
    for (let i = 0; i < 100; i++) log.add(at(`k${i}`, new Date(base + i * 1000).toISOString()));
    expect(lineCount()).toBe(100);
    log.add(at('k100', new Date(base + 100_000).toISOString()));
    expect(lineCount()).toBe(50);
    expect(new HistoryLog({ dir, maxEntries: 50 }).list().map((h) => h.id)).toEqual(
      Array.from({ length: 50 }, (_, i) => `k${100 - i}`),
    );
  });

  it('clears the file, and moves an older store’s history out of app.json once', () => {
    new LocalStore({ dir });
    const file = path.join(dir, 'app.json');
    const raw = JSON.parse(readFileSync(file, 'utf8'));
    raw.history = [at('old', '2026-01-01T08:00:00Z')];
    writeFileSync(file, JSON.stringify(raw));
    const store = new LocalStore({ dir });
    expect(store.getHistory().map((h) => h.id)).toEqual(['old']);
    expect(JSON.parse(readFileSync(file, 'utf8')).history).toEqual([]);
    store.clearHistory();
    expect(new LocalStore({ dir }).getHistory()).toEqual([]);
    expect(statSync(path.join(dir, HISTORY_FILE)).mode & 0o777).toBe(0o600);
  });
});

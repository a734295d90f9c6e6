/**
 * Sync-client behaviour that a real server does not produce on demand: a revision gap or an
 * unreadable change in the stream triggers a resync from the log; a 410 on the stream leads to a
 * snapshot. A scripted fetch plays the server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Change } from '../../shared/contracts/api';
import type { Rule } from '../../shared/rules';
import { defaultOrgSettings } from '../../shared/settings';
import { createMemorySecretStore, SERVER_TOKEN_KEY } from '../../host/secrets';
import { BULK_WRITE_TIMEOUT_MS, createMainServices } from '../../host/services';
import { LocalStore } from '../../host/local-store';
import { SyncClient } from '../../host/sync-client';

const at = '2026-01-10T12:00:00.000Z';
const rule = (n: number): Rule => ({
  id: `r${n}`,
  kind: 'block',
  number: `+1212555${String(1000 + n)}`,
  scope: 'all',
  reason: `rule ${n}`,
  expiresAt: null,
  source: 'manual',
  createdBy: 'u1',
  createdAt: at,
  updatedAt: at,
  hitCount: 0,
  lastHitAt: null,
});
const upsert = (revision: number): Change => ({ revision, at, type: 'rule_upserted', rule: rule(revision) });
const sseEvent = (change: Change) =>
  `id: ${change.revision}\nevent: change\ndata: ${JSON.stringify(change)}\n\n`;

/** A scripted org server: a change log, and event streams the test writes into. */
class FakeServer {
  log: Change[] = [];
  requests: Array<{ url: string; lastEventId: string | null }> = [];
  streams: Array<ReadableStreamDefaultController<Uint8Array>> = [];
  eventsStatus = 200;
  changesStatus = 200;

  fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    const headers = new Headers(init?.headers);
    this.requests.push({ url: url.pathname + url.search, lastEventId: headers.get('last-event-id') });
    const json = (body: unknown, status = 200) =>
      new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    const revision = this.log.at(-1)?.revision ?? 0;
    switch (url.pathname) {
      case '/v1/sync/changes': {
        if (this.changesStatus === 410)
          return json({ error: { code: 'snapshot_required', message: 'take a snapshot' } }, 410);
        const since = Number(url.searchParams.get('since'));
        return json({ revision, changes: this.log.filter((change) => change.revision > since) });
      }
      case '/v1/sync/snapshot':
        return json({
          revision,
          rules: this.log.flatMap((change) => (change.type === 'rule_upserted' ? [change.rule] : [])),
          settings: defaultOrgSettings(),
          lines: [],
        });
      case '/v1/events': {
        if (this.eventsStatus !== 200) {
          const status = this.eventsStatus;
          this.eventsStatus = 200;
          return json({ error: { code: 'snapshot_required', message: 'cannot resume' } }, status);
        }
        const body = new ReadableStream<Uint8Array>({
          start: (controller) => void this.streams.push(controller),
        });
        return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
      }
      default:
        return json({ error: { code: 'not_found', message: url.pathname } }, 404);
    }
  };

  push(text: string): void {
    const stream = this.streams.at(-1);
    if (stream === undefined) throw new Error('no open stream');
    stream.enqueue(new TextEncoder().encode(text));
  }
}

async function until(what: string, probe: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('SyncClient with a scripted server', () => {
  let dir: string;
  let server: FakeServer;
  let client: SyncClient;
  let applied: number[];
  let logs: string[];

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'blockline-syncunit-'));
    server = new FakeServer();
    server.log = [upsert(1)];
    const store = new LocalStore({ dir });
    store.setSession({
      serverUrl: 'https://org.example',
      me: {
        user: { id: 'u1', name: 'Agent', role: 'agent' },
        org: { id: 'o1', name: 'Org', defaultCountry: 'US', timeZone: 'America/New_York' },
        canManage: false,
      },
    });
    const secrets = createMemorySecretStore();
    secrets.set(SERVER_TOKEN_KEY, 'token-0123456789');
    applied = [];
    logs = [];
    client = new SyncClient({
      store,
      secrets,
      fetch: server.fetch,
      now: () => new Date(at),
      random: () => 0,
      backoff: { baseMs: 10, capMs: 50 },
      onState: () => undefined,
      onBlocklist: () => undefined,
      onChangeApplied: (change) => applied.push(change.revision),
      log: (message) => logs.push(message),
    });
  });

  afterEach(async () => {
    await client.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('resyncs from the log when the stream skips a revision, then resumes after it', async () => {
    client.start();
    await until('online', () => client.isOnline());
    server.log.push(upsert(2));
    server.push(sseEvent(upsert(2)));
    await until('revision 2', () => applied.includes(2));
    server.log.push(upsert(3), upsert(4));
    server.push(sseEvent(upsert(4))); // 3 never arrives on this stream
    await until('revision 4', () => applied.includes(4));
    expect(applied).toEqual([1, 2, 3, 4]);
    expect(logs.some((line) => /revision gap: expected 3, received 4/.test(line))).toBe(true);
    expect(server.requests.map((r) => r.url)).toContain('/v1/sync/changes?since=2');
    await until('stream resumed', () => server.requests.filter((r) => r.url === '/v1/events').length === 2);
    expect(server.requests.filter((r) => r.url === '/v1/events').map((r) => r.lastEventId)).toEqual([
      '1',
      '4',
    ]);
    expect(client.getBlocklistState().rules.map((r) => r.id)).toEqual(['r1', 'r2', 'r3', 'r4']);
  });

  it('ignores a replayed change and resyncs on an unreadable one', async () => {
    client.start();
    await until('online', () => client.isOnline());
    server.push(sseEvent(upsert(1))); // already applied: ignored
    server.log.push(upsert(2));
    server.push('id: 2\nevent: change\ndata: {"not":"a change"}\n\n');
    await until('revision 2 from the log', () => applied.includes(2));
    expect(applied).toEqual([1, 2]);
    expect(logs.some((line) => line.includes('unreadable change event 2'))).toBe(true);
  });

  it('takes a snapshot when changes answer 410, and when the stream cannot resume', async () => {
    server.changesStatus = 410;
    client.start();
    await until('online', () => client.isOnline());
    expect(logs.filter((line) => line.includes('snapshot at revision 1'))).toHaveLength(1);
    expect(applied).toEqual([]); // a snapshot replaces; it applies no single change
    expect(client.getBlocklistState().rules.map((r) => r.id)).toEqual(['r1']);
    await client.stop();

    server.changesStatus = 200;
    server.eventsStatus = 410;
    logs.length = 0;
    client.start();
    await until('online again', () => client.isOnline());
    expect(logs.some((line) => line.includes('cannot resume'))).toBe(true);
    expect(logs.some((line) => line.includes('snapshot at revision 1'))).toBe(true);
  });

  it('coalesces a burst of changes into a few announcements and disk writes, the last ones complete', async () => {
    const burstDir = mkdtempSync(path.join(tmpdir(), 'blockline-syncburst-'));
    const writes: Array<{ revision: number; ruleCount: number }> = [];
    const store = new LocalStore({
      dir: burstDir,
      blocklistWriteIntervalMs: 200,
      onBlocklistWritten: (list) => writes.push({ revision: list.revision, ruleCount: list.rules.length }),
    });
    store.setSession({
      serverUrl: 'https://org.example',
      me: {
        user: { id: 'u1', name: 'Agent', role: 'agent' },
        org: { id: 'o1', name: 'Org', defaultCountry: 'US', timeZone: 'America/New_York' },
        canManage: false,
      },
    });
    const secrets = createMemorySecretStore();
    secrets.set(SERVER_TOKEN_KEY, 'token-0123456789');
    const emitted: Array<{ at: number; revision: number; ruleCount: number }> = [];
    let held = new Map<string, Rule>();
    let heldRevision = 0;
    const deltaSizes: number[] = [];
    const burst = new SyncClient({
      store,
      secrets,
      fetch: server.fetch,
      now: () => new Date(at),
      random: () => 0,
      backoff: { baseMs: 10, capMs: 50 },
      emitIntervalMs: 100,
      onState: () => undefined,
      // Replays what the renderer is told (a whole list, then deltas) into the list it would hold.
      onBlocklist: (change) => {
        if (change.kind === 'full') {
          held = new Map(change.state.rules.map((rule) => [rule.id, rule]));
          heldRevision = change.state.revision;
        } else {
          const { delta } = change;
          expect(delta.fromRevision).toBeLessThanOrEqual(heldRevision);
          for (const id of delta.removed) held.delete(id);
          for (const rule of delta.upserted) held.set(rule.id, rule);
          heldRevision = delta.revision;
          deltaSizes.push(delta.upserted.length + delta.removed.length);
        }
        emitted.push({ at: Date.now(), revision: heldRevision, ruleCount: held.size });
      },
    });
    try {
      burst.start();
      await until('online', () => burst.isOnline());
      await new Promise((resolve) => setTimeout(resolve, 150)); // a quiet spell
      emitted.length = 0;
      writes.length = 0;

      // A lone change after a quiet spell is announced at once, not after the interval.
      const loneAt = Date.now();
      server.log.push(upsert(2));
      server.push(sseEvent(upsert(2)));
      await until('revision 2 announced', () => emitted.some((e) => e.revision === 2));
      expect((emitted.at(-1)?.at ?? Number.POSITIVE_INFINITY) - loneAt).toBeLessThan(80);
      await new Promise((resolve) => setTimeout(resolve, 150));

      // A burst: 2,000 changes in 40 SSE chunks of 50, 15 ms apart (~600 ms).
      emitted.length = 0;
      writes.length = 0;
      const burstStarted = Date.now();
      let revision = 2;
      for (let chunk = 0; chunk < 40; chunk++) {
        let text = '';
        for (let i = 0; i < 50; i++) {
          const change = upsert(++revision);
          server.log.push(change);
          text += sseEvent(change);
        }
        server.push(text);
        await new Promise((resolve) => setTimeout(resolve, 15));
        // In force at once, whatever has been announced or written so far.
        await until(
          `revision ${revision} applied`,
          () => burst.getState().status === 'synced' && burst.getBlocklistState().revision === revision,
        );
      }
      const last = revision;
      await until('last change announced', () => emitted.at(-1)?.revision === last);
      const burstMs = Date.now() - burstStarted;
      expect(emitted.length).toBeLessThanOrEqual(Math.ceil(burstMs / 100) + 2);
      expect(emitted.length).toBeLessThan(40); // fewer announcements than chunks, let alone changes
      expect(emitted.at(-1)).toMatchObject({ revision: last, ruleCount: last });
      for (const event of emitted) expect(event.ruleCount).toBe(event.revision);
      // Only what changed travels: together the deltas of the burst carry each change once.
      expect(deltaSizes.slice(-emitted.length).reduce((sum, size) => sum + size, 0)).toBe(2000);

      await burst.stop(); // the final write happens on stop at the latest
      expect(writes.length).toBeLessThanOrEqual(Math.ceil(burstMs / 200) + 3);
      for (const write of writes) expect(write.ruleCount).toBe(write.revision);
      expect(writes.at(-1)).toMatchObject({ revision: last, ruleCount: last });
      const reloaded = new LocalStore({ dir: burstDir }).getBlocklist();
      expect(reloaded.revision).toBe(last);
      expect(reloaded.rules).toHaveLength(last);
    } finally {
      await burst.stop();
      rmSync(burstDir, { recursive: true, force: true });
    }
  });

  it('gives a bulk create its own timeout (default 120 s, not the 15 s of other calls)', async () => {
    expect(BULK_WRITE_TIMEOUT_MS).toBeGreaterThanOrEqual(60_000); // a 500-rule chunk under load
    const servicesDir = mkdtempSync(path.join(tmpdir(), 'blockline-services-'));
    const slowMs = 300;
    const slowFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      if (init?.method !== 'POST') return server.fetch(input, init);
      // A slow server that honours the caller's timeout.
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, slowMs);
        init.signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(init.signal?.reason);
        });
      });
      return new Response(JSON.stringify({ results: [] }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    };
    const start = async (bulkWriteTimeoutMs: number) => {
      const store = new LocalStore({ dir: servicesDir });
      store.setSession({
        serverUrl: 'https://org.example',
        me: {
          user: { id: 'u1', name: 'Lead', role: 'lead' },
          org: { id: 'o1', name: 'Org', defaultCountry: 'US', timeZone: 'America/New_York' },
          canManage: true,
        },
      });
      const secrets = createMemorySecretStore();
      secrets.set(SERVER_TOKEN_KEY, 'token-0123456789');
      const services = createMainServices({
        store,
        secrets,
        fetch: slowFetch,
        now: () => new Date(at),
        random: () => 0,
        appInfo: {
          host: 'browser',
          version: '0.0.0',
          capabilities: {
            tray: false,
            nativeNotifications: false,
            osKeychain: false,
            protocolHandlers: false,
          },
        },
        bulkWriteTimeoutMs,
      });
      services.start();
      await until('online', () => services.sync.isOnline());
      return services;
    };
    const request = { entries: [{ number: '+12125551234', reason: 'x' }], source: 'import' as const };
    const patient = await start(5_000);
    try {
      expect(await patient.invoke('rules:bulkCreate', request)).toEqual({ ok: true, value: { results: [] } });
    } finally {
      await patient.stop();
    }
    const hasty = await start(50);
    try {
      expect(await hasty.invoke('rules:bulkCreate', request)).toMatchObject({ ok: false, code: 'network' });
    } finally {
      await hasty.stop();
      rmSync(servicesDir, { recursive: true, force: true });
    }
  });

  it('goes offline with the error and the age of the list when the server is unreachable', async () => {
    const failing = new SyncClient({
      store: new LocalStore({ dir }),
      secrets: (() => {
        const secrets = createMemorySecretStore();
        secrets.set(SERVER_TOKEN_KEY, 'token-0123456789');
        return secrets;
      })(),
      fetch: () => Promise.reject(new TypeError('fetch failed')),
      now: () => new Date(at),
      random: () => 0,
      backoff: { baseMs: 10, capMs: 50 },
      onState: () => undefined,
      onBlocklist: () => undefined,
    });
    failing.start();
    await until(
      'offline',
      () =>
        failing.getState().status === 'offline' &&
        JSON.stringify(failing.getState()).includes('fetch failed'),
    );
    expect(failing.getState()).toMatchObject({
      status: 'offline',
      revision: 0,
      ruleCount: 0,
      lastSyncedAt: null,
    });
    await failing.stop();
  });
});

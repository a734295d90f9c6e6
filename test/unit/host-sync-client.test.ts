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
import { LocalStore } from '../../host/store';
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

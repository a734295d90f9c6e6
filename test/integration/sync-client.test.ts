/**
 * The sync client and the call-report queue, through the main-process services, against the real org
 * server on SQLite (SPEC §5). Run inside a loopback-only network namespace (see .ci/run / README).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../server/app';
import { openDatabase, type Database } from '../../server/db/database';
import type { Announcements } from '../../shared/announcements';
import type { CallReport, Change } from '../../shared/contracts/api';
import {
  eventChannels,
  type BlocklistState,
  type EventChannel,
  type EventPayload,
} from '../../shared/contracts/ipc';
import { OrgApiClient } from '../../host/api-client';
import { createUnencryptedFileSecretStore } from '../../host/secrets';
import { createMainServices, type MainServices } from '../../host/services';
import { LocalStore } from '../../host/local-store';
import { toneWav } from '../helpers/server-announcements-suite';
import { call, listening, makeOrg, type TestOrg } from '../helpers/server-harness';

const FAST_BACKOFF = { baseMs: 50, capMs: 300 };

async function waitFor<T>(
  what: string,
  probe: () => T | undefined | null | false,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

interface Client {
  services: MainServices;
  applied: Change[];
  logs: string[];
  events: Array<{ channel: EventChannel; payload: unknown; at: number }>;
  /**
   * The list as a renderer holding the list at launch would have it after every `blocklist:changed`
   * so far (whole lists and deltas applied like the renderer's store does); throws on a gap.
   */
  listFromEvents(): BlocklistState;
}

/** One app "launch" on a data directory: a new store, secrets and services, like a process start. */
function launch(dataDir: string): Client {
  const store = new LocalStore({ dir: dataDir });
  const atLaunch = store.getBlocklistState();
  const applied: Change[] = [];
  const logs: string[] = [];
  const events: Client['events'] = [];
  const services = createMainServices({
    store,
    secrets: createUnencryptedFileSecretStore({ dir: dataDir }),
    fetch,
    now: () => new Date(),
    random: Math.random,
    appInfo: {
      host: 'browser',
      version: 'test',
      capabilities: { tray: false, nativeNotifications: false, osKeychain: false, protocolHandlers: false },
    },
    backoff: FAST_BACKOFF,
    reportRetryMs: 200,
    log: (message) => logs.push(message),
    onSyncChange: (change) => applied.push(change),
  });
  services.onAny(<C extends EventChannel>(channel: C, payload: EventPayload<C>) =>
    events.push({ channel, payload, at: Date.now() }),
  );
  return {
    services,
    applied,
    logs,
    events,
    listFromEvents() {
      let list = atLaunch;
      for (const event of events) {
        if (event.channel !== 'blocklist:changed') continue;
        const change = eventChannels['blocklist:changed'].parse(event.payload);
        if (change.kind === 'full') {
          list = change.state;
          continue;
        }
        const { delta } = change;
        if (list.revision >= delta.revision) continue;
        if (list.revision < delta.fromRevision)
          throw new Error(`gap: the list is at ${list.revision}, a delta starts at ${delta.fromRevision}`);
        const rules = new Map(list.rules.map((rule) => [rule.id, rule]));
        for (const id of delta.removed) rules.delete(id);
        for (const rule of delta.upserted) rules.set(rule.id, rule);
        list = {
          revision: delta.revision,
          rules: [...rules.values()],
          settings: delta.settings ?? list.settings,
          lines: delta.lines ?? list.lines,
        };
      }
      return list;
    },
  };
}

/** Runs the real admin command line in its own process, as an admin would. */
async function runAdminCli(databaseUrl: string, ...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'server/admin.ts', ...args],
    { env: { ...process.env, DATABASE_URL: databaseUrl } },
  );
  return stdout;
}

function sameList(a: BlocklistState, b: BlocklistState): boolean {
  const rules = (list: BlocklistState) =>
    JSON.stringify([...list.rules].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0)));
  return (
    a.revision === b.revision &&
    rules(a) === rules(b) &&
    JSON.stringify(a.settings) === JSON.stringify(b.settings)
  );
}

function report(id: string, number: string): CallReport {
  return {
    id,
    callId: `call-${id}`,
    direction: 'inbound',
    line: '+12125550100',
    number,
    anonymous: false,
    action: 'block',
    why: 'rule',
    ruleId: null,
    at: new Date().toISOString(),
  };
}

describe('sync client against the org server (SQLite)', () => {
  let workDir: string;
  let database: Database;
  let org: TestOrg;
  let app: FastifyInstance;
  let port: number;
  const clients: Client[] = [];

  const startServer = async (listenPort: number, changeRetention?: number) => {
    const server = await buildServer({
      db: database,
      rateLimit: false,
      sweepIntervalMs: false,
      heartbeatMs: 1000,
      ...(changeRetention === undefined ? {} : { changeRetention }),
    });
    await server.listen({ port: listenPort, host: '127.0.0.1' });
    return server;
  };
  const serverUrl = () => `http://127.0.0.1:${port}`;
  const addRule = async (server: FastifyInstance, number: string, reason = 'test') => {
    const reply = await call(server, 'POST', '/v1/blocked-numbers', org.tokens.lead, { number, reason });
    expect(reply.status, reply.text).toBe(201);
    return reply.body as { id: string };
  };
  const newClient = (name: string) => {
    const client = launch(path.join(workDir, name));
    clients.push(client);
    return client;
  };
  const signIn = async (client: Client, token = org.tokens.lead) => {
    const result = await client.services.invoke('session:signIn', { serverUrl: serverUrl(), token });
    expect(result.ok, JSON.stringify(result)).toBe(true);
    await waitFor('synced', () => client.services.sync.isOnline());
  };
  const serverSnapshot = async (server: FastifyInstance) => {
    const reply = await call(server, 'GET', '/v1/sync/snapshot', org.tokens.agent);
    return reply.body as { revision: number; rules: Array<{ id: string }> };
  };

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(tmpdir(), 'blockline-sync-'));
    database = await openDatabase(`sqlite:${path.join(workDir, 'server.sqlite')}`);
    org = await makeOrg(database);
    app = await startServer(0);
    port = Number(new URL(listening(app)).port);
  });

  afterAll(async () => {
    for (const client of clients) await client.services.stop();
    await app?.close();
    await database?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('signs in, takes the list, and receives a lead change through the API within 1 s', async () => {
    const agent = newClient('agent-a');
    await signIn(agent, org.tokens.agent);
    const started = Date.now();
    const rule = await addRule(app, '+12125550111', 'Spam');
    const arrived = await waitFor('the new rule', () =>
      agent.events.find(
        (event) => event.channel === 'blocklist:changed' && JSON.stringify(event.payload).includes(rule.id),
      ),
    );
    expect(arrived.at - started).toBeLessThan(1000);
    const list = await agent.services.invoke('blocklist:get', undefined);
    expect(list.rules.map((r) => r.number)).toEqual(['+12125550111']);
    const state = await agent.services.invoke('sync:state', undefined);
    expect(state).toMatchObject({ status: 'synced', ruleCount: 1, revision: list.revision });
  });

  it('receives a change the admin CLI (another process) wrote to the SQLite file within about a second', async () => {
    const agent = newClient('agent-cli');
    await signIn(agent, org.tokens.agent);
    const linesBefore = agent.services.sync.getBlocklistState().lines.length;
    const written = await runAdminCli(
      `sqlite:${path.join(workDir, 'server.sqlite')}`,
      'line',
      'add',
      '--org',
      org.id,
      '--number',
      '+12125550177',
      '--label',
      'Added from the CLI',
    );
    const doneAt = Date.now();
    const arrived = await waitFor('the CLI change', () =>
      agent.events.find(
        (event) =>
          event.channel === 'blocklist:changed' && JSON.stringify(event.payload).includes('+12125550177'),
      ),
    );
    expect(written).toContain('+12125550177');
    // The server looks for other writers once a second; the push itself takes milliseconds (the
    // bound leaves a second for a busy machine).
    expect(arrived.at - doneAt).toBeLessThan(2000);
    expect(agent.services.sync.getBlocklistState().lines).toHaveLength(linesBefore + 1);
  });

  it('enforces the cached list on an offline start, before anything else runs', async () => {
    const first = newClient('agent-offline');
    await signIn(first, org.tokens.agent);
    await waitFor(
      'the rule from the previous test',
      () => first.services.sync.getBlocklistState().rules.length === 1,
    );
    await first.services.stop();
    // The next launch points at a server that is gone.
    const deadUrl = 'http://127.0.0.1:9';
    const session = new LocalStore({ dir: path.join(workDir, 'agent-offline') });
    const stored = session.getSession();
    if (stored === null) throw new Error('no stored session');
    session.setSession({ ...stored, serverUrl: deadUrl });

    const relaunched = newClient('agent-offline');
    // Synchronously available at construction: nothing (no SIP line) can run before it.
    const list = relaunched.services.sync.getBlocklistState();
    expect(list.rules.map((r) => r.number)).toEqual(['+12125550111']);
    relaunched.services.start();
    const offline = await waitFor('offline state', () => {
      const state = relaunched.services.sync.getState();
      return state.status === 'offline' && state.error !== 'not connected yet' ? state : null;
    });
    expect(offline).toMatchObject({ status: 'offline', ruleCount: 1 });
    if (offline.status !== 'offline') throw new Error('unreachable');
    expect(offline.lastSyncedAt).not.toBeNull();
    expect(offline.error).toMatch(/Cannot reach the server/);
    // A lead write while offline is refused, not pretended.
    const write = await relaunched.services.invoke('rules:create', { number: '+12125550112', reason: 'x' });
    expect(write).toMatchObject({ ok: false, code: 'offline' });
    await relaunched.services.stop();
  });

  it('recovers from a server restart mid-stream with no gap, including changes made while it was down', async () => {
    const agent = newClient('agent-restart');
    await signIn(agent, org.tokens.agent);
    const before = agent.applied.length;
    await addRule(app, '+12125550121');
    await waitFor('rule before restart', () => agent.applied.length === before + 1);

    await app.close();
    await waitFor('the client notices', () => !agent.services.sync.isOnline());
    // Changes while the client's server is down, made through another instance on the same database.
    const other = await startServer(0);
    await addRule(other, '+12125550122');
    await addRule(other, '+12125550123');
    await other.close();
    app = await startServer(port);

    await waitFor(
      'catch-up after restart',
      () => agent.applied.length === before + 3 && agent.services.sync.isOnline(),
      10_000,
    );
    await addRule(app, '+12125550124');
    await waitFor('live change after restart', () => agent.applied.length === before + 4);

    const revisions = agent.applied.map((change) => change.revision);
    for (let i = 1; i < revisions.length; i++) expect(revisions[i]).toBe((revisions[i - 1] ?? 0) + 1);
    // Resumed from the log each time: no snapshot, no gap.
    expect(agent.logs.filter((line) => /snapshot at revision|gap/.test(line))).toEqual([]);
    const snapshot = await serverSnapshot(app);
    const local = agent.services.sync.getBlocklistState();
    expect(local.revision).toBe(snapshot.revision);
    expect(local.rules.map((r) => r.id).sort()).toEqual(snapshot.rules.map((r) => r.id).sort());
    // What the renderer was told (a whole list or deltas, across the reconnects) adds up to the same.
    await waitFor('the announcements to add up to the list', () => sameList(agent.listFromEvents(), local));
  });

  it('takes a snapshot when the server answers 410 (the log no longer reaches back)', async () => {
    await app.close();
    app = await startServer(port, 2);
    const agent = newClient('agent-410');
    await signIn(agent, org.tokens.agent);
    const revisionBefore = agent.services.sync.getBlocklistState().revision;
    await agent.services.stop();
    for (let i = 0; i < 12; i++) await addRule(app, `+121255502${String(i).padStart(2, '0')}`);
    agent.logs.length = 0;
    agent.services.start();
    await waitFor(
      'resynced',
      () =>
        agent.services.sync.isOnline() && agent.services.sync.getBlocklistState().revision > revisionBefore,
    );
    expect(agent.logs.some((line) => line.includes('snapshot at revision'))).toBe(true);
    const snapshot = await serverSnapshot(app);
    const local = agent.services.sync.getBlocklistState();
    expect(local.revision).toBe(snapshot.revision);
    expect(local.rules.map((r) => r.id).sort()).toEqual(snapshot.rules.map((r) => r.id).sort());
    // What the renderer was told (a whole list or deltas, across the reconnects) adds up to the same.
    await waitFor('the announcements to add up to the list', () => sameList(agent.listFromEvents(), local));
  });

  it('keeps call reports across a host restart and delivers them exactly once', async () => {
    const dir = 'agent-reports';
    const first = newClient(dir);
    await signIn(first, org.tokens.agent);
    await app.close();
    await waitFor('offline', () => !first.services.sync.isOnline());
    for (const id of ['report-0001', 'report-0002', 'report-0003']) {
      const queued = await first.services.invoke('calls:report', report(id, '+12125550111'));
      expect(queued.queued).toBeGreaterThan(0);
    }
    expect(first.services.reports.size()).toBe(3);
    await first.services.stop();

    // Restart the host: the queue comes back from disk.
    const second = newClient(dir);
    expect(second.services.reports.size()).toBe(3);
    app = await startServer(port);
    second.services.start();
    await waitFor('delivered', () => second.services.reports.size() === 0, 10_000);

    const stored = await sql<{ id: string }>`select id from call_reports where id like 'report-000%'`.execute(
      database.kysely,
    );
    expect(stored.rows.map((row) => row.id).sort()).toEqual(['report-0001', 'report-0002', 'report-0003']);
    // A resend (as after a lost acknowledgement) is recognised by id and counts nothing twice.
    const resend = await new OrgApiClient({
      serverUrl: serverUrl(),
      token: org.tokens.agent,
      fetch,
    }).postCallReports([report('report-0001', '+12125550111')]);
    expect(resend).toMatchObject({ ok: true, value: { accepted: 0, duplicates: 1 } });
  });

  it("returns the server's refusal for a write the user may not make", async () => {
    const agent = newClient('agent-forbidden');
    await signIn(agent, org.tokens.agent);
    const result = await agent.services.invoke('rules:create', {
      number: '+12125550199',
      reason: 'not mine to add',
    });
    expect(result).toMatchObject({ ok: false, code: 'forbidden' });
    const lead = newClient('lead-writes');
    await signIn(lead, org.tokens.lead);
    const created = await lead.services.invoke('rules:create', {
      number: '(212) 555-0198',
      reason: 'lead adds',
    });
    expect(created).toMatchObject({ ok: true, value: { number: '+12125550198' } });
    const duplicate = await lead.services.invoke('rules:create', { number: '+12125550198', reason: 'again' });
    expect(duplicate).toMatchObject({ ok: false, code: 'already_blocked' });
  });

  it('§12.5 an uploaded announcement reaches every app once, is kept for offline use, and a revert drops it', async () => {
    const lead = newClient('lead-announce');
    await signIn(lead, org.tokens.lead);
    const agentDir = path.join(workDir, 'agent-announce');
    const agent = newClient('agent-announce');
    await signIn(agent, org.tokens.agent);
    const refused = await agent.services.invoke('announcements:upload', {
      kind: 'inbound',
      contentType: 'audio/wav',
      audioBase64: toneWav({ seconds: 1 }).toString('base64'),
    });
    expect(refused).toMatchObject({ ok: false, code: 'forbidden' });

    const uploaded = await lead.services.invoke('announcements:upload', {
      kind: 'inbound',
      contentType: 'audio/wav',
      audioBase64: toneWav({ seconds: 1.5, amplitude: 0.02 }).toString('base64'),
    });
    expect(uploaded).toMatchObject({ ok: true, value: { durationMs: 1500 } });
    const version = uploaded.ok ? uploaded.value.version : '';
    // The agent's app downloads it once and tells the renderer.
    await waitFor('the clip on the agent', () =>
      agent.events.find(
        (event) =>
          event.channel === 'announcements:changed' &&
          (event.payload as Announcements).inbound?.version === version,
      ),
    );
    const served = await app.inject({
      method: 'GET',
      url: '/v1/announcements/inbound',
      headers: { authorization: `Bearer ${org.tokens.agent}` },
    });
    const kept = await agent.services.invoke('announcements:get', { kind: 'inbound' });
    expect(kept?.info.version).toBe(version);
    expect(Buffer.from(kept?.audioBase64 ?? '', 'base64').equals(served.rawPayload)).toBe(true);
    expect(await agent.services.invoke('announcements:get', { kind: 'outbound' })).toBeNull();
    const downloads = agent.logs.filter((line) => line.includes('is kept here'));
    expect(downloads).toHaveLength(1);

    // A restart that never reaches the server (sync not started: no request at all): the clip plays
    // from this computer.
    await agent.services.stop();
    const offline = launch(agentDir);
    expect(offline.services.sync.isOnline()).toBe(false);
    expect((await offline.services.invoke('announcements:state', undefined)).inbound?.version).toBe(version);
    const audio = await offline.services.invoke('announcements:get', { kind: 'inbound' });
    expect(Buffer.from(audio?.audioBase64 ?? '', 'base64').equals(served.rawPayload)).toBe(true);

    const again = launch(agentDir);
    clients.push(again);
    again.services.start();
    await waitFor('synced again', () => again.services.sync.isOnline());
    const reverted = await lead.services.invoke('announcements:revert', { kind: 'inbound' });
    expect(reverted).toEqual({ ok: true, value: null });
    await waitFor('back to the built-in clip', () =>
      again.events.find(
        (event) =>
          event.channel === 'announcements:changed' && (event.payload as Announcements).inbound === null,
      ),
    );
    expect(await again.services.invoke('announcements:get', { kind: 'inbound' })).toBeNull();
    // Nothing was downloaded twice, and the file went with the revert.
    expect(again.logs.filter((line) => line.includes('is kept here'))).toHaveLength(0);
    expect(readdirSync(path.join(agentDir, 'announcements')).filter((name) => name.endsWith('.wav'))).toEqual(
      [],
    );
  });
});

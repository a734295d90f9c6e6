/**
 * Org server benchmark: `npm run bench -- server [sqlite|pg]`. Prints `METRIC <name> <value> <unit>` lines
 * for SQLite and PostgreSQL (a throw-away cluster, when the Debian binaries are installed).
 *
 * The server runs as its own process (`server/main.ts`, as deployed); this process is the client side:
 * 1,000 SSE clients for propagation, HTTP requests for the rest. Re-runs itself inside a loopback-only
 * network namespace when started outside one, like the tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addLine, createOrg, createToken, createUser, standaloneStore } from '../server/admin-ops';
import { openDatabase } from '../server/db/database';
import { ruleToRow } from '../server/repository';
import type { Rule } from '../shared/rules';
import { postgresAvailable, startPostgres, type PostgresCluster } from '../test/helpers/postgres';
import { bareInsertSeconds, cliImportSeconds } from './cli-import';
import { ensureLoopbackNamespace, metric, percentile } from './lib';
import { benchStatsDialects } from './server-stats';
import { baselineScale, pgScale, sqliteScale } from './scale/scale';

ensureLoopbackNamespace(import.meta.url);

type DialectName = 'sqlite' | 'pg';

const SSE_CLIENTS = 1000;
const PROPAGATION_WRITES = 20;
const SNAPSHOT_RULES = 100_000;
const WRITE_SECONDS = 5;
const WRITE_CONCURRENCY = 16;

function median(values: readonly number[]): number {
  return percentile(values, 0.5);
}

let numberCounter = 0;
/** Distinct valid North American numbers: +1 212 NXX XXXX with NXX from 200. */
function nextNumber(): string {
  numberCounter += 1;
  const exchange = 200 + Math.floor(numberCounter / 10_000);
  return `+1212${exchange}${String(numberCounter % 10_000).padStart(4, '0')}`;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

interface HttpResult {
  status: number;
  body: Buffer;
  headers: http.IncomingHttpHeaders;
}

function request(
  base: URL,
  method: string,
  path: string,
  token: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        host: base.hostname,
        port: base.port,
        method,
        path,
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

async function startServerProcess(databaseUrl: string): Promise<{ child: ChildProcess; base: URL }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      RATE_LIMIT_WRITES_PER_MIN: '0',
      RATE_LIMIT_READS_PER_MIN: '0',
      RATE_LIMIT_REPORTS_PER_MIN: '0',
      RATE_LIMIT_AUTH_FAILURES_PER_MIN: '0',
      // The 1,000 propagation clients share one token: the per-token cap (8) is for agents' apps.
      MAX_STREAMS_PER_TOKEN: '100000',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = new URL(`http://127.0.0.1:${port}`);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      const ready = await new Promise<number>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path: '/readyz' }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          })
          .on('error', reject);
      });
      if (ready === 200) return { child, base };
    } catch {
      // Not up yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error('the server did not start');
}

interface Org {
  id: string;
  token: string;
}

async function seed(
  databaseUrl: string,
): Promise<{ big: Org; propagation: Org; changes: Org; bulk: Org; writes: Org }> {
  const database = await openDatabase(databaseUrl);
  const store = standaloneStore(database);
  const makeOrg = async (name: string): Promise<Org> => {
    const { id } = await createOrg(store, { name, country: 'US', timeZone: 'America/New_York' });
    const user = await createUser(store, { orgId: id, name: `${name} lead`, role: 'lead' });
    await addLine(store, { orgId: id, number: '+12125550100', label: 'Sales' });
    return { id, token: (await createToken(store, user.id)).token };
  };
  const orgs = {
    big: await makeOrg('Big'),
    propagation: await makeOrg('Propagation'),
    changes: await makeOrg('Changes'),
    bulk: await makeOrg('Bulk'),
    writes: await makeOrg('Writes'),
  };
  // 100,000 rules straight into the table: the snapshot reads them like any others.
  const createdAt = new Date().toISOString();
  for (let start = 0; start < SNAPSHOT_RULES; start += 1000) {
    const rows = Array.from({ length: Math.min(1000, SNAPSHOT_RULES - start) }, (_, i): Rule => {
      const n = start + i;
      return {
        id: `${(n + 2).toString(36)}.0`,
        kind: n % 100 === 0 ? 'allow' : 'block',
        number: `+1${200 + (n % 700)}${String(2_000_000 + ((n * 7919) % 7_000_000))}`,
        scope: 'all',
        reason:
          ['Robocall', 'Scam', 'Harassment', 'Spam survey', 'Auto-blocked: 5 calls within 5 minutes'][
            n % 5
          ] ?? 'Spam',
        expiresAt: null,
        source: n % 3 === 0 ? 'import' : 'manual',
        createdBy: 'Big lead',
        createdAt,
        updatedAt: createdAt,
        hitCount: n % 17,
        lastHitAt: null,
      };
    });
    await database.kysely
      .insertInto('rules')
      .values(rows.map((rule) => ruleToRow(orgs.big.id, rule)))
      .onConflict((conflict) => conflict.doNothing())
      .execute();
  }
  await database.close();
  return orgs;
}

/** 1,000 SSE clients; each records when every revision arrives. */
async function propagation(base: URL, org: Org): Promise<number[]> {
  const arrivals = new Map<number, number[]>();
  const requests: http.ClientRequest[] = [];
  const sseAgent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  let connected = 0;
  await new Promise<void>((resolve, reject) => {
    for (let i = 0; i < SSE_CLIENTS; i += 1) {
      const req = http.get(
        {
          host: base.hostname,
          port: base.port,
          path: '/v1/events',
          agent: sseAgent,
          headers: { authorization: `Bearer ${org.token}`, accept: 'text/event-stream' },
        },
        (res) => {
          res.setEncoding('utf8');
          connected += 1;
          if (connected === SSE_CLIENTS) resolve();
          res.on('data', (text: string) => {
            const now = performance.now();
            for (const match of text.matchAll(/^id: (\d+)$/gm)) {
              const revision = Number(match[1]);
              const list = arrivals.get(revision) ?? [];
              list.push(now);
              arrivals.set(revision, list);
            }
          });
        },
      );
      req.on('error', reject);
      requests.push(req);
    }
  });
  // Let every stream finish its handshake before measuring.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const latencies: number[] = [];
  // Nothing else writes to this org: the i-th write gets the revision after the one before it.
  const baseRevision = await currentRevision(base, org);
  for (let i = 0; i < PROPAGATION_WRITES; i += 1) {
    const reply = await request(base, 'POST', '/v1/blocked-numbers', org.token, {
      number: nextNumber(),
      reason: 'propagation',
    });
    const acknowledged = performance.now();
    if (reply.status !== 201) throw new Error(`propagation write: HTTP ${reply.status}`);
    const revision = baseRevision + i + 1;
    const deadline = Date.now() + 10_000;
    while ((arrivals.get(revision)?.length ?? 0) < SSE_CLIENTS && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    for (const at of arrivals.get(revision) ?? []) latencies.push(Math.max(0, at - acknowledged));
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  for (const req of requests) req.destroy();
  sseAgent.destroy();
  return latencies.sort((a, b) => a - b);
}

/** The org's revision; cheap enough (one change) to ask after each write. */
async function currentRevision(base: URL, org: Org): Promise<number> {
  const reply = await request(base, 'GET', '/v1/sync/changes?since=0', org.token).catch(() => null);
  const parsed = reply === null ? null : (JSON.parse(reply.body.toString()) as { revision?: number });
  return parsed?.revision ?? 0;
}

async function benchDialect(dialect: DialectName, databaseUrl: string): Promise<void> {
  const orgs = await seed(databaseUrl);
  const { child, base } = await startServerProcess(databaseUrl);
  try {
    // Snapshot of 100,000 rules with compression negotiated, as the app asks for it.
    const snapshotTimes: number[] = [];
    let snapshotBytes = 0;
    for (let i = 0; i < 3; i += 1) {
      const started = performance.now();
      const reply = await request(base, 'GET', '/v1/sync/snapshot', orgs.big.token, undefined, {
        'accept-encoding': 'br, gzip',
      });
      snapshotTimes.push(performance.now() - started);
      if (reply.status !== 200) throw new Error(`snapshot: HTTP ${reply.status}`);
      snapshotBytes = reply.body.length;
    }
    metric(`server.${dialect}.snapshot_100k.ms`, median(snapshotTimes), 'ms');
    metric(`server.${dialect}.snapshot_100k.bytes`, snapshotBytes, 'bytes');

    // Bulk create of 500 numbers.
    const bulkTimes: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const entries = Array.from({ length: 500 }, () => ({ number: nextNumber(), reason: 'bulk bench' }));
      const started = performance.now();
      const reply = await request(base, 'POST', '/v1/blocked-numbers/bulk', orgs.bulk.token, { entries });
      bulkTimes.push(performance.now() - started);
      if (reply.status !== 200) throw new Error(`bulk: HTTP ${reply.status}`);
    }
    metric(`server.${dialect}.bulk_500.ms`, median(bulkTimes), 'ms');

    // Changes since a revision 1,000 changes back.
    for (let i = 0; i < 2; i += 1) {
      const entries = Array.from({ length: 500 }, () => ({ number: nextNumber(), reason: 'changes bench' }));
      await request(base, 'POST', '/v1/blocked-numbers/bulk', orgs.changes.token, { entries });
    }
    const revision = await currentRevision(base, orgs.changes);
    const changeTimes: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const started = performance.now();
      const reply = await request(
        base,
        'GET',
        `/v1/sync/changes?since=${revision - 1000}`,
        orgs.changes.token,
        undefined,
        {
          'accept-encoding': 'br, gzip',
        },
      );
      changeTimes.push(performance.now() - started);
      if (reply.status !== 200) throw new Error(`changes: HTTP ${reply.status}`);
    }
    metric(`server.${dialect}.changes_1000.ms`, median(changeTimes), 'ms');

    // Sustained single-rule writes.
    let acknowledged = 0;
    const until = performance.now() + WRITE_SECONDS * 1000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: WRITE_CONCURRENCY }, async () => {
        while (performance.now() < until) {
          const reply = await request(base, 'POST', '/v1/blocked-numbers', orgs.writes.token, {
            number: nextNumber(),
            reason: 'write bench',
          });
          if (reply.status === 201) acknowledged += 1;
        }
      }),
    );
    metric(
      `server.${dialect}.writes_per_s`,
      Math.round(acknowledged / ((performance.now() - started) / 1000)),
      'writes/s',
    );

    const latencies = await propagation(base, orgs.propagation);
    metric(`server.${dialect}.propagation.p50`, percentile(latencies, 0.5), 'ms');
    metric(`server.${dialect}.propagation.p99`, percentile(latencies, 0.99), 'ms');
    if (latencies.length < SSE_CLIENTS * PROPAGATION_WRITES) {
      console.error(
        `propagation: ${latencies.length} of ${SSE_CLIENTS * PROPAGATION_WRITES} deliveries arrived`,
      );
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

/** `npm run bench -- server scale [sqlite|pg]`: the 10,000-client figures only (bench/scale/scale.ts). */
async function scale(dialects: readonly DialectName[]): Promise<void> {
  if (dialects.includes('sqlite')) {
    const baseline = await baselineScale();
    const dir = mkdtempSync(join(tmpdir(), 'blockline-scale-'));
    try {
      const ours = await sqliteScale(join(dir, 'scale.sqlite'));
      // The target is relative to the floor measured in this run: ≤ 2.
      metric('server.sqlite.propagation_10k.vs_baseline', ours / baseline, 'ratio');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (dialects.includes('pg') && postgresAvailable()) {
    let cluster: PostgresCluster | null = null;
    try {
      cluster = await startPostgres();
      await pgScale(await cluster.createDatabase('scale'));
    } finally {
      await cluster?.stop();
    }
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const wanted = args.filter((arg): arg is DialectName => arg === 'sqlite' || arg === 'pg');
  const dialects: DialectName[] = wanted.length > 0 ? wanted : ['sqlite', 'pg'];
  if (args.includes('scale')) {
    await scale(dialects);
    agent.destroy();
    return;
  }
  if (dialects.includes('sqlite')) {
    const dir = mkdtempSync(join(tmpdir(), 'blockline-bench-'));
    try {
      await benchDialect('sqlite', join(dir, 'bench.sqlite'));
      const bare = await bareInsertSeconds(join(dir, 'bare-insert.sqlite'));
      const cliImport = await cliImportSeconds(join(dir, 'cli-import.sqlite'));
      metric('server.sqlite.bare_insert_100k.s', bare, 's');
      metric('server.sqlite.cli_import_100k.s', cliImport, 's');
      metric('server.sqlite.cli_import_vs_bare_insert', cliImport / bare, 'ratio');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (dialects.includes('pg')) {
    if (!postgresAvailable()) {
      console.error('PostgreSQL binaries not found: skipping the pg figures');
    } else {
      let cluster: PostgresCluster | null = null;
      try {
        cluster = await startPostgres();
        await benchDialect('pg', await cluster.createDatabase('bench'));
      } finally {
        await cluster?.stop();
      }
    }
  }
  await scale(dialects);
  agent.destroy();
  // The dashboard's year (SPEC §12.2): server.<dialect>.stats_1y.ms.
  await benchStatsDialects(dialects);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

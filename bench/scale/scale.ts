/**
 * The event-stream scale figures of `npm run bench -- server` (SPEC §5.3 at 10,000 clients per
 * instance): propagation p99 on one SQLite instance with 10,000 clients, the same through a bare Node
 * `http` server writing the same bytes (the floor of this machine), three instances on one PostgreSQL
 * with 10,000 clients each (a write on one reaching all 30,000), and the server's resident memory per
 * connected client. Servers and clients run in separate processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { addLine, createOrg, createToken, createUser, standaloneStore } from '../../server/admin-ops';
import { openDatabase } from '../../server/db/database';
import { metric, percentile } from '../lib';

const CLIENTS_PER_INSTANCE = 10_000;
const CLIENTS_PER_PROCESS = 2_500;
const WRITES = 10;
const WRITE_GAP_MS = 700;
const here = import.meta.dirname;
const root = join(here, '..', '..');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
}

/**
 * Stops processes and waits until they are gone (SIGKILL after 10 s): the PostgreSQL cluster must not
 * stop under servers still listening, and the bench must exit with nothing of its own left running.
 */
async function stopProcesses(children: readonly ChildProcess[], signal: NodeJS.Signals): Promise<void> {
  await Promise.all(
    children.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }),
  );
}

/** CPU seconds (user + system) a process has used so far. */
function cpuOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    // Fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 a second on Linux), after the `(name)`.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / 100;
  } catch {
    return 0;
  }
}

function lines(child: ChildProcess, onLine: (line: string) => void): void {
  if (child.stdout !== null) createInterface({ input: child.stdout }).on('line', onLine);
}

async function waitReady(port: number, path: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const status = await new Promise<number>((resolve) => {
      http
        .get({ host: '127.0.0.1', port, path }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        })
        .on('error', () => resolve(0));
    });
    if (status !== 0 && status < 500) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`nothing answers on port ${port}`);
}

function startOrgServer(port: number, databaseUrl: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(root, 'server', 'main.ts')], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      RATE_LIMIT_WRITES_PER_MIN: '0',
      RATE_LIMIT_READS_PER_MIN: '0',
      RATE_LIMIT_REPORTS_PER_MIN: '0',
      RATE_LIMIT_AUTH_FAILURES_PER_MIN: '0',
      // One token for every bench client: the per-token cap is for agents' apps, not this load.
      MAX_STREAMS_PER_TOKEN: '100000',
      MAX_EVENT_STREAMS: '20000',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Latencies (ms) by write, keyed by the write's sent time. */
type Latencies = Record<string, number[]>;

interface ClientGroup {
  children: ChildProcess[];
  latencies: Promise<Latencies>[];
}

/** Opens `count` streams to `port` from separate processes; resolves once all are open. */
async function openClients(port: number, token: string, count: number): Promise<ClientGroup> {
  const children: ChildProcess[] = [];
  const ready: Promise<void>[] = [];
  const latencies: Promise<Latencies>[] = [];
  for (let started = 0; started < count; started += CLIENTS_PER_PROCESS) {
    const size = Math.min(CLIENTS_PER_PROCESS, count - started);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(here, 'sse-clients.ts'), String(port), token, String(size)],
      { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] },
    );
    children.push(child);
    ready.push(
      new Promise((resolve, reject) => {
        lines(child, (line) => {
          if (!line.startsWith('READY ')) return;
          const [, open = '0', failed = '0'] = line.split(' ');
          if (Number(open) === size) resolve();
          else reject(new Error(`${open} of ${size} streams opened (${failed} refused or failed)`));
        });
      }),
    );
    latencies.push(
      new Promise((resolve) => {
        lines(child, (line) => {
          if (line.startsWith('LATENCIES '))
            resolve(JSON.parse(line.slice('LATENCIES '.length)) as Latencies);
        });
      }),
    );
  }
  try {
    await Promise.all(ready);
  } catch (error) {
    await stopProcesses(children, 'SIGKILL');
    throw error;
  }
  return { children, latencies };
}

async function collect(groups: ClientGroup[]): Promise<Latencies> {
  await new Promise((resolve) => setTimeout(resolve, 3000));
  for (const group of groups) for (const child of group.children) child.stdin?.end('DONE\n');
  const all = await Promise.all(groups.flatMap((group) => group.latencies));
  await stopProcesses(
    groups.flatMap((group) => group.children),
    'SIGKILL',
  );
  const merged: Latencies = {};
  for (const part of all)
    for (const [sent, list] of Object.entries(part)) (merged[sent] ??= []).push(...list);
  return merged;
}

function post(port: number, path: string, token: string | null, body?: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: {
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        },
      },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

const wallNow = () => performance.timeOrigin + performance.now();

/**
 * Makes the writes, WRITE_GAP_MS apart, and says on stderr how long they took to be acknowledged and
 * how much CPU the servers and the client processes used meanwhile (where the time went).
 */
async function writeSeries(
  name: string,
  processes: { servers: ChildProcess[]; clients: ClientGroup[] },
  write: (sentAt: number | null) => Promise<void>,
): Promise<void> {
  const cpu = () => ({
    servers: processes.servers.reduce((sum, child) => sum + cpuOf(child.pid), 0),
    clients: processes.clients.reduce(
      (sum, group) => sum + group.children.reduce((inner, child) => inner + cpuOf(child.pid), 0),
      0,
    ),
  });
  // One write nobody times: the first fan-out after 10,000 connections also compiles its code paths.
  await write(null);
  await new Promise((resolve) => setTimeout(resolve, WRITE_GAP_MS));
  const before = cpu();
  const acks: number[] = [];
  for (let index = 0; index < WRITES; index += 1) {
    const sentAt = wallNow();
    await write(sentAt);
    acks.push(wallNow() - sentAt);
    await new Promise((resolve) => setTimeout(resolve, WRITE_GAP_MS));
  }
  const after = cpu();
  console.error(
    `${name}: writes acknowledged in ${percentile(acks, 0.5).toFixed(0)} ms (p50); CPU over the writes: ` +
      `servers ${(after.servers - before.servers).toFixed(2)} s, clients ${(after.clients - before.clients).toFixed(2)} s`,
  );
}

/**
 * Prints `<name>` (the p99 over every delivery of every write) and `<name without .p99>.p50`, and on
 * stderr each write's p50/p99 in order (a backlog shows as figures that grow); returns the p99.
 */
function report(name: string, byWrite: Latencies, expected: number): number {
  const writes = Object.entries(byWrite).sort(([a], [b]) => Number(a) - Number(b));
  const perWrite = writes.map(
    ([, list]) => `${percentile(list, 0.5).toFixed(0)}/${percentile(list, 0.99).toFixed(0)}`,
  );
  console.error(`${name}: p50/p99 per write (ms): ${perWrite.join(' ')}`);
  const latencies = writes.flatMap(([, list]) => list);
  const p99 = percentile(latencies, 0.99);
  metric(name, p99, 'ms');
  metric(name.replace(/\.p99$/, '.p50'), percentile(latencies, 0.5), 'ms');
  if (latencies.length < expected)
    console.error(`${name}: ${latencies.length} of ${expected} deliveries arrived`);
  return latencies.length < expected ? Number.NaN : p99;
}

async function seedOrg(databaseUrl: string): Promise<string> {
  const database = await openDatabase(databaseUrl);
  const store = standaloneStore(database);
  const { id } = await createOrg(store, { name: 'Scale', country: 'US', timeZone: 'America/New_York' });
  const user = await createUser(store, { orgId: id, name: 'Scale lead', role: 'lead' });
  await addLine(store, { orgId: id, number: '+12125550100', label: 'Sales' });
  const { token } = await createToken(store, user.id);
  await database.close();
  return token;
}

let numberCounter = 0;
const ruleWrite = (port: number, token: string) => async (sentAt: number | null) => {
  numberCounter += 1;
  const status = await post(port, '/v1/blocked-numbers', token, {
    number: `+1213555${String(numberCounter).padStart(4, '0')}`,
    reason: sentAt === null ? 'warm-up' : `scale t=${sentAt}`,
  });
  if (status !== 201) throw new Error(`scale write: HTTP ${status}`);
};

/** `server.sse_baseline_10k.p99`: the bare `http` server, same clients, same bytes. */
export async function baselineScale(): Promise<number> {
  const server = spawn(process.execPath, ['--import', 'tsx', join(here, 'baseline-server.ts')], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const groups: ClientGroup[] = [];
  try {
    const port = await new Promise<number>((resolve) =>
      lines(server, (line) => {
        if (line.startsWith('LISTENING ')) resolve(Number(line.split(' ')[1]));
      }),
    );
    const clients = await openClients(port, 'none', CLIENTS_PER_INSTANCE);
    groups.push(clients);
    await writeSeries(
      'server.sse_baseline_10k',
      { servers: [server], clients: [clients] },
      async (sentAt) => {
        await post(port, sentAt === null ? '/emit' : `/emit?t=${sentAt}`, null);
      },
    );
    return report('server.sse_baseline_10k.p99', await collect([clients]), CLIENTS_PER_INSTANCE * WRITES);
  } finally {
    await stopProcesses(
      groups.flatMap((group) => group.children),
      'SIGKILL',
    );
    await stopProcesses([server], 'SIGKILL');
  }
}

/** `server.sqlite.propagation_10k.p99` and `server.sse_bytes_per_client`. */
export async function sqliteScale(databaseUrl: string): Promise<number> {
  const token = await seedOrg(databaseUrl);
  const port = await freePort();
  const server = startOrgServer(port, databaseUrl);
  const groups: ClientGroup[] = [];
  try {
    await waitReady(port, '/readyz');
    const pid = server.pid ?? 0;
    const before = rssOf(pid);
    const clients = await openClients(port, token, CLIENTS_PER_INSTANCE);
    groups.push(clients);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    metric('server.sse_bytes_per_client', Math.round((rssOf(pid) - before) / CLIENTS_PER_INSTANCE), 'bytes');
    await writeSeries(
      'server.sqlite.propagation_10k',
      { servers: [server], clients: [clients] },
      ruleWrite(port, token),
    );
    return report(
      'server.sqlite.propagation_10k.p99',
      await collect([clients]),
      CLIENTS_PER_INSTANCE * WRITES,
    );
  } finally {
    await stopProcesses(
      groups.flatMap((group) => group.children),
      'SIGKILL',
    );
    await stopProcesses([server], 'SIGTERM');
  }
}

/** `server.pg.propagation_3x10k.p99`: three instances on one PostgreSQL, a write on one reaching all. */
export async function pgScale(databaseUrl: string): Promise<void> {
  const token = await seedOrg(databaseUrl);
  const ports = [await freePort(), await freePort(), await freePort()];
  const servers = ports.map((port) => startOrgServer(port, databaseUrl));
  const groups: ClientGroup[] = [];
  try {
    for (const port of ports) await waitReady(port, '/readyz');
    for (const port of ports) groups.push(await openClients(port, token, CLIENTS_PER_INSTANCE));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await writeSeries(
      'server.pg.propagation_3x10k',
      { servers, clients: groups },
      ruleWrite(ports[0] ?? 0, token),
    );
    report('server.pg.propagation_3x10k.p99', await collect(groups), 3 * CLIENTS_PER_INSTANCE * WRITES);
  } finally {
    await stopProcesses(
      groups.flatMap((group) => group.children),
      'SIGKILL',
    );
    await stopProcesses(servers, 'SIGTERM');
  }
}

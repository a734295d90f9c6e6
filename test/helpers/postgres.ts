/**
 * A throw-away PostgreSQL cluster for tests: `initdb` in a temporary directory, started on a free
 * loopback port with its socket in that directory, as the `postgres` user (PostgreSQL refuses root),
 * stopped and deleted at the end. Not a system service the tests assume.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export const POSTGRES_BIN = process.env.POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin';

export interface PostgresCluster {
  port: number;
  /** Creates a fresh database and returns its connection URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

export function postgresAvailable(): boolean {
  return existsSync(join(POSTGRES_BIN, 'pg_ctl')) && existsSync(join(POSTGRES_BIN, 'initdb'));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function idOf(flag: '-u' | '-g', user: string): Promise<number> {
  const { stdout } = await run('id', [flag, user]);
  return Number(stdout.trim());
}

/** Runs a PostgreSQL binary as `postgres` when we are root, directly otherwise. */
async function runAsPostgres(binary: string, args: string[]): Promise<void> {
  const path = join(POSTGRES_BIN, binary);
  if (process.getuid?.() === 0) await run('runuser', ['-u', 'postgres', '--', path, ...args]);
  else await run(path, args);
}

export async function startPostgres(): Promise<PostgresCluster> {
  const root = mkdtempSync(join(tmpdir(), 'blockline-pg-'));
  const dataDir = join(root, 'data');
  const socketDir = join(root, 'socket');
  mkdirSync(socketDir);
  if (process.getuid?.() === 0) {
    const [uid, gid] = [await idOf('-u', 'postgres'), await idOf('-g', 'postgres')];
    chownSync(root, uid, gid);
    chownSync(socketDir, uid, gid);
  }
  await runAsPostgres('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  // Durability is not under test here: fsync off keeps the suite fast.
  const serverOptions = `-c listen_addresses=127.0.0.1 -p ${port} -k ${socketDir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300`;
  await runAsPostgres('pg_ctl', [
    '-D',
    dataDir,
    '-o',
    serverOptions,
    '-l',
    join(root, 'postgres.log'),
    '-w',
    '-t',
    '60',
    'start',
  ]);

  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    port,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      try {
        await runAsPostgres('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}

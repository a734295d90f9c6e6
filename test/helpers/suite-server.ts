/**
 * Where the org-server suites get their database and their one server: each suite runs once on SQLite
 * (unit project) and once on a real PostgreSQL (integration project), with one server for all its tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { buildServer, type ServerOptions } from '../../server/app';
import { openDatabase, type Database } from '../../server/db/database';
import { startPostgres, type PostgresCluster } from './postgres';

export interface SuiteDatabase {
  url: string;
  cleanup: () => Promise<void>;
}

/** A SQLite file in a temp dir of its own (`<prefix>…`), the dir removed when the suite cleans up. */
export function sqliteSuiteDatabase(prefix: string): () => Promise<SuiteDatabase> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    return {
      url: join(dir, 'test.sqlite'),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  };
}

/**
 * One throw-away PostgreSQL cluster for the test file that calls this at its top level: started before
 * its suites, stopped after them. `database(name)` gives a suite a fresh database `<name>_<pid>` in it.
 */
export function postgresSuiteDatabases(): { database(name: string): () => Promise<SuiteDatabase> } {
  let cluster: PostgresCluster | undefined;
  beforeAll(async () => {
    cluster = await startPostgres();
  });
  afterAll(async () => {
    await cluster?.stop();
  });
  return {
    database: (name) => async () => {
      if (cluster === undefined) throw new Error('the PostgreSQL cluster did not start');
      return { url: await cluster.createDatabase(`${name}_${process.pid}`), cleanup: async () => undefined };
    },
  };
}

export interface SuiteServer {
  /** The suite database's URL. */
  url: string;
  database: Database;
  /** The org server, listening on a free port on 127.0.0.1. */
  app: FastifyInstance;
  /** Closes the server and the database, then cleans the database up. */
  close(): Promise<void>;
}

/**
 * Opens the suite's database and starts the org server on it, without rate limits or the expiry
 * sweep; `options` for the few the suite sets itself (its clock, how often access is re-read).
 */
export async function startSuiteServer(
  provide: () => Promise<SuiteDatabase>,
  options: Pick<ServerOptions, 'now' | 'accessPollMs'> = {},
): Promise<SuiteServer> {
  const suiteDb = await provide();
  let database: Database | undefined;
  let app: FastifyInstance | undefined;
  const close = async (): Promise<void> => {
    await app?.close();
    await database?.close();
    await suiteDb.cleanup();
  };
  try {
    database = await openDatabase(suiteDb.url);
    app = await buildServer({ db: database, ...options, rateLimit: false, sweepIntervalMs: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { url: suiteDb.url, database, app, close };
  } catch (error) {
    await close();
    throw error;
  }
}

import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  Kysely,
  type Insertable,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  type SqliteDatabase as SqliteDatabaseLike,
  type SqliteStatement as SqliteStatementLike,
} from 'kysely';
import pg from 'pg';
import { migrationProvider } from './migrations';
import type { DB } from './schema';

export type DialectName = 'sqlite' | 'pg';

/** The PostgreSQL channel on which every instance announces `orgId:revision` after a commit. */
export const CHANGE_CHANNEL = 'blockline_changes';

export type NotificationHandler = (payload: string) => void;

export interface Database {
  kysely: Kysely<DB>;
  dialect: DialectName;
  /** A printable description of where the data lives, without credentials. */
  location: string;
  /**
   * PostgreSQL only: listens on CHANGE_CHANNEL with a dedicated connection (reconnecting after errors)
   * and calls `onReconnect` after a reconnection, when notifications may have been missed.
   */
  listen?: (handler: NotificationHandler, onReconnect: () => void) => Promise<() => Promise<void>>;
  /**
   * SQLite only: inserts rows through one prepared statement per table and column list, run row by row.
   * Kysely compiles a multi-row insert anew each time (13 columns × 100 rows is 1,300 value nodes), which
   * was a bulk import's largest cost after SQLite itself. Synchronous: call it only inside a transaction
   * this process holds on the connection (the single SQLite connection runs one thing at a time).
   */
  insertRows?: <T extends keyof DB & string>(table: T, rows: readonly Insertable<DB[T]>[]) => void;
  close(): Promise<void>;
}

export const DEFAULT_SQLITE_PATH = './data/blockline.sqlite';

export interface OpenDatabaseOptions {
  /** Run the migrations to the latest version (default true). */
  migrate?: boolean;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
}

/** `postgres://…` / `postgresql://…` → PostgreSQL; `sqlite:PATH`, `file:PATH`, a path, or nothing → SQLite. */
export async function openDatabase(
  url: string | undefined,
  options: OpenDatabaseOptions = {},
): Promise<Database> {
  const database = /^postgres(ql)?:\/\//i.test(url ?? '')
    ? openPostgres(url ?? '', options)
    : openSqlite(url);
  if (options.migrate !== false) {
    try {
      await withBusyRetry(() => migrateToLatest(database.kysely));
    } catch (error) {
      await database.close();
      throw error;
    }
  }
  return database;
}

function sqlitePathOf(url: string | undefined): string {
  if (url === undefined || url === '') return DEFAULT_SQLITE_PATH;
  return url.replace(/^(sqlite|file):(\/\/)?/i, '');
}

function openSqlite(url: string | undefined): Database {
  const path = sqlitePathOf(url);
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  const connection = new SqliteDatabase(path);
  // WAL lets readers proceed during a write; NORMAL sync keeps every committed transaction across a
  // process crash (kill -9): only an OS crash or power loss could lose the last transactions.
  connection.pragma('journal_mode = WAL');
  connection.pragma('synchronous = NORMAL');
  connection.pragma('foreign_keys = ON');
  connection.pragma('busy_timeout = 5000');
  const kysely = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(connection) }) });
  return {
    kysely,
    dialect: 'sqlite',
    location: path,
    insertRows: rowInserter(connection),
    close: () => kysely.destroy(),
  };
}

type SqliteValue = string | number | bigint | Buffer | null;

function rowInserter(connection: SqliteDatabase.Database): NonNullable<Database['insertRows']> {
  const statements = new Map<string, SqliteDatabase.Statement<SqliteValue[]>>();
  return (table, rows) => {
    const first = rows[0];
    if (first === undefined) return;
    const columns = Object.keys(first);
    const key = `${table}(${columns.join(',')})`;
    let statement = statements.get(key);
    if (statement === undefined) {
      const quoted = columns.map((column) => `"${column}"`).join(', ');
      const placeholders = columns.map(() => '?').join(', ');
      statement = connection.prepare<SqliteValue[]>(
        `insert into "${table}" (${quoted}) values (${placeholders})`,
      );
      statements.set(key, statement);
    }
    for (const row of rows) {
      const values = row as Record<string, SqliteValue | undefined>;
      statement.run(...columns.map((column) => values[column] ?? null));
    }
  };
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely prepares every query anew; the server runs the same few dozen statements over and over, so
 * prepared statements are kept by their SQL text (most recently used last). Safe because Kysely runs
 * one query at a time on the connection and this server never streams results.
 */
function withStatementCache(connection: SqliteDatabase.Database): SqliteDatabaseLike {
  const statements = new Map<string, SqliteStatementLike>();
  return {
    close: () => connection.close(),
    prepare(text) {
      const cached = statements.get(text);
      if (cached !== undefined) {
        statements.delete(text);
        statements.set(text, cached);
        return cached;
      }
      const statement = connection.prepare(text);
      statements.set(text, statement);
      if (statements.size > STATEMENT_CACHE_SIZE) {
        const oldest = statements.keys().next();
        if (oldest.done !== true) statements.delete(oldest.value);
      }
      return statement;
    },
  };
}

function openPostgres(url: string, options: OpenDatabaseOptions): Database {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
  // An idle client's error (the server restarting) must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  const kysely = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  const location = redactUrl(url);
  return {
    kysely,
    dialect: 'pg',
    location,
    listen: (handler, onReconnect) => listenPostgres(url, handler, onReconnect),
    close: () => kysely.destroy(),
  };
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres';
  }
}

async function listenPostgres(
  url: string,
  handler: NotificationHandler,
  onReconnect: () => void,
): Promise<() => Promise<void>> {
  let stopped = false;
  let client: pg.Client | null = null;
  let retryTimer: NodeJS.Timeout | null = null;

  const connect = async (isReconnect: boolean): Promise<void> => {
    const next = new pg.Client({ connectionString: url });
    next.on('notification', (message) => {
      if (message.channel === CHANGE_CHANNEL && message.payload !== undefined) handler(message.payload);
    });
    next.on('error', () => scheduleReconnect());
    next.on('end', () => scheduleReconnect());
    await next.connect();
    await next.query(`LISTEN ${CHANGE_CHANNEL}`);
    client = next;
    if (isReconnect) onReconnect();
  };

  const scheduleReconnect = (): void => {
    if (stopped || retryTimer !== null) return;
    const broken = client;
    client = null;
    broken?.removeAllListeners();
    broken?.end().catch(() => undefined);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      connect(true).catch(() => scheduleReconnect());
    }, 1000);
  };

  await connect(false);
  return async () => {
    stopped = true;
    if (retryTimer !== null) clearTimeout(retryTimer);
    const current = client;
    client = null;
    if (current !== null) {
      current.removeAllListeners();
      current.on('error', () => undefined);
      await current.end().catch(() => undefined);
    }
  };
}

/**
 * Several processes may open one SQLite file at once (the server and the admin CLI): a migration
 * check that meets another process's write lock is retried rather than failing the start.
 */
async function withBusyRetry<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      const busy = /SQLITE_BUSY|database is locked/i.test(String(error));
      if (!busy || attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

export async function migrateToLatest(kysely: Kysely<DB>): Promise<void> {
  const migrator = new Migrator({ db: kysely, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === 'Error');
  if (error !== undefined || failed !== undefined) {
    const detail = error instanceof Error ? error.message : String(error ?? failed?.migrationName);
    throw new Error(`database migration failed: ${detail}`);
  }
}

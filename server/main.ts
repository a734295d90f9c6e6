/**
 * Starts the org server: `npm run server`. Environment: PORT (8787), HOST (127.0.0.1), DATABASE_URL
 * (default the SQLite file ./data/blockline.sqlite; postgres://… for PostgreSQL), BLOCKLINE_DEMO=1 to
 * seed the demo org (its tokens from BLOCKLINE_DEMO_*_TOKEN, else new ones written to
 * BLOCKLINE_DEMO_TOKENS_FILE, default data/demo-tokens.json, and printed only with
 * BLOCKLINE_SHOW_TOKENS=1), RATE_LIMIT_WRITES_PER_MIN / RATE_LIMIT_READS_PER_MIN /
 * RATE_LIMIT_REPORTS_PER_MIN / RATE_LIMIT_AUTH_FAILURES_PER_MIN (0 everywhere turns limits off),
 * MAX_EVENT_STREAMS (10000) and MAX_STREAMS_PER_TOKEN (8), TRUST_PROXY (off; `1` or the proxies'
 * addresses), REPORT_RETENTION_DAYS (90: raw call reports kept after their daily roll-up), LOG_LEVEL (info).
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import pino from 'pino';
import { buildServer, DEFAULT_RATE_LIMIT, DEFAULT_STREAM_LIMITS, type RateLimitOptions } from './app';
import { openDatabase } from './db/database';
import { demoTokensFromEnv, seedDemoOrg, type DemoSeed } from './demo';
import { raiseFileLimit } from './file-limit';

function positive(value: string | undefined, fallback: number): number {
  const number = Number(value ?? fallback);
  return Number.isInteger(number) && number > 0 ? number : fallback;
}

function trustProxyFromEnv(value: string | undefined): boolean | string {
  if (value === undefined || value === '' || value === '0' || value === 'false') return false;
  return value === '1' || value === 'true' ? true : value;
}

/** Where the demo's tokens are kept: never on stdout unless asked (SPEC §11.6). */
function keepDemoTokens(seed: DemoSeed, env: NodeJS.ProcessEnv): string {
  const file = resolve(env.BLOCKLINE_DEMO_TOKENS_FILE ?? 'data/demo-tokens.json');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(seed.tokens, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

function rateLimitFromEnv(env: NodeJS.ProcessEnv): RateLimitOptions | false {
  const writes = Number(env.RATE_LIMIT_WRITES_PER_MIN ?? DEFAULT_RATE_LIMIT.writesPerMinute);
  const reads = Number(env.RATE_LIMIT_READS_PER_MIN ?? DEFAULT_RATE_LIMIT.readsPerMinute);
  const reports = Number(env.RATE_LIMIT_REPORTS_PER_MIN ?? DEFAULT_RATE_LIMIT.reportsPerMinute);
  const failures = Number(env.RATE_LIMIT_AUTH_FAILURES_PER_MIN ?? DEFAULT_RATE_LIMIT.authFailuresPerMinute);
  if (writes === 0 && reads === 0 && reports === 0 && failures === 0) return false;
  const orNone = (value: number) => (value > 0 ? value : Number.MAX_SAFE_INTEGER);
  return {
    writesPerMinute: orNone(writes),
    readsPerMinute: orNone(reads),
    reportsPerMinute: orNone(reports),
    authFailuresPerMinute: orNone(failures),
  };
}

async function main(): Promise<void> {
  const logger = pino({
    level: process.env.LOG_LEVEL ?? 'info',
    // Belt and braces: no code logs headers, and a token in one would still not be written.
    redact: ['req.headers.authorization', 'headers.authorization', '*.authorization'],
  });
  const files = raiseFileLimit();
  logger.info({ openFiles: files }, files === null ? 'open-file limit unknown here' : 'open-file limit');
  const port = Number(process.env.PORT ?? 8787);
  const host = process.env.HOST ?? '127.0.0.1';
  const database = await openDatabase(process.env.DATABASE_URL);
  logger.info({ dialect: database.dialect, location: database.location }, 'database ready');
  if (process.env.BLOCKLINE_DEMO === '1') {
    const given = demoTokensFromEnv();
    const seed = await seedDemoOrg(database, given);
    const fromEnv = given.admin !== undefined && given.lead !== undefined && given.agent !== undefined;
    const tokensAt = fromEnv ? 'the BLOCKLINE_DEMO_*_TOKEN environment' : keepDemoTokens(seed, process.env);
    logger.info({ orgId: seed.orgId, created: seed.created, tokensAt }, 'demo org ready');
    const shown = process.env.BLOCKLINE_SHOW_TOKENS === '1' ? { tokens: seed.tokens } : {};
    process.stdout.write(
      `${JSON.stringify({ demo: { orgId: seed.orgId, created: seed.created, tokensAt, ...shown } })}\n`,
    );
  }
  const streamLimits = {
    perServer: positive(process.env.MAX_EVENT_STREAMS, DEFAULT_STREAM_LIMITS.perServer),
    perToken: positive(process.env.MAX_STREAMS_PER_TOKEN, DEFAULT_STREAM_LIMITS.perToken),
  };
  const app = await buildServer({
    db: database,
    logger,
    rateLimit: rateLimitFromEnv(process.env),
    trustProxy: trustProxyFromEnv(process.env.TRUST_PROXY),
    streamLimits,
    reportRetentionDays: positive(process.env.REPORT_RETENTION_DAYS, 90),
  });
  if (files !== null && files.soft < streamLimits.perServer + 256) {
    logger.warn(
      { openFiles: files.soft },
      'the open-file limit is below the event-stream cap: lower MAX_EVENT_STREAMS',
    );
  }
  await app.listen({ port, host });

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining streams and in-flight requests');
    const force = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    app
      .close()
      .then(() => database.close())
      .then(
        () => {
          logger.info('stopped');
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'error during shutdown');
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${JSON.stringify({ level: 60, msg: 'server failed to start', err: String(error) })}\n`,
  );
  process.exit(1);
});

/**
 * Starts the org server: `npm run server`. Environment: PORT (8787), HOST (127.0.0.1), DATABASE_URL
 * (default the SQLite file ./data/blockline.sqlite; postgres://… for PostgreSQL), BLOCKLINE_DEMO=1 to
 * seed the demo org, RATE_LIMIT_WRITES_PER_MIN / RATE_LIMIT_AUTH_FAILURES_PER_MIN (0 turns limits off),
 * LOG_LEVEL (info).
 */
import pino from 'pino';
import { buildServer, DEFAULT_RATE_LIMIT, type RateLimitOptions } from './app';
import { openDatabase } from './db/database';
import { demoTokensFromEnv, seedDemoOrg } from './demo';

function rateLimitFromEnv(env: NodeJS.ProcessEnv): RateLimitOptions | false {
  const writes = Number(env.RATE_LIMIT_WRITES_PER_MIN ?? DEFAULT_RATE_LIMIT.writesPerMinute);
  const failures = Number(env.RATE_LIMIT_AUTH_FAILURES_PER_MIN ?? DEFAULT_RATE_LIMIT.authFailuresPerMinute);
  if (writes === 0 && failures === 0) return false;
  return {
    writesPerMinute: writes > 0 ? writes : Number.MAX_SAFE_INTEGER,
    authFailuresPerMinute: failures > 0 ? failures : Number.MAX_SAFE_INTEGER,
  };
}

async function main(): Promise<void> {
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' });
  const port = Number(process.env.PORT ?? 8787);
  const host = process.env.HOST ?? '127.0.0.1';
  const database = await openDatabase(process.env.DATABASE_URL);
  logger.info({ dialect: database.dialect, location: database.location }, 'database ready');
  if (process.env.BLOCKLINE_DEMO === '1') {
    const seed = await seedDemoOrg(database, demoTokensFromEnv());
    logger.info({ orgId: seed.orgId, created: seed.created }, 'demo org ready');
    process.stdout.write(`${JSON.stringify({ demo: seed })}\n`);
  }
  const app = await buildServer({ db: database, logger, rateLimit: rateLimitFromEnv(process.env) });
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

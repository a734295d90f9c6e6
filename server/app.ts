/**
 * The org server (SPEC §9): Fastify with the shared zod schemas for validation and for the generated
 * OpenAPI document, bearer-token auth scoped to one org, and the sync feed (snapshot, changes, SSE).
 * This file builds the shared context and registers every plugin and route file, in order, in one place.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import type { BlocklineContext } from './context';
import type { Database } from './db/database';
import { ChangeHub } from './hub';
import { authPlugin } from './plugins/auth';
import { backgroundJobsPlugin } from './plugins/background-jobs';
import { compressionPlugin } from './plugins/compression';
import { errorsPlugin } from './plugins/errors';
import { openApiPlugin } from './plugins/openapi';
import {
  DEFAULT_RATE_LIMIT,
  rateLimitPlugin,
  writeLimitConfig,
  type RateLimitOptions,
} from './plugins/rate-limits';
import { DEFAULT_CHANGE_RETENTION, Repository } from './repository';
import { auditRoutes } from './routes/audit';
import { lineRoutes } from './routes/lines';
import { meRoutes } from './routes/me';
import { reportRoutes } from './routes/reports';
import { ruleRoutes } from './routes/rules';
import { settingsRoutes } from './routes/settings';
import { syncRoutes } from './routes/sync';
import { sweepExpiredRules } from './rules-service';

export { DEFAULT_RATE_LIMIT, type RateLimitOptions } from './plugins/rate-limits';
export type { BlocklineContext } from './context';

export interface ServerOptions {
  db: Database;
  /** A pino logger, `true` for Fastify's default pino, or `false`/absent for none. */
  logger?: FastifyBaseLogger | boolean;
  /** The clock (ms since the epoch); tests move it. */
  now?: () => number;
  rateLimit?: RateLimitOptions | false;
  heartbeatMs?: number;
  changeRetention?: number;
  /** How often expired rules are removed; `false` turns the timer off (call `sweepExpired`). */
  sweepIntervalMs?: number | false;
  /**
   * SQLite only: how often to look for changes written to the file by another process (the admin
   * CLI), which cannot notify this one; default 1000 ms. PostgreSQL uses LISTEN/NOTIFY instead.
   */
  externalWritePollMs?: number | false;
  bodyLimit?: number;
}

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const rateLimit = options.rateLimit === undefined ? DEFAULT_RATE_LIMIT : options.rateLimit;
  const logger = options.logger;
  const app = Fastify({
    ...(typeof logger === 'object' ? { loggerInstance: logger } : { logger: logger ?? false }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // Clients reconnect SSE by themselves; shutdown ends the streams explicitly (background jobs).
    return503OnClosing: true,
  });

  const store: Repository = new Repository(options.db, {
    now: options.now ?? Date.now,
    changeRetention: options.changeRetention ?? DEFAULT_CHANGE_RETENTION,
    onCommitted: (orgId, revision) => hub.notify(orgId, revision),
    log: app.log,
  });
  const hub = new ChangeHub(store, app.log);
  app.decorate('blockline', {
    store,
    hub,
    streams: new Set(),
    sweepExpired: () => sweepExpiredRules(store),
    writeLimit: writeLimitConfig(rateLimit),
    heartbeatMs: options.heartbeatMs ?? 15_000,
  } satisfies BlocklineContext);

  app.setValidatorCompiler(validatorCompiler);
  // Responses are built from typed data; re-validating 100,000 rules per snapshot would only cost time.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  // Cross-cutting plugins first: compression, the OpenAPI document and limits watch routes as they are added.
  await app.register(errorsPlugin);
  await app.register(compressionPlugin);
  await app.register(openApiPlugin);
  if (rateLimit !== false) await app.register(rateLimitPlugin);
  await app.register(authPlugin, {
    failuresPerMinute: rateLimit === false ? null : rateLimit.authFailuresPerMinute,
  });
  await app.register(backgroundJobsPlugin, {
    db: options.db,
    sweepIntervalMs: options.sweepIntervalMs ?? 30_000,
    externalWritePollMs: options.externalWritePollMs ?? 1000,
  });

  // One file per resource.
  await app.register(meRoutes);
  await app.register(lineRoutes);
  await app.register(ruleRoutes);
  await app.register(settingsRoutes);
  await app.register(syncRoutes);
  await app.register(reportRoutes);
  await app.register(auditRoutes);
  return app;
}

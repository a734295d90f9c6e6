/**
 * The org server (SPEC §9): Fastify with the shared zod schemas for validation and for the generated
 * OpenAPI document, bearer-token auth scoped to one org, and the sync feed (snapshot, changes, SSE).
 * This file builds the shared context and registers every plugin and route file, in order, in one place.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import type { BlocklineContext } from './context';
import type { Database } from './db/database';
import { ChangeHub } from './hub';
import { authPlugin } from './plugins/auth';
import { backgroundJobsPlugin } from './plugins/background-jobs';
import { compressionPlugin } from './plugins/compression';
import { errorsPlugin } from './plugins/errors';
import { openApiPlugin } from './plugins/openapi';
import { requestLogPlugin } from './plugins/request-log';
import {
  DEFAULT_RATE_LIMIT,
  rateLimitPlugin,
  routeLimits,
  type RateLimitOptions,
} from './plugins/rate-limits';
import { DEFAULT_CHANGE_RETENTION, Repository } from './repository';
import { announcementRoutes } from './routes/announcements';
import { auditRoutes } from './routes/audit';
import { insightRoutes } from './routes/insight';
import { inviteRoutes } from './routes/invites';
import { statsRoutes } from './routes/stats';
import { lineRoutes } from './routes/lines';
import { meRoutes } from './routes/me';
import { peopleRoutes } from './routes/people';
import { reportRoutes } from './routes/reports';
import { blockRequestRoutes } from './routes/block-requests';
import { reviewRoutes } from './routes/reviews';
import { ruleRoutes } from './routes/rules';
import { settingsRoutes } from './routes/settings';
import { syncRoutes } from './routes/sync';
import { wrapUpRoutes } from './routes/wrap-ups';
import { rollUpAndPruneReports } from './report-retention';
import { sweepExpiredRules } from './rules-service';
import { DEFAULT_STREAM_LIMITS, StreamRegistry, type StreamLimits } from './stream-registry';

export { DEFAULT_RATE_LIMIT, type RateLimitOptions } from './plugins/rate-limits';
export type { BlocklineContext } from './context';
export { DEFAULT_STREAM_LIMITS, type StreamLimits } from './stream-registry';

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
  /** Raw call reports are kept this many days after being rolled up into daily counts (90). */
  reportRetentionDays?: number;
  /** How often the roll-up and pruning run (hourly); `false` turns the timer off (call `pruneReports`). */
  retentionIntervalMs?: number | false;
  /** How often every instance checks for revoked tokens and disabled users with open streams (500 ms). */
  accessPollMs?: number | false;
  /** Open event streams per token (the oldest goes first) and per server (then 429). */
  streamLimits?: Partial<StreamLimits>;
  /**
   * Behind a reverse proxy: take the client address from X-Forwarded-For. `true` trusts any proxy; a
   * string names the proxies' addresses or CIDRs ("127.0.0.1,10.0.0.0/8"). Off by default: the header
   * is then ignored, so a client cannot pick its own address.
   */
  trustProxy?: boolean | string;
  bodyLimit?: number;
}

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const rateLimit = options.rateLimit === undefined ? DEFAULT_RATE_LIMIT : options.rateLimit;
  const logger = options.logger;
  const app = Fastify({
    ...(typeof logger === 'object' ? { loggerInstance: logger } : { logger: logger ?? false }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    trustProxy: options.trustProxy ?? false,
    // Logged by the request-log plugin instead, without query values (tokens never reach the logs).
    logController: new LogController({ disableRequestLogging: true }),
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
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  app.decorate('blockline', {
    store,
    hub,
    streams: new StreamRegistry({ ...DEFAULT_STREAM_LIMITS, ...options.streamLimits }, heartbeatMs),
    sweepExpired: () => sweepExpiredRules(store),
    pruneReports: () => rollUpAndPruneReports(store, options.reportRetentionDays),
    ...routeLimits(rateLimit),
    heartbeatMs,
  } satisfies BlocklineContext);

  app.setValidatorCompiler(validatorCompiler);
  // Responses are built from typed data; re-validating 100,000 rules per snapshot would only cost time.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  // Cross-cutting plugins first: compression, the OpenAPI document and limits watch routes as they are added.
  await app.register(errorsPlugin);
  await app.register(requestLogPlugin);
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
    accessPollMs: options.accessPollMs ?? 500,
    retentionIntervalMs: options.retentionIntervalMs ?? 3_600_000,
  });

  // One file per resource.
  await app.register(meRoutes);
  await app.register(lineRoutes);
  await app.register(ruleRoutes);
  await app.register(settingsRoutes);
  await app.register(syncRoutes);
  await app.register(reportRoutes);
  await app.register(wrapUpRoutes);
  await app.register(reviewRoutes);
  await app.register(blockRequestRoutes);
  await app.register(auditRoutes);
  await app.register(statsRoutes);
  await app.register(insightRoutes);
  await app.register(inviteRoutes);
  await app.register(peopleRoutes);
  await app.register(announcementRoutes);
  return app;
}

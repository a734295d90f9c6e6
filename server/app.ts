/**
 * The org server (SPEC §9): Fastify with the shared zod schemas for validation and for the generated
 * OpenAPI document, bearer-token auth scoped to one org, and the sync feed (snapshot, changes, SSE).
 */
import { Readable } from 'node:stream';
import fastifyCompress from '@fastify/compress';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyContextConfig,
  type FastifyError,
  type FastifyInstance,
  type FastifyRequest,
} from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';
import { z } from 'zod';
import {
  announcementModeSchema,
  bulkCreateRequestSchema,
  bulkCreateResponseSchema,
  callReportsRequestSchema,
  callReportsResponseSchema,
  changesQuerySchema,
  changesResponseSchema,
  createRuleRequestSchema,
  errorEnvelopeSchema,
  lineSchema,
  linesResponseSchema,
  listRulesQuerySchema,
  listRulesResponseSchema,
  MAX_BULK_ENTRIES,
  meResponseSchema,
  patchRuleRequestSchema,
  settingsPatchRequestSchema,
  settingsResponseSchema,
  snapshotResponseSchema,
  testNumberQuerySchema,
  testNumberResponseSchema,
  type ErrorCode,
} from '../shared/contracts/api';
import { rulesToCsv } from '../shared/bulk';
import { e164Schema, ruleSchema } from '../shared/rules';
import type { OrgSettings } from '../shared/settings';
import type { Database } from './db/database';
import { ApiError, codeForStatus, forbidden } from './errors';
import { ChangeHub } from './hub';
import { hashToken } from './ids';
import {
  changesSince,
  listRules,
  patchSettings,
  rulePages,
  setAnnouncementMode,
  snapshotJson,
} from './org-service';
import { receiveCallReports } from './reports-service';
import { bulkCreateRules, createRule, deleteRule, patchRule, sweepExpiredRules } from './rules-service';
import { SseStream } from './sse';
import { DEFAULT_CHANGE_RETENTION, Store, type Actor, type AuthenticatedUser } from './store';
import { testNumberForOrg } from './verdict';
import { auditRoutes } from './routes/audit';
import { insightRoutes } from './routes/insight';
import { statsRoutes } from './routes/stats';

export interface RateLimitOptions {
  /** Writes per token (or address) per minute. */
  writesPerMinute: number;
  /** Failed authentications per address per minute before every attempt from it gets 429. */
  authFailuresPerMinute: number;
}

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

export interface BlocklineContext {
  store: Store;
  hub: ChangeHub;
  sweepExpired: () => Promise<number>;
  /** Open SSE streams on this instance. */
  streams: Set<SseStream>;
}

declare module 'fastify' {
  interface FastifyInstance {
    blockline: BlocklineContext;
  }
  interface FastifyRequest {
    user: AuthenticatedUser | null;
  }
  interface FastifyContextConfig {
    /** Routes open without a token (health, OpenAPI). */
    public?: boolean;
  }
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { writesPerMinute: 600, authFailuresPerMinute: 30 };

const ERROR_RESPONSES = {
  400: errorEnvelopeSchema,
  401: errorEnvelopeSchema,
  403: errorEnvelopeSchema,
  404: errorEnvelopeSchema,
  429: errorEnvelopeSchema,
};

const eventsQuerySchema = z
  .object({
    since: z.coerce.number().int().nonnegative().optional(),
    /** EventSource cannot send headers: the token may come in the query instead. */
    access_token: z.string().max(200).optional(),
  })
  .strict();

const ruleIdParamsSchema = z.object({ id: z.string().min(1).max(100) }).strict();
const lineParamsSchema = z.object({ number: e164Schema }).strict();
const linePatchSchema = z.object({ announcementMode: announcementModeSchema }).strict();

export function canManage(user: AuthenticatedUser, settings: OrgSettings): boolean {
  return user.role === 'admin' || user.role === 'lead' || settings.whoCanManage === 'everyone';
}

function actorOf(user: AuthenticatedUser): Actor {
  return { id: user.id, name: user.name };
}

function bearerTokenOf(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1] ?? null;
  }
  if (request.routeOptions.url === '/v1/events') {
    const query = request.query as Record<string, unknown> | undefined;
    const token = query?.access_token;
    if (typeof token === 'string' && token !== '') return token;
  }
  return null;
}

/** Fixed-window counter of failed authentications per address. */
class FailureCounter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  constructor(private readonly limit: number) {}

  blocked(key: string, nowMs: number): boolean {
    const window = this.windows.get(key);
    return window !== undefined && window.resetAt > nowMs && window.count >= this.limit;
  }

  fail(key: string, nowMs: number): void {
    const window = this.windows.get(key);
    if (window === undefined || window.resetAt <= nowMs) {
      if (this.windows.size > 10_000) this.windows.clear();
      this.windows.set(key, { count: 1, resetAt: nowMs + 60_000 });
    } else window.count += 1;
  }
}

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/** gzip, else brotli, else identity, by the client's Accept-Encoding (an encoding with q=0 is refused). */
export function preferredEncoding(header: string | undefined): 'gzip' | 'br' | null {
  const accepted = new Set<string>();
  for (const part of (header ?? '').toLowerCase().split(',')) {
    const [name = '', ...params] = part.split(';').map((piece) => piece.trim());
    if (params.some((param) => /^q=0(\.0*)?$/.test(param))) continue;
    accepted.add(name === 'x-gzip' ? 'gzip' : name);
  }
  if (accepted.has('gzip') || accepted.has('*')) return 'gzip';
  return accepted.has('br') ? 'br' : null;
}

function envelope(code: ErrorCode, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const now = options.now ?? Date.now;
  const rateLimit = options.rateLimit === undefined ? DEFAULT_RATE_LIMIT : options.rateLimit;
  const logger = options.logger;
  const app = Fastify({
    ...(typeof logger === 'object' ? { loggerInstance: logger } : { logger: logger ?? false }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // Clients reconnect SSE by themselves; shutdown ends the streams explicitly (preClose below).
    return503OnClosing: true,
  });

  const streams = new Set<SseStream>();
  const store: Store = new Store(options.db, {
    now,
    changeRetention: options.changeRetention ?? DEFAULT_CHANGE_RETENTION,
    onCommitted: (orgId, revision) => hub.notify(orgId, revision),
  });
  const hub = new ChangeHub(store, app.log);
  app.decorate('blockline', {
    store,
    hub,
    streams,
    sweepExpired: () => sweepExpiredRules(store),
  } satisfies BlocklineContext);
  app.decorateRequest('user', null);

  app.setValidatorCompiler(validatorCompiler);
  // Responses are built from typed data; re-validating 100,000 rules per snapshot would only cost time.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    if (error instanceof ApiError) {
      return reply.status(error.statusCode).send(envelope(error.code, error.message, error.details));
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const details = error.validation.map((issue) => ({ path: issue.instancePath, message: issue.message }));
      const where = error.validationContext ?? 'request';
      return reply.status(400).send(envelope('validation_failed', `the ${where} is not valid`, details));
    }
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.status(500).send(envelope('internal', 'internal server error'));
    }
    const message =
      error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError
        ? 'the body is not valid JSON'
        : error.message;
    return reply.status(status).send(envelope(codeForStatus(status), message));
  });
  app.setNotFoundHandler((request, reply) => {
    reply
      .status(404)
      .send(envelope('not_found', `no route for ${request.method} ${request.url.split('?')[0] ?? ''}`));
  });

  await app.register(fastifyCompress, {
    global: true,
    threshold: 1024,
    // gzip first: on a 100,000-rule snapshot (25 MB of JSON) it is 3-4x faster than brotli at quality 4
    // for 620 KB instead of 490 KB on the wire. Brotli stays for clients that ask only for it.
    encodings: ['gzip', 'br', 'deflate'],
    brotliOptions: { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 4 } },
  });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Blockline org server',
        version: '1.0.0',
        description: 'The organization-wide call blocklist.',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  if (rateLimit !== false) {
    await app.register(fastifyRateLimit, {
      global: false,
      keyGenerator: (request) => {
        const header = request.headers.authorization;
        return typeof header === 'string' ? hashToken(header) : request.ip;
      },
      errorResponseBuilder: (_request, context) =>
        new ApiError(429, 'rate_limited', `too many requests: retry in ${Math.ceil(context.ttl / 1000)} s`),
    });
  }
  const writeConfig: FastifyContextConfig =
    rateLimit === false ? {} : { rateLimit: { max: rateLimit.writesPerMinute, timeWindow: 60_000 } };

  const failures = rateLimit === false ? null : new FailureCounter(rateLimit.authFailuresPerMinute);
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.public === true || !request.url.startsWith('/v1/')) return;
    if (request.is404) return;
    const nowMs = Date.now();
    if (failures?.blocked(request.ip, nowMs) === true) {
      throw new ApiError(429, 'rate_limited', 'too many failed authentications: retry in a minute');
    }
    const token = bearerTokenOf(request);
    const user = token === null ? null : await store.authenticate(hashToken(token));
    if (user === null) {
      failures?.fail(request.ip, nowMs);
      throw new ApiError(
        401,
        'unauthorized',
        token === null ? 'a bearer token is required' : 'the token is not valid or has been revoked',
      );
    }
    request.user = user;
  });

  function userOf(request: FastifyRequest): AuthenticatedUser {
    if (request.user === null) throw new ApiError(401, 'unauthorized', 'a bearer token is required');
    return request.user;
  }

  async function settingsOf(user: AuthenticatedUser): Promise<OrgSettings> {
    const org = await store.getOrg(user.orgId);
    if (org === null) throw new ApiError(401, 'unauthorized', 'the token belongs to no org');
    return org.settings;
  }

  function requireManager(request: FastifyRequest): AuthenticatedUser {
    const user = userOf(request);
    if (!canManage(user, user.orgSettings)) {
      throw forbidden('only admins and leads may change the list and settings of this org');
    }
    return user;
  }

  app.addHook('onClose', async () => {
    for (const stream of [...streams]) stream.close();
  });
  // End SSE streams first so the HTTP server can close once in-flight requests finish.
  app.addHook('preClose', async () => {
    for (const stream of [...streams]) stream.close();
  });

  let stopListening: (() => Promise<void>) | null = null;
  if (options.db.listen !== undefined) {
    stopListening = await options.db.listen(
      (payload) => hub.notifyFromPayload(payload),
      () => void hub.refreshAll(),
    );
  }
  let externalPollTimer: NodeJS.Timeout | null = null;
  const externalPollMs = options.externalWritePollMs ?? 1000;
  if (options.db.listen === undefined && externalPollMs !== false) {
    // One revision read per org that has clients; the hub pushes whatever is newer than it delivered.
    let polling = false;
    externalPollTimer = setInterval(() => {
      if (polling || hub.listenerCount === 0) return;
      polling = true;
      hub
        .refreshAll()
        .catch((error: unknown) => app.log.error({ err: error }, 'could not look for external writes'))
        .finally(() => {
          polling = false;
        });
    }, externalPollMs);
    externalPollTimer.unref();
  }
  let sweepTimer: NodeJS.Timeout | null = null;
  const sweepInterval = options.sweepIntervalMs ?? 30_000;
  if (sweepInterval !== false) {
    sweepTimer = setInterval(() => {
      sweepExpiredRules(store).catch((error: unknown) =>
        app.log.error({ err: error }, 'expiry sweep failed'),
      );
    }, sweepInterval);
    sweepTimer.unref();
  }
  app.addHook('onClose', async () => {
    if (sweepTimer !== null) clearInterval(sweepTimer);
    if (externalPollTimer !== null) clearInterval(externalPollTimer);
    if (stopListening !== null) await stopListening();
  });

  const api = app.withTypeProvider<ZodTypeProvider>();
  const heartbeatMs = options.heartbeatMs ?? 15_000;

  api.get('/healthz', { config: { public: true }, schema: { hide: true } }, async () => ({ status: 'ok' }));
  api.get('/readyz', { config: { public: true }, schema: { hide: true } }, async (_request, reply) => {
    try {
      await store.db.selectFrom('orgs').select('id').limit(1).execute();
      return { status: 'ready' };
    } catch {
      return reply.status(503).send(envelope('internal', 'the database is not reachable'));
    }
  });
  api.get('/v1/openapi.json', { config: { public: true }, schema: { hide: true } }, async () =>
    app.swagger(),
  );

  api.get(
    '/v1/me',
    {
      schema: {
        summary: 'The caller, their org, and whether they may manage',
        response: { 200: meResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const user = userOf(request);
      const org = await store.getOrg(user.orgId);
      if (org === null) throw new ApiError(401, 'unauthorized', 'the token belongs to no org');
      return {
        user: { id: user.id, name: user.name, role: user.role },
        org: {
          id: org.id,
          name: org.name,
          defaultCountry: org.settings.defaultCountry,
          timeZone: org.timeZone,
        },
        canManage: canManage(user, org.settings),
      };
    },
  );

  api.get(
    '/v1/lines',
    { schema: { summary: "The org's lines", response: { 200: linesResponseSchema, ...ERROR_RESPONSES } } },
    async (request) => ({ lines: await store.listLines(userOf(request).orgId) }),
  );

  api.patch(
    '/v1/lines/:number',
    {
      config: writeConfig,
      schema: {
        summary: 'Set how blocked callers hear the announcement on a line',
        params: lineParamsSchema,
        body: linePatchSchema,
        response: { 200: lineSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const user = requireManager(request);
      return setAnnouncementMode(
        store,
        user.orgId,
        request.params.number,
        request.body.announcementMode,
        actorOf(user),
      );
    },
  );

  api.get(
    '/v1/blocked-numbers',
    {
      schema: {
        summary: 'List rules: search, sort, filter, cursor paging',
        querystring: listRulesQuerySchema,
        response: { 200: listRulesResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const user = userOf(request);
      return listRules(store, user.orgId, user.orgSettings, request.query);
    },
  );

  api.post(
    '/v1/blocked-numbers',
    {
      config: writeConfig,
      schema: {
        summary: 'Add one rule',
        body: createRuleRequestSchema,
        response: { 201: ruleSchema, 409: errorEnvelopeSchema, 422: errorEnvelopeSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const user = requireManager(request);
      const rule = await createRule(store, user.orgId, request.body, actorOf(user));
      return reply.status(201).send(rule);
    },
  );

  api.post(
    '/v1/blocked-numbers/bulk',
    {
      config: writeConfig,
      schema: {
        summary: `Add up to ${MAX_BULK_ENTRIES} rules, one result per entry`,
        body: bulkCreateRequestSchema,
        response: { 200: bulkCreateResponseSchema, 413: errorEnvelopeSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const user = requireManager(request);
      const { entries, source } = request.body;
      if (entries.length > MAX_BULK_ENTRIES) {
        throw new ApiError(
          413,
          'payload_too_large',
          `one request carries at most ${MAX_BULK_ENTRIES} entries (got ${entries.length}): split the list`,
          { max: MAX_BULK_ENTRIES, got: entries.length },
        );
      }
      return { results: await bulkCreateRules(store, user.orgId, entries, source, actorOf(user)) };
    },
  );

  api.get(
    '/v1/blocked-numbers/export.csv',
    { schema: { summary: 'The whole list as CSV (number,reason,scope,kind,expiresAt), streamed' } },
    async (request, reply) => {
      const user = userOf(request);
      async function* csv(): AsyncGenerator<string> {
        let first = true;
        for await (const page of rulePages(store, user.orgId)) {
          const text = rulesToCsv(page);
          yield first ? text : text.slice(text.indexOf('\r\n') + 2);
          first = false;
        }
        if (first) yield rulesToCsv([]);
      }
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="blocked-numbers.csv"')
        .send(Readable.from(csv()));
    },
  );

  api.patch(
    '/v1/blocked-numbers/:id',
    {
      config: writeConfig,
      schema: {
        summary: "Edit a rule's reason or expiry",
        params: ruleIdParamsSchema,
        body: patchRuleRequestSchema,
        response: { 200: ruleSchema, 422: errorEnvelopeSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const user = requireManager(request);
      return patchRule(store, user.orgId, request.params.id, request.body, actorOf(user));
    },
  );

  api.delete(
    '/v1/blocked-numbers/:id',
    {
      config: writeConfig,
      schema: {
        summary: 'Delete a rule',
        params: ruleIdParamsSchema,
        response: { 204: z.null(), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const user = requireManager(request);
      await deleteRule(store, user.orgId, request.params.id, actorOf(user));
      return reply.status(204).send(null);
    },
  );

  api.get(
    '/v1/test-number',
    {
      schema: {
        summary: 'The verdict the apps would reach now for a caller on a line',
        querystring: testNumberQuerySchema,
        response: { 200: testNumberResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) =>
      testNumberForOrg(store, userOf(request).orgId, request.query.number, request.query.line ?? null),
  );

  api.get(
    '/v1/settings',
    {
      schema: { summary: 'The org settings', response: { 200: settingsResponseSchema, ...ERROR_RESPONSES } },
    },
    async (request) => settingsOf(userOf(request)),
  );

  api.patch(
    '/v1/settings',
    {
      config: writeConfig,
      schema: {
        summary: 'Change org settings (a partial update)',
        body: settingsPatchRequestSchema,
        response: { 200: settingsResponseSchema, 422: errorEnvelopeSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const user = requireManager(request);
      if (request.body.whoCanManage !== undefined && user.role === 'agent') {
        throw forbidden('only admins and leads may change who can manage');
      }
      return patchSettings(store, user.orgId, request.body, actorOf(user));
    },
  );

  // Registered without the zod type provider: the handler sends JSON text the database assembled.
  app.get(
    '/v1/sync/snapshot',
    {
      compress: false,
      schema: {
        summary: 'The whole list, settings, lines and revision',
        response: { 200: snapshotResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const text = await snapshotJson(store, userOf(request).orgId);
      reply.type('application/json; charset=utf-8').header('vary', 'accept-encoding');
      // Compressed here in one piece on the zlib thread pool: 25 MB for 100,000 rules must not stall
      // the event loop that feeds the SSE streams.
      const encoding = preferredEncoding(request.headers['accept-encoding']);
      if (encoding === 'gzip')
        return reply.header('content-encoding', 'gzip').send(await gzipAsync(text, { level: 6 }));
      if (encoding === 'br') {
        const params = {
          [zlibConstants.BROTLI_PARAM_QUALITY]: 4,
          [zlibConstants.BROTLI_PARAM_SIZE_HINT]: text.length,
        };
        return reply.header('content-encoding', 'br').send(await brotliAsync(text, { params }));
      }
      return reply.send(text);
    },
  );

  api.get(
    '/v1/sync/changes',
    {
      schema: {
        summary: 'Changes after a revision (410 snapshot_required when the log no longer reaches back)',
        querystring: changesQuerySchema,
        response: { 200: changesResponseSchema, 410: errorEnvelopeSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => changesSince(store, userOf(request).orgId, request.query.since),
  );

  api.get(
    '/v1/events',
    {
      schema: {
        summary:
          'Server-Sent Events: id = revision, event = change, data = Change; resume with Last-Event-ID',
        querystring: eventsQuerySchema,
        response: { 410: errorEnvelopeSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const user = userOf(request);
      const org = await store.getOrg(user.orgId);
      if (org === null) throw new ApiError(401, 'unauthorized', 'the token belongs to no org');
      const lastEventId = request.headers['last-event-id'];
      let since = request.query.since ?? org.revision;
      if (typeof lastEventId === 'string' && lastEventId.trim() !== '') {
        const parsed = Number(lastEventId);
        if (!Number.isInteger(parsed) || parsed < 0) {
          throw new ApiError(400, 'bad_request', 'Last-Event-ID must be a revision number');
        }
        since = parsed;
      }
      if (since < org.logFloor || since > org.revision) {
        throw new ApiError(
          410,
          'snapshot_required',
          `cannot resume from revision ${since}: take a snapshot`,
          {
            revision: org.revision,
            oldestAvailable: org.logFloor,
          },
        );
      }
      reply.hijack();
      const stream = new SseStream(reply.raw, store, user.orgId, since, (closed) => streams.delete(closed));
      streams.add(stream);
      stream.start(hub, heartbeatMs);
    },
  );

  api.post(
    '/v1/call-reports',
    {
      config: writeConfig,
      schema: {
        summary: 'Report blocked and allowed call attempts (idempotent by report id)',
        body: callReportsRequestSchema,
        response: { 200: callReportsResponseSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => receiveCallReports(store, userOf(request), request.body.reports),
  );

  await app.register(auditRoutes);
  await app.register(statsRoutes);
  await app.register(insightRoutes);

  return app;
}

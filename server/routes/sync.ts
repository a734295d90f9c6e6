/** How the apps follow the list: the snapshot, the changes after a revision, and the SSE stream. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  apiRoutes,
  changesQuerySchema,
  changesResponseSchema,
  errorEnvelopeSchema,
  snapshotResponseSchema,
} from '../../shared/contracts/api';
import { ApiError } from '../errors';
import { changesSince, snapshotJson } from '../org-service';
import { userOf } from '../plugins/auth';
import { sendCompressed } from '../plugins/compression';
import { SseStream } from '../sse';
import { openEventResponse } from '../sse-http';
import { ERROR_RESPONSES, mount } from './common';

// No token in the query: URLs end up in logs and proxies' histories (SPEC §11.6); our clients send headers.
const eventsQuerySchema = z.object({ since: z.coerce.number().int().nonnegative().optional() }).strict();

export const syncRoutes: FastifyPluginAsyncZod = async (app) => {
  const { store, hub, streams, readLimit } = app.blockline;

  app.route({
    ...mount(apiRoutes.snapshot),
    config: readLimit,
    // Compressed by the handler in one piece (sendCompressed), not by the compress plugin's stream.
    compress: false,
    schema: {
      summary: 'The whole list, settings, lines and revision',
      response: { 200: snapshotResponseSchema, ...ERROR_RESPONSES },
    },
    handler: async (request, reply) => {
      // JSON text the database assembled, sent as it is.
      const text = await snapshotJson(store, userOf(request).orgId);
      reply.type('application/json; charset=utf-8');
      return sendCompressed(request, reply, text);
    },
  });

  app.route({
    ...mount(apiRoutes.changes),
    config: readLimit,
    schema: {
      summary: 'Changes after a revision (410 snapshot_required when the log no longer reaches back)',
      querystring: changesQuerySchema,
      response: { 200: changesResponseSchema, 410: errorEnvelopeSchema, ...ERROR_RESPONSES },
    },
    handler: async (request) => changesSince(store, userOf(request).orgId, request.query.since),
  });

  app.route({
    ...mount(apiRoutes.events),
    schema: {
      summary: 'Server-Sent Events: id = revision, event = change, data = Change; resume with Last-Event-ID',
      querystring: eventsQuerySchema,
      response: { 410: errorEnvelopeSchema, ...ERROR_RESPONSES },
    },
    // A client that reconnects in a loop is not limited here: the per-token cap on open streams is.
    handler: async (request, reply) => {
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
      if (!streams.makeRoom(user.tokenId)) {
        // Refused sockets must not stay open on keep-alive: they are what runs a server out of files.
        reply.header('connection', 'close');
        throw new ApiError(
          429,
          'rate_limited',
          'the server has no room for another event stream: retry later',
          {
            max: streams.limits.perServer,
          },
        );
      }
      reply.hijack();
      const owner = { orgId: user.orgId, tokenId: user.tokenId };
      const output = openEventResponse(reply.raw);
      const stream = new SseStream(output, store, owner, since, (closed) => streams.remove(closed));
      streams.add(stream);
      stream.start(hub);
    },
  });
};

/** "Ask a lead to block" (SPEC §7.1b): anyone asks; leads and admins list and resolve. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { apiRoutes, errorEnvelopeSchema } from '../../shared/contracts/api';
import {
  blockRequestParamsSchema,
  blockRequestsResponseSchema,
  createBlockRequestResponseSchema,
  createBlockRequestSchema,
  resolveBlockRequestResponseSchema,
  resolveBlockRequestSchema,
} from '../../shared/contracts/block-requests';
import { createBlockRequest, listOpenBlockRequests, resolveBlockRequest } from '../block-requests-service';
import { forbidden } from '../errors';
import { actorOf, userOf } from '../plugins/auth';
import type { AuthenticatedUser } from '../repository';
import { ERROR_RESPONSES, mount } from './common';

/** The inbox is for leads and admins, whatever the org lets agents manage. */
function requireLead(user: AuthenticatedUser): AuthenticatedUser {
  if (user.role === 'agent') throw forbidden('only admins and leads see and resolve block requests');
  return user;
}

export const blockRequestRoutes: FastifyPluginAsyncZod = async (app) => {
  const { store, readLimit, writeLimit, askLimit } = app.blockline;
  app.route({
    ...mount(apiRoutes.createBlockRequest),
    config: askLimit,
    schema: {
      summary: 'Ask the leads to block a number (any member); an open request for it is returned instead',
      body: createBlockRequestSchema,
      response: {
        200: createBlockRequestResponseSchema,
        201: createBlockRequestResponseSchema,
        422: errorEnvelopeSchema,
        ...ERROR_RESPONSES,
      },
    },
    handler: async (request, reply) => {
      const user = userOf(request);
      const result = await createBlockRequest(store, user.orgId, request.body, actorOf(user));
      return reply.status(result.alreadyAsked ? 200 : 201).send(result);
    },
  });
  app.route({
    ...mount(apiRoutes.blockRequests),
    config: readLimit,
    schema: {
      summary: 'Open block requests, newest first (leads and admins)',
      response: { 200: blockRequestsResponseSchema, ...ERROR_RESPONSES },
    },
    handler: async (request) => ({
      items: await listOpenBlockRequests(store, requireLead(userOf(request)).orgId),
    }),
  });
  app.route({
    ...mount(apiRoutes.resolveBlockRequest),
    config: writeLimit,
    schema: {
      summary: 'Approve (the rule is made, with the scope and expiry given) or dismiss a block request',
      params: blockRequestParamsSchema,
      body: resolveBlockRequestSchema,
      response: {
        200: resolveBlockRequestResponseSchema,
        409: errorEnvelopeSchema,
        422: errorEnvelopeSchema,
        ...ERROR_RESPONSES,
      },
    },
    handler: async (request) => {
      const user = requireLead(userOf(request));
      return resolveBlockRequest(store, user.orgId, request.params.id, request.body, actorOf(user));
    },
  });
};

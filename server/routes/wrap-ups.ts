/** Wrap-ups of answered calls, by the call's report id (SPEC §10.11). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { apiRoutes, errorEnvelopeSchema } from '../../shared/contracts/api';
import { wrapUpRequestSchema, wrapUpResponseSchema } from '../../shared/contracts/wrap-up';
import { safeText } from '../../shared/text';
import { userOf } from '../plugins/auth';
import { getWrapUp, putWrapUp } from '../wrap-up-service';
import { ERROR_RESPONSES, mount } from './common';

const wrapUpParamsSchema = z.object({ id: safeText(z.string().min(8).max(100)) }).strict();

export const wrapUpRoutes: FastifyPluginAsyncZod = async (app) => {
  const { store, readLimit, writeLimit } = app.blockline;
  app.route({
    ...mount(apiRoutes.putWrapUp),
    config: writeLimit,
    schema: {
      summary: "Save a call's wrap-up (disposition and note): the reporter's own call, or a lead",
      params: wrapUpParamsSchema,
      body: wrapUpRequestSchema,
      response: { 200: wrapUpResponseSchema, 422: errorEnvelopeSchema, ...ERROR_RESPONSES },
    },
    handler: async (request) => putWrapUp(store, userOf(request), request.params.id, request.body),
  });
  app.route({
    ...mount(apiRoutes.getWrapUp),
    config: readLimit,
    schema: {
      summary: "A call's wrap-up: the reporter's own call, or a lead",
      params: wrapUpParamsSchema,
      response: { 200: wrapUpResponseSchema, ...ERROR_RESPONSES },
    },
    handler: async (request) => getWrapUp(store, userOf(request), request.params.id),
  });
};

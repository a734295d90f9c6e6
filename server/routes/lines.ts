/** The org's lines: how blocked callers hear the announcement on each, and whether the PBX may auto-answer. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { apiRoutes, linePatchSchema, lineSchema, linesResponseSchema } from '../../shared/contracts/api';
import { e164Schema } from '../../shared/rules';
import { forbidden } from '../errors';
import { updateLine } from '../org-service';
import { actorOf, requireManager, userOf } from '../plugins/auth';
import { ERROR_RESPONSES, mount } from './common';

const lineParamsSchema = z.object({ number: e164Schema }).strict();

export const lineRoutes: FastifyPluginAsyncZod = async (app) => {
  const { store, writeLimit, readLimit } = app.blockline;
  app.route({
    ...mount(apiRoutes.lines),
    config: readLimit,
    schema: { summary: "The org's lines", response: { 200: linesResponseSchema, ...ERROR_RESPONSES } },
    handler: async (request) => ({ lines: await store.listLines(userOf(request).orgId) }),
  });

  app.route({
    ...mount(apiRoutes.updateLine),
    config: writeLimit,
    schema: {
      summary:
        'Set how blocked callers hear the announcement on a line, or (admins) whether it answers when the PBX asks',
      params: lineParamsSchema,
      body: linePatchSchema,
      response: { 200: lineSchema, ...ERROR_RESPONSES },
    },
    handler: async (request) => {
      const user = requireManager(request);
      // Auto-answer opens the agent's microphone to whoever the PBX lets through: admins only (SPEC §10.4).
      if (request.body.pbxAutoAnswer !== undefined && user.role !== 'admin')
        throw forbidden('only admins may turn auto-answer on or off for a line');
      return updateLine(store, user.orgId, request.params.number, request.body, actorOf(user));
    },
  });
};

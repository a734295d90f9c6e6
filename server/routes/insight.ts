/** What the org knows of a number (SPEC §12.3): every member, since agents see it on the ring card. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { apiRoutes } from '../../shared/contracts/api';
import { insightParamsSchema, insightResponseSchema } from '../../shared/contracts/oversight';
import { numberInsight } from '../insight-service';
import { EVERY_ROLE, requireRole } from '../roles';
import { ERROR_RESPONSES, mount } from './common';

export const insightRoutes: FastifyPluginAsyncZod = async (app) => {
  const { store, readLimit } = app.blockline;
  app.route({
    ...mount(apiRoutes.insight),
    config: readLimit,
    schema: {
      summary:
        'Rules that covered a number (deleted and expired too), agents it rang in the last hour, its last verification',
      params: insightParamsSchema,
      response: { 200: insightResponseSchema, ...ERROR_RESPONSES },
    },
    handler: async (request) => {
      const user = requireRole(request, EVERY_ROLE, 'what the org knows of a number');
      return numberInsight(store, user.orgId, request.params.number);
    },
  });
};

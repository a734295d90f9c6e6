/** What the org knows of a number (SPEC §12.3): every member, since agents see it on the ring card. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorEnvelopeSchema } from '../../shared/contracts/api';
import {
  insightParamsSchema,
  insightResponseSchema,
  oversightRoutes,
} from '../../shared/contracts/oversight';
import { numberInsight } from '../insight-service';
import { EVERY_ROLE, requireRole } from '../roles';

export const insightRoutes: FastifyPluginAsyncZod = async (app) => {
  const { store } = app.blockline;
  app.route({
    method: oversightRoutes.insight.method,
    url: oversightRoutes.insight.path,
    schema: {
      summary:
        'Rules that covered a number (deleted and expired too), agents it rang in the last hour, its last verification',
      params: insightParamsSchema,
      response: {
        200: insightResponseSchema,
        400: errorEnvelopeSchema,
        401: errorEnvelopeSchema,
        429: errorEnvelopeSchema,
      },
    },
    handler: async (request) => {
      const user = requireRole(request, EVERY_ROLE, 'what the org knows of a number');
      return numberInsight(store, user.orgId, request.params.e164);
    },
  });
};

/** The org's audit log: who changed what, when, before and after. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { apiRoutes, auditQuerySchema, auditResponseSchema } from '../../shared/contracts/api';
import { listAudit } from '../org-service';
import { userOf } from '../plugins/auth';
import { ERROR_RESPONSES, mount } from './common';

export const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  const { store } = app.blockline;
  app.route({
    ...mount(apiRoutes.audit),
    schema: {
      summary: 'Who changed what, when, before and after',
      querystring: auditQuerySchema,
      response: { 200: auditResponseSchema, ...ERROR_RESPONSES },
    },
    handler: async (request) => listAudit(store, userOf(request).orgId, request.query),
  });
};

/** The org's audit log: who changed what, when, before and after. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { apiRoutes, auditQuerySchema, auditResponseSchema } from '../../shared/contracts/api';
import { listAudit } from '../org-service';
import { forbidden } from '../errors';
import { userOf } from '../plugins/auth';
import { ERROR_RESPONSES, mount } from './common';

export const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  const { store, readLimit } = app.blockline;
  app.route({
    ...mount(apiRoutes.audit),
    config: readLimit,
    schema: {
      summary: 'Who changed what, when, before and after',
      querystring: auditQuerySchema,
      response: { 200: auditResponseSchema, ...ERROR_RESPONSES },
    },
    handler: async (request) => {
      const user = userOf(request);
      // Who changed what is for leads and admins, whatever the org lets agents manage (SPEC §6.4).
      if (user.role === 'agent') throw forbidden('only admins and leads may read the audit log');
      return listAudit(store, user.orgId, request.query);
    },
  });
};

/** The org's audit log (SPEC §12.1): who changed what, when, before and after. Leads and admins. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { apiRoutes, errorEnvelopeSchema } from '../../shared/contracts/api';
import { auditListQuerySchema, auditListResponseSchema } from '../../shared/contracts/oversight';
import { listAuditEntries } from '../audit-service';
import { LEADS_AND_ADMINS, requireRole } from '../roles';
import { ERROR_RESPONSES, mount } from './common';

export const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  const { store, readLimit } = app.blockline;
  app.route({
    ...mount(apiRoutes.audit),
    config: readLimit,
    schema: {
      summary:
        'Who changed what, when, before and after: filters by person, action, number and time; cursor paging',
      querystring: auditListQuerySchema,
      response: { 200: auditListResponseSchema, 422: errorEnvelopeSchema, ...ERROR_RESPONSES },
    },
    handler: async (request) => {
      // Who changed what is for leads and admins, whatever the org lets agents manage (SPEC §6.4, §12).
      const user = requireRole(request, LEADS_AND_ADMINS, 'the audit log');
      return listAuditEntries(store, user.orgId, user.orgSettings, request.query);
    },
  });
};

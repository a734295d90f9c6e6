/** The org's audit log (SPEC §12.1): who changed what, when, before and after. Leads and admins. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorEnvelopeSchema } from '../../shared/contracts/api';
import {
  auditListQuerySchema,
  auditListResponseSchema,
  oversightRoutes,
} from '../../shared/contracts/oversight';
import { listAuditEntries } from '../audit-service';
import { LEADS_AND_ADMINS, requireRole } from '../roles';

export const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  const { store } = app.blockline;
  app.route({
    method: oversightRoutes.audit.method,
    url: oversightRoutes.audit.path,
    schema: {
      summary:
        'Who changed what, when, before and after: filters by person, action, number and time; cursor paging',
      querystring: auditListQuerySchema,
      response: {
        200: auditListResponseSchema,
        400: errorEnvelopeSchema,
        401: errorEnvelopeSchema,
        403: errorEnvelopeSchema,
        422: errorEnvelopeSchema,
        429: errorEnvelopeSchema,
      },
    },
    handler: async (request) => {
      const user = requireRole(request, LEADS_AND_ADMINS, 'the audit log');
      return listAuditEntries(store, user.orgId, user.orgSettings, request.query);
    },
  });
};

/** The blocked-calls dashboard (SPEC §12.2): leads and admins. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { apiRoutes } from '../../shared/contracts/api';
import {
  statsBlockedQuerySchema,
  statsBlockedResponseSchema,
  statsTopQuerySchema,
  statsTopResponseSchema,
} from '../../shared/contracts/oversight';
import { ApiError } from '../errors';
import { LEADS_AND_ADMINS, requireRole } from '../roles';
import { blockedStats, topStats } from '../stats-service';
import { ERROR_RESPONSES, mount } from './common';

export const statsRoutes: FastifyPluginAsyncZod = async (app) => {
  const { store, readLimit } = app.blockline;
  const orgOf = async (orgId: string) => {
    const org = await store.getOrg(orgId);
    if (org === null) throw new ApiError(401, 'unauthorized', 'the token belongs to no org');
    return org;
  };
  app.route({
    ...mount(apiRoutes.statsBlocked),
    config: readLimit,
    schema: {
      summary: "Blocked inbound calls per day or hour and why, in the org's time zone",
      querystring: statsBlockedQuerySchema,
      response: { 200: statsBlockedResponseSchema, ...ERROR_RESPONSES },
    },
    handler: async (request) => {
      const user = requireRole(request, LEADS_AND_ADMINS, 'the activity dashboard');
      return blockedStats(store, await orgOf(user.orgId), request.query);
    },
  });
  app.route({
    ...mount(apiRoutes.statsTop),
    config: readLimit,
    schema: {
      summary: 'The numbers blocked most and the rules that blocked most, with their trend',
      querystring: statsTopQuerySchema,
      response: { 200: statsTopResponseSchema, ...ERROR_RESPONSES },
    },
    handler: async (request) => {
      const user = requireRole(request, LEADS_AND_ADMINS, 'the activity dashboard');
      return topStats(store, await orgOf(user.orgId), request.query);
    },
  });
};

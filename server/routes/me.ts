/** GET /v1/me: who the token belongs to, their org, and whether they may manage. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { apiRoutes, meResponseSchema } from '../../shared/contracts/api';
import { ApiError } from '../errors';
import { canManage, userOf } from '../plugins/auth';
import { ERROR_RESPONSES, mount } from './common';

export const meRoutes: FastifyPluginAsyncZod = async (app) => {
  const { store, readLimit } = app.blockline;
  app.route({
    ...mount(apiRoutes.me),
    config: readLimit,
    schema: {
      summary: 'The caller, their org, and whether they may manage',
      response: { 200: meResponseSchema, ...ERROR_RESPONSES },
    },
    handler: async (request) => {
      const user = userOf(request);
      const org = await store.getOrg(user.orgId);
      if (org === null) throw new ApiError(401, 'unauthorized', 'the token belongs to no org');
      return {
        user: { id: user.id, name: user.name, role: user.role },
        org: {
          id: org.id,
          name: org.name,
          defaultCountry: org.settings.defaultCountry,
          timeZone: org.timeZone,
        },
        canManage: canManage(user, org.settings),
      };
    },
  });
};

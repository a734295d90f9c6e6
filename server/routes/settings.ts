/** The org settings: read, and a partial update (SPEC §7.2). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  apiRoutes,
  errorEnvelopeSchema,
  settingsPatchRequestSchema,
  settingsResponseSchema,
} from '../../shared/contracts/api';
import { ApiError, forbidden } from '../errors';
import { patchSettings } from '../org-service';
import { actorOf, requireManager, userOf } from '../plugins/auth';
import { ERROR_RESPONSES, mount } from './common';

export const settingsRoutes: FastifyPluginAsyncZod = async (app) => {
  const { store, writeLimit, readLimit } = app.blockline;

  app.route({
    ...mount(apiRoutes.settings),
    config: readLimit,
    schema: { summary: 'The org settings', response: { 200: settingsResponseSchema, ...ERROR_RESPONSES } },
    handler: async (request) => {
      const org = await store.getOrg(userOf(request).orgId);
      if (org === null) throw new ApiError(401, 'unauthorized', 'the token belongs to no org');
      return org.settings;
    },
  });

  app.route({
    ...mount(apiRoutes.updateSettings),
    config: writeLimit,
    schema: {
      summary: 'Change org settings (a partial update)',
      body: settingsPatchRequestSchema,
      response: { 200: settingsResponseSchema, 422: errorEnvelopeSchema, ...ERROR_RESPONSES },
    },
    handler: async (request) => {
      const user = requireManager(request);
      if (request.body.whoCanManage !== undefined && user.role === 'agent') {
        throw forbidden('only admins and leads may change who can manage');
      }
      // The screen-pop opens a page on every agent's computer: admins decide where (SPEC §10.11).
      const crm = request.body.screenPopUrl !== undefined || request.body.wrapUpDispositions !== undefined;
      if (crm && user.role !== 'admin') {
        throw forbidden('only admins may change the screen-pop URL and the wrap-up dispositions');
      }
      return patchSettings(store, user.orgId, request.body, actorOf(user));
    },
  });
};

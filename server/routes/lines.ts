/** The org's lines, and how blocked callers hear the announcement on each. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  announcementModeSchema,
  apiRoutes,
  lineSchema,
  linesResponseSchema,
} from '../../shared/contracts/api';
import { e164Schema } from '../../shared/rules';
import { setAnnouncementMode } from '../org-service';
import { actorOf, requireManager, userOf } from '../plugins/auth';
import { ERROR_RESPONSES, mount } from './common';

const lineParamsSchema = z.object({ number: e164Schema }).strict();
const linePatchSchema = z.object({ announcementMode: announcementModeSchema }).strict();

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
      summary: 'Set how blocked callers hear the announcement on a line',
      params: lineParamsSchema,
      body: linePatchSchema,
      response: { 200: lineSchema, ...ERROR_RESPONSES },
    },
    handler: async (request) => {
      const user = requireManager(request);
      return setAnnouncementMode(
        store,
        user.orgId,
        request.params.number,
        request.body.announcementMode,
        actorOf(user),
      );
    },
  });
};

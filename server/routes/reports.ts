/** Call reports from the apps: hit counters and auto-block (SPEC §4.2). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { apiRoutes, callReportsRequestSchema, callReportsResponseSchema } from '../../shared/contracts/api';
import { userOf } from '../plugins/auth';
import { receiveCallReports } from '../reports-service';
import { ERROR_RESPONSES, mount } from './common';

export const reportRoutes: FastifyPluginAsyncZod = async (app) => {
  const { store, reportLimit } = app.blockline;
  app.route({
    ...mount(apiRoutes.callReports),
    config: reportLimit,
    schema: {
      summary: 'Report blocked and allowed call attempts (idempotent by report id)',
      body: callReportsRequestSchema,
      response: { 200: callReportsResponseSchema, ...ERROR_RESPONSES },
    },
    handler: async (request) => receiveCallReports(store, userOf(request), request.body.reports),
  });
};

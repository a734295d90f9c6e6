/** The blocklist: list, add (one or in bulk), export, edit, delete, and test a number against it. */
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  apiRoutes,
  bulkCreateRequestSchema,
  bulkCreateResponseSchema,
  createRuleRequestSchema,
  errorEnvelopeSchema,
  listRulesQuerySchema,
  listRulesResponseSchema,
  MAX_BULK_ENTRIES,
  patchRuleRequestSchema,
  testNumberQuerySchema,
  testNumberResponseSchema,
} from '../../shared/contracts/api';
import { rulesToCsv } from '../../shared/bulk';
import { ruleSchema } from '../../shared/rules';
import { safeText } from '../../shared/text';
import { ApiError } from '../errors';
import { listRules, rulePages } from '../org-service';
import { actorOf, requireManager, userOf } from '../plugins/auth';
import { bulkCreateRules, createRule, deleteRule, patchRule } from '../rules-service';
import { testNumberForOrg } from '../verdict';
import { ERROR_RESPONSES, mount } from './common';

const ruleIdParamsSchema = z.object({ id: safeText(z.string().min(1).max(100)) }).strict();

export const ruleRoutes: FastifyPluginAsyncZod = async (app) => {
  const { store, writeLimit, readLimit } = app.blockline;

  app.route({
    ...mount(apiRoutes.listRules),
    config: readLimit,
    schema: {
      summary: 'List rules: search, sort, filter, cursor paging',
      querystring: listRulesQuerySchema,
      response: { 200: listRulesResponseSchema, ...ERROR_RESPONSES },
    },
    handler: async (request) => {
      const user = userOf(request);
      return listRules(store, user.orgId, user.orgSettings, request.query);
    },
  });

  app.route({
    ...mount(apiRoutes.createRule),
    config: writeLimit,
    schema: {
      summary: 'Add one rule',
      body: createRuleRequestSchema,
      response: { 201: ruleSchema, 409: errorEnvelopeSchema, 422: errorEnvelopeSchema, ...ERROR_RESPONSES },
    },
    handler: async (request, reply) => {
      const user = requireManager(request);
      const rule = await createRule(store, user.orgId, request.body, actorOf(user));
      return reply.status(201).send(rule);
    },
  });

  app.route({
    ...mount(apiRoutes.bulkCreateRules),
    config: writeLimit,
    schema: {
      summary: `Add up to ${MAX_BULK_ENTRIES} rules, one result per entry`,
      body: bulkCreateRequestSchema,
      response: { 200: bulkCreateResponseSchema, 413: errorEnvelopeSchema, ...ERROR_RESPONSES },
    },
    handler: async (request) => {
      const user = requireManager(request);
      const { entries, source } = request.body;
      if (entries.length > MAX_BULK_ENTRIES) {
        throw new ApiError(
          413,
          'payload_too_large',
          `one request carries at most ${MAX_BULK_ENTRIES} entries (got ${entries.length}): split the list`,
          { max: MAX_BULK_ENTRIES, got: entries.length },
        );
      }
      return { results: await bulkCreateRules(store, user.orgId, entries, source, actorOf(user)) };
    },
  });

  app.route({
    ...mount(apiRoutes.exportCsv),
    config: readLimit,
    schema: { summary: 'The whole list as CSV (number,reason,scope,kind,expiresAt), streamed' },
    handler: async (request, reply) => {
      const user = userOf(request);
      async function* csv(): AsyncGenerator<string> {
        let first = true;
        for await (const page of rulePages(store, user.orgId)) {
          const text = rulesToCsv(page);
          yield first ? text : text.slice(text.indexOf('\r\n') + 2);
          first = false;
        }
        if (first) yield rulesToCsv([]);
      }
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="blocked-numbers.csv"')
        .send(Readable.from(csv()));
    },
  });

  app.route({
    ...mount(apiRoutes.updateRule),
    config: writeLimit,
    schema: {
      summary: "Edit a rule's reason or expiry",
      params: ruleIdParamsSchema,
      body: patchRuleRequestSchema,
      response: { 200: ruleSchema, 422: errorEnvelopeSchema, ...ERROR_RESPONSES },
    },
    handler: async (request) => {
      const user = requireManager(request);
      return patchRule(store, user.orgId, request.params.id, request.body, actorOf(user));
    },
  });

  app.route({
    ...mount(apiRoutes.deleteRule),
    config: writeLimit,
    schema: {
      summary: 'Delete a rule',
      params: ruleIdParamsSchema,
      response: { 204: z.null(), ...ERROR_RESPONSES },
    },
    handler: async (request, reply) => {
      const user = requireManager(request);
      await deleteRule(store, user.orgId, request.params.id, actorOf(user));
      return reply.status(204).send(null);
    },
  });

  app.route({
    ...mount(apiRoutes.testNumber),
    config: readLimit,
    schema: {
      summary: 'The verdict the apps would reach now for a caller on a line',
      querystring: testNumberQuerySchema,
      response: { 200: testNumberResponseSchema, ...ERROR_RESPONSES },
    },
    handler: async (request) =>
      testNumberForOrg(store, userOf(request).orgId, request.query.number, request.query.line ?? null),
  });
};

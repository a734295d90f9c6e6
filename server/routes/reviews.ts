/** Auto-blocks waiting for a lead: list them, keep or drop one (SPEC §11.4). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  apiRoutes,
  autoBlockReviewsResponseSchema,
  reviewDecisionRequestSchema,
  reviewDecisionResponseSchema,
} from '../../shared/contracts/api';
import { safeText } from '../../shared/text';
import { forbidden } from '../errors';
import { actorOf, userOf } from '../plugins/auth';
import type { AuthenticatedUser } from '../repository';
import { decideReview, listReviews } from '../reviews-service';
import { ERROR_RESPONSES, mount } from './common';

const reviewParamsSchema = z.object({ ruleId: safeText(z.string().min(1).max(100)) }).strict();

/** Reviews are for leads and admins, whatever the org lets agents manage: one agent's word is the question. */
function requireLead(user: AuthenticatedUser): AuthenticatedUser {
  if (user.role === 'agent') throw forbidden('only admins and leads review auto-blocks');
  return user;
}

export const reviewRoutes: FastifyPluginAsyncZod = async (app) => {
  const { store, readLimit, writeLimit } = app.blockline;
  app.route({
    ...mount(apiRoutes.autoBlockReviews),
    config: readLimit,
    schema: {
      summary: "Auto-blocks resting on one user's reports, waiting for a lead",
      response: { 200: autoBlockReviewsResponseSchema, ...ERROR_RESPONSES },
    },
    handler: async (request) => ({ items: await listReviews(store, requireLead(userOf(request)).orgId) }),
  });
  app.route({
    ...mount(apiRoutes.decideAutoBlockReview),
    config: writeLimit,
    schema: {
      summary: 'Keep (the rule loses its expiry) or drop (the rule goes) an auto-block waiting for review',
      params: reviewParamsSchema,
      body: reviewDecisionRequestSchema,
      response: { 200: reviewDecisionResponseSchema, ...ERROR_RESPONSES },
    },
    handler: async (request) => {
      const user = requireLead(userOf(request));
      const rule = await decideReview(
        store,
        user.orgId,
        request.params.ruleId,
        request.body.decision,
        actorOf(user),
      );
      return { rule };
    },
  });
};

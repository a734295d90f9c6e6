/** Invites (SPEC §12.4): admins create them; anyone holding a code redeems it once, for one device. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorOf } from '../plugins/auth';
import { apiRoutes, errorEnvelopeSchema } from '../../shared/contracts/api';
import {
  inviteCreatedSchema,
  inviteCreateSchema,
  inviteRedeemedSchema,
  inviteRedeemSchema,
} from '../../shared/contracts/oversight';
import { createInvite, redeemInvite } from '../invite-service';
import { ADMINS, requireRole } from '../roles';
import { ERROR_RESPONSES, mount } from './common';

/** Guessing codes is slow: a few tries per address per minute (when the server limits at all). */
export const REDEEM_ATTEMPTS_PER_MINUTE = 10;

export const inviteRoutes: FastifyPluginAsyncZod = async (app) => {
  const { store, writeLimit } = app.blockline;
  const limited = Object.keys(writeLimit).length > 0;
  app.route({
    ...mount(apiRoutes.createInvite),
    config: writeLimit,
    schema: {
      summary: 'Invite a person (name, role): a one-time code and a blockline:// link, valid 7 days',
      body: inviteCreateSchema,
      response: { 201: inviteCreatedSchema, ...ERROR_RESPONSES },
    },
    handler: async (request, reply) => {
      const user = requireRole(request, ADMINS, 'people or invite them');
      const serverUrl = `${request.protocol}://${request.host}`;
      const invite = await createInvite(store, user.orgId, request.body, actorOf(user), serverUrl);
      return reply.status(201).send(invite);
    },
  });
  app.route({
    ...mount(apiRoutes.redeemInvite),
    config: {
      public: true,
      ...(limited
        ? { rateLimit: { max: REDEEM_ATTEMPTS_PER_MINUTE, timeWindow: 60_000, keyGenerator: (r) => r.ip } }
        : {}),
    },
    schema: {
      summary: 'Redeem an invite once: answers a fresh personal token for this device',
      security: [],
      body: inviteRedeemSchema,
      response: {
        200: inviteRedeemedSchema,
        409: errorEnvelopeSchema,
        422: errorEnvelopeSchema,
        ...ERROR_RESPONSES,
      },
    },
    handler: async (request) => {
      const { token } = await redeemInvite(store, request.body);
      return { token };
    },
  });
};

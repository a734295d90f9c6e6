/**
 * People (SPEC §12.4, admins only): everyone in the org with role, status and devices; change a role,
 * disable or enable; list and revoke devices (tokens, never their secret). A revoked token's or disabled
 * user's open streams close at every instance's next access check (within a second).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { apiRoutes, errorEnvelopeSchema } from '../../shared/contracts/api';
import {
  devicesResponseSchema,
  personSchema,
  userParamsSchema,
  userPatchSchema,
  usersResponseSchema,
} from '../../shared/contracts/oversight';
import { safeText } from '../../shared/text';
import { listDevices, listPeople, revokeAllDevices, revokeDevice, updatePerson } from '../people-service';
import { actorOf } from '../plugins/auth';
import { ADMINS, requireRole } from '../roles';
import { ERROR_RESPONSES, mount } from './common';

const tokenParamsSchema = z.object({ id: safeText(z.string().min(1).max(100)) }).strict();
const WHAT = 'people and their devices';

export const peopleRoutes: FastifyPluginAsyncZod = async (app) => {
  const { store, readLimit, writeLimit } = app.blockline;
  app.route({
    ...mount(apiRoutes.users),
    config: readLimit,
    schema: {
      summary: 'Everyone in the org: role, disabled or not, how many devices, when last used',
      response: { 200: usersResponseSchema, ...ERROR_RESPONSES },
    },
    handler: async (request) => {
      const user = requireRole(request, ADMINS, WHAT);
      return { users: await listPeople(store, user.orgId) };
    },
  });
  app.route({
    ...mount(apiRoutes.updateUser),
    config: writeLimit,
    schema: {
      summary:
        "Change a person's role or disable/enable them (never the org's last active admin: 409 last_admin)",
      params: userParamsSchema,
      body: userPatchSchema,
      response: { 200: personSchema, 409: errorEnvelopeSchema, ...ERROR_RESPONSES },
    },
    handler: async (request) => {
      const user = requireRole(request, ADMINS, WHAT);
      return updatePerson(store, user.orgId, request.params.id, request.body, actorOf(user));
    },
  });
  app.route({
    ...mount(apiRoutes.userTokens),
    config: readLimit,
    schema: {
      summary:
        "A person's devices (their valid tokens): id, device name, created, last used — never the secret",
      params: userParamsSchema,
      response: { 200: devicesResponseSchema, ...ERROR_RESPONSES },
    },
    handler: async (request) => {
      const user = requireRole(request, ADMINS, WHAT);
      return { devices: await listDevices(store, user.orgId, request.params.id) };
    },
  });
  app.route({
    ...mount(apiRoutes.revokeUserTokens),
    config: writeLimit,
    schema: {
      summary: "Revoke all of a person's devices; their open streams close",
      params: userParamsSchema,
      response: { 204: z.null(), ...ERROR_RESPONSES },
    },
    handler: async (request, reply) => {
      const user = requireRole(request, ADMINS, WHAT);
      await revokeAllDevices(store, user.orgId, request.params.id, actorOf(user));
      return reply.status(204).send(null);
    },
  });
  app.route({
    ...mount(apiRoutes.revokeToken),
    config: writeLimit,
    schema: {
      summary: 'Revoke one device by its token id; its open streams close',
      params: tokenParamsSchema,
      response: { 204: z.null(), ...ERROR_RESPONSES },
    },
    handler: async (request, reply) => {
      const user = requireRole(request, ADMINS, WHAT);
      await revokeDevice(store, user.orgId, request.params.id, actorOf(user));
      return reply.status(204).send(null);
    },
  });
};

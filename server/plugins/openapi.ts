/**
 * The OpenAPI document, generated from the routes' zod schemas (register before the routes), and the
 * public routes: health, readiness and the document itself.
 */
import fastifySwagger from '@fastify/swagger';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { apiRoutes } from '../../shared/contracts/api';
import { envelope } from '../errors';

export const openApiPlugin = fp(
  async (app) => {
    await app.register(fastifySwagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'Blockline org server',
          version: '1.0.0',
          description: 'The organization-wide call blocklist.',
        },
        components: {
          securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
        },
        security: [{ bearer: [] }],
      },
      transform: jsonSchemaTransform,
    });
    const api = app.withTypeProvider<ZodTypeProvider>();
    const { store } = app.blockline;
    api.get('/healthz', { config: { public: true }, schema: { hide: true } }, async () => ({ status: 'ok' }));
    api.get('/readyz', { config: { public: true }, schema: { hide: true } }, async (_request, reply) => {
      try {
        await store.db.selectFrom('orgs').select('id').limit(1).execute();
        return { status: 'ready' };
      } catch {
        return reply.status(503).send(envelope('internal', 'the database is not reachable'));
      }
    });
    api.route({
      method: apiRoutes.openApi.method,
      url: apiRoutes.openApi.path,
      config: { public: true },
      schema: { hide: true },
      handler: async () => app.swagger(),
    });
  },
  { name: 'blockline-openapi' },
);

/**
 * Every failure leaves as the error envelope (`{"error":{"code","message","details"}}`): our own
 * ApiErrors, schema validation (with the refused fields as `details.issues`), Fastify's 4xx, and a
 * generic 500 that is logged and says nothing of the cause.
 */
import type { FastifyError } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { FieldIssue } from '../../shared/contracts/api';
import { ApiError, codeForStatus, envelope } from '../errors';

/** `/autoBlock/threshold` (the validator's instance path) as `['autoBlock', 'threshold']`. */
function pathOf(instancePath: string): FieldIssue['path'] {
  return instancePath
    .split('/')
    .filter((part) => part !== '')
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

export const errorsPlugin = fp(
  async (app) => {
    app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
      if (error instanceof ApiError) {
        return reply.status(error.statusCode).send(envelope(error.code, error.message, error.details));
      }
      if (hasZodFastifySchemaValidationErrors(error)) {
        const issues = error.validation.map((issue) => ({
          path: pathOf(issue.instancePath),
          message: issue.message ?? 'is not valid',
        }));
        const where = error.validationContext ?? 'request';
        return reply.status(400).send(envelope('validation_failed', `the ${where} is not valid`, { issues }));
      }
      // Text PostgreSQL cannot store (NUL, invalid UTF-8) that got past validation is the client's error.
      if (error.code === '22021' || error.code === '22P05') {
        return reply
          .status(400)
          .send(envelope('bad_request', 'the request carries text that cannot be stored'));
      }
      const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
      if (status >= 500) {
        request.log.error({ err: error }, 'request failed');
        return reply.status(500).send(envelope('internal', 'internal server error'));
      }
      const message =
        error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError
          ? 'the body is not valid JSON'
          : error.message;
      return reply.status(status).send(envelope(codeForStatus(status), message));
    });
    app.setNotFoundHandler((request, reply) => {
      reply
        .status(404)
        .send(envelope('not_found', `no route for ${request.method} ${request.url.split('?')[0] ?? ''}`));
    });
  },
  { name: 'blockline-errors' },
);

/** What every route file shares: where a contract route is mounted, and the error responses it documents. */
import { errorEnvelopeSchema, type ApiRoute } from '../../shared/contracts/api';

/** Fastify's method and url for a route of the contract (shared/contracts/api.ts). */
export function mount<R extends ApiRoute>(route: R): { method: R['method']; url: R['path'] } {
  return { method: route.method, url: route.path };
}

export const ERROR_RESPONSES = {
  400: errorEnvelopeSchema,
  401: errorEnvelopeSchema,
  403: errorEnvelopeSchema,
  404: errorEnvelopeSchema,
  429: errorEnvelopeSchema,
};

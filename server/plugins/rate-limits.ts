/**
 * Per-token request limits (@fastify/rate-limit; routes opt in with `app.blockline.writeLimit`,
 * `readLimit` or `reportLimit`). Keyed on the token's id after authentication, never on the raw
 * `Authorization` text: `bearer T` and `Bearer  T` are one token with one budget (SPEC §11.1).
 */
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyContextConfig } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../errors';

export interface RateLimitOptions {
  /** Writes per token per minute, per route. */
  writesPerMinute: number;
  /** Failed authentications per client address per minute before that client's failures get 429. */
  authFailuresPerMinute: number;
  /** Reads (snapshot, changes, list, export, test-number…) per token per minute, per route. */
  readsPerMinute?: number;
  /** Call-report requests (up to 500 reports each) per token per minute. */
  reportsPerMinute?: number;
  /** "Ask a lead to block" requests per token per minute: each one lands in every lead's inbox. */
  blockRequestsPerMinute?: number;
}

export const DEFAULT_RATE_LIMIT: Required<RateLimitOptions> = {
  writesPerMinute: 600,
  authFailuresPerMinute: 30,
  readsPerMinute: 600,
  reportsPerMinute: 120,
  blockRequestsPerMinute: 10,
};

export interface RouteLimits {
  writeLimit: FastifyContextConfig;
  readLimit: FastifyContextConfig;
  reportLimit: FastifyContextConfig;
  askLimit: FastifyContextConfig;
}

const perMinute = (max: number): FastifyContextConfig => ({ rateLimit: { max, timeWindow: 60_000 } });

/** The route configs for each kind of request, or none when limits are off. */
export function routeLimits(options: RateLimitOptions | false): RouteLimits {
  if (options === false) return { writeLimit: {}, readLimit: {}, reportLimit: {}, askLimit: {} };
  return {
    writeLimit: perMinute(options.writesPerMinute),
    readLimit: perMinute(options.readsPerMinute ?? DEFAULT_RATE_LIMIT.readsPerMinute),
    reportLimit: perMinute(options.reportsPerMinute ?? DEFAULT_RATE_LIMIT.reportsPerMinute),
    askLimit: perMinute(options.blockRequestsPerMinute ?? DEFAULT_RATE_LIMIT.blockRequestsPerMinute),
  };
}

export const rateLimitPlugin = fp(
  async (app) => {
    await app.register(fastifyRateLimit, {
      global: false,
      // Route hooks run after the auth plugin's: every limited request has its user (and token) here.
      keyGenerator: (request) =>
        request.user === null ? `ip:${request.ip}` : `token:${request.user.tokenId}`,
      errorResponseBuilder: (_request, context) =>
        new ApiError(429, 'rate_limited', `too many requests: retry in ${Math.ceil(context.ttl / 1000)} s`),
    });
  },
  { name: 'blockline-rate-limits' },
);

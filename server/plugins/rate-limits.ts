/** Per-token write limits (@fastify/rate-limit, opted into by routes with `app.blockline.writeLimit`). */
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyContextConfig } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../errors';
import { hashToken } from '../ids';

export interface RateLimitOptions {
  /** Writes per token (or address) per minute. */
  writesPerMinute: number;
  /** Failed authentications per address per minute before every attempt from it gets 429. */
  authFailuresPerMinute: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { writesPerMinute: 600, authFailuresPerMinute: 30 };

/** The route config a write carries: its limit, or nothing when limits are off. */
export function writeLimitConfig(options: RateLimitOptions | false): FastifyContextConfig {
  return options === false ? {} : { rateLimit: { max: options.writesPerMinute, timeWindow: 60_000 } };
}

export const rateLimitPlugin = fp(
  async (app) => {
    await app.register(fastifyRateLimit, {
      global: false,
      keyGenerator: (request) => {
        const header = request.headers.authorization;
        return typeof header === 'string' ? hashToken(header) : request.ip;
      },
      errorResponseBuilder: (_request, context) =>
        new ApiError(429, 'rate_limited', `too many requests: retry in ${Math.ceil(context.ttl / 1000)} s`),
    });
  },
  { name: 'blockline-rate-limits' },
);

/**
 * Bearer-token authentication for everything under /v1 except public routes: the token's hash is
 * looked up, the user lands on `request.user`, and failed attempts are counted per address. Routes
 * ask for the user with `userOf` or, for writes, `requireManager`.
 */
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { API_PREFIX } from '../../shared/contracts/api';
import type { OrgSettings } from '../../shared/settings';
import { ApiError, forbidden } from '../errors';
import { hashToken } from '../ids';
import type { Actor, AuthenticatedUser } from '../repository';

export function canManage(user: AuthenticatedUser, settings: OrgSettings): boolean {
  return user.role === 'admin' || user.role === 'lead' || settings.whoCanManage === 'everyone';
}

export function actorOf(user: AuthenticatedUser): Actor {
  return { id: user.id, name: user.name };
}

export function userOf(request: FastifyRequest): AuthenticatedUser {
  if (request.user === null) throw new ApiError(401, 'unauthorized', 'a bearer token is required');
  return request.user;
}

export function requireManager(request: FastifyRequest): AuthenticatedUser {
  const user = userOf(request);
  if (!canManage(user, user.orgSettings)) {
    throw forbidden('only admins and leads may change the list and settings of this org');
  }
  return user;
}

/** The token of `Authorization: Bearer <token>`, any spelling of the scheme; never from the URL. */
export function bearerTokenOf(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

/** Fixed-window counter of failed authentications per client address. */
class FailureCounter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  constructor(private readonly limit: number) {}

  blocked(key: string, nowMs: number): boolean {
    const window = this.windows.get(key);
    return window !== undefined && window.resetAt > nowMs && window.count >= this.limit;
  }

  fail(key: string, nowMs: number): void {
    const window = this.windows.get(key);
    if (window === undefined || window.resetAt <= nowMs) {
      if (this.windows.size > 10_000) this.windows.clear();
      this.windows.set(key, { count: 1, resetAt: nowMs + 60_000 });
    } else window.count += 1;
  }
}

export interface AuthOptions {
  /**
   * Failed authentications per client address per minute before that client's further failures get 429
   * instead of 401; null: no cap. A valid token is never refused for its address's failures: behind a
   * TLS proxy every user shares one address (SPEC §11.2).
   */
  failuresPerMinute: number | null;
}

export const authPlugin = fp<AuthOptions>(
  async (app, options) => {
    const { store } = app.blockline;
    const failures =
      options.failuresPerMinute === null ? null : new FailureCounter(options.failuresPerMinute);
    app.decorateRequest('user', null);
    app.addHook('onRequest', async (request) => {
      if (request.routeOptions.config.public === true || !request.url.startsWith(`${API_PREFIX}/`)) return;
      if (request.is404) return;
      const token = bearerTokenOf(request);
      const user = token === null ? null : await store.authenticate(hashToken(token));
      if (user !== null) {
        request.user = user;
        return;
      }
      const nowMs = Date.now();
      if (failures?.blocked(request.ip, nowMs) === true) {
        throw new ApiError(429, 'rate_limited', 'too many failed authentications: retry in a minute');
      }
      failures?.fail(request.ip, nowMs);
      throw new ApiError(
        401,
        'unauthorized',
        token === null ? 'a bearer token is required' : 'the token is not valid or has been revoked',
      );
    });
  },
  { name: 'blockline-auth' },
);

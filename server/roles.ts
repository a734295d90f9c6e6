/** Which roles may see what (SPEC §12): agents see no oversight view, leads see audit and activity, admins everything. */
import type { FastifyRequest } from 'fastify';
import type { Role } from '../shared/contracts/api';
import { forbidden } from './errors';
import { userOf } from './plugins/auth';
import type { AuthenticatedUser } from './repository';

export const LEADS_AND_ADMINS: readonly Role[] = ['admin', 'lead'];
export const ADMINS: readonly Role[] = ['admin'];
export const EVERY_ROLE: readonly Role[] = ['admin', 'lead', 'agent'];

/** The signed-in user when their role is one of `roles`; 403 naming what they may not see otherwise. */
export function requireRole(
  request: FastifyRequest,
  roles: readonly Role[],
  what: string,
): AuthenticatedUser {
  const user = userOf(request);
  if (!roles.includes(user.role)) throw forbidden(`only ${roles.join(' and ')}s may see ${what}`);
  return user;
}

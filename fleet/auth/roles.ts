// Roles are ordered: each role may do everything the roles below it may.
// viewer reads; operator also manages devices, groups, credentials and desired state;
// admin also manages users and API keys.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../db/tables/users.ts';
import { errors } from '../errors.ts';
import type { Principal } from './principal.ts';

export type { Role };
export const ROLES = ['viewer', 'operator', 'admin'] as const satisfies readonly Role[];

export function roleAtLeast(role: Role, minimum: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(minimum);
}

/**
 * Route hook admitting callers with `minimum` or a higher role. Attach it as the route's
 * `onRequest` so a caller without the role hears 403 before any body validation runs.
 */
export function requireRole(minimum: Role) {
  return async function checkRole(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const principal: Principal | null = request.principal;
    if (!principal) throw errors.authRequired();
    if (!roleAtLeast(principal.role, minimum)) throw errors.forbidden(minimum);
  };
}

// A fresh app over a shared, migrated test database, with one user per role and helpers
// to call the API as each of them.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Kysely } from 'kysely';
import { buildApp, type BuildAppOptions } from '../../../fleet/app.ts';
import { hashPassword } from '../../../fleet/auth/password.ts';
import type { Database } from '../../../fleet/db/database.ts';
import type { Role } from '../../../fleet/db/tables/users.ts';
import { insertUser } from '../../../fleet/users/user-repository.ts';

export const JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256';
export const PASSWORD = 'correct horse battery';

export interface FleetTestApp {
  app: FastifyInstance;
  tokens: Record<Role, string>;
  userIds: Record<Role, number>;
  /** inject as `role` (a bearer token), or with no credentials when role is null. */
  as(role: Role | null, options: InjectOptions): Promise<LightMyRequestResponse>;
}

export async function login(app: FastifyInstance, username: string, password: string): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
}

export async function buildTestApp(
  db: Kysely<Database>,
  options: Partial<BuildAppOptions> = {},
  usernamePrefix = '',
): Promise<FleetTestApp> {
  const app = await buildApp({ db, jwtSecret: JWT_SECRET, ...options });
  const tokens = {} as Record<Role, string>;
  const userIds = {} as Record<Role, number>;
  const hash = await hashPassword(PASSWORD);
  for (const role of ['admin', 'operator', 'viewer'] as const) {
    const username = `${usernamePrefix}${role}`;
    const user = await insertUser(db, { username, passwordHash: hash, role });
    userIds[role] = user.id;
    const res = await login(app, username, PASSWORD);
    if (res.statusCode !== 200) throw new Error(`login as ${role} failed: ${res.body}`);
    tokens[role] = res.json().token;
  }
  return {
    app,
    tokens,
    userIds,
    as(role, inject) {
      const headers = { ...(inject.headers ?? {}), ...(role ? { authorization: `Bearer ${tokens[role]}` } : {}) };
      return app.inject({ ...inject, headers });
    },
  };
}

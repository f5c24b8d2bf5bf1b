// POST /auth/login issues a JWT; GET /auth/me says who the credentials belong to.
// Login is the one rate-limited route: per client IP and username, so guessing one
// account's password is slow while other users on the same NAT can still sign in.
import rateLimit from '@fastify/rate-limit';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import { errorResponses, errors } from '../errors.ts';
import { findUserByUsername } from '../users/user-repository.ts';
import { RoleSchema } from '../users/user-schemas.ts';
import { dummyPasswordHash, verifyPassword } from './password.ts';
import type { TokenClaims } from './principal.ts';
import { requireRole } from './roles.ts';

export interface LoginRateLimit {
  max: number;
  timeWindow: number | string;
}

const LoginBody = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: false },
);
const LoginReply = Type.Object({
  token: Type.String(),
  tokenType: Type.Literal('Bearer'),
  user: Type.Object({ id: Type.Integer(), username: Type.String(), role: RoleSchema }),
});
const Me = Type.Object({
  kind: Type.Union([Type.Literal('user'), Type.Literal('api-key')]),
  id: Type.Integer(),
  name: Type.String(),
  role: RoleSchema,
});

export default async function loginRoutes(
  app: FastifyInstance,
  options: { db: Kysely<Database>; rateLimit?: LoginRateLimit },
): Promise<void> {
  const { db } = options;
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => errors.rateLimited(context.after),
  });

  app.post<{ Body: Static<typeof LoginBody> }>(
    '/auth/login',
    {
      config: {
        public: true,
        rateLimit: {
          max: options.rateLimit?.max ?? 5,
          timeWindow: options.rateLimit?.timeWindow ?? '1 minute',
          // After validation, so the key can use the (then well-formed) username.
          hook: 'preHandler',
          keyGenerator: (request) => `${request.ip}|${(request.body as { username: string }).username.toLowerCase()}`,
        },
      },
      schema: {
        summary: 'Exchange a username and password for a bearer token',
        tags: ['auth'],
        security: [],
        body: LoginBody,
        response: { 200: LoginReply, ...errorResponses() },
      },
    },
    async (request) => {
      const { username, password } = request.body;
      const user = await findUserByUsername(db, username);
      const ok = await verifyPassword(password, user?.password_hash ?? (await dummyPasswordHash()));
      if (!user || !ok) throw errors.invalidLogin();
      const claims: TokenClaims = { sub: String(user.id), role: user.role };
      return { token: app.jwt.sign(claims), tokenType: 'Bearer' as const, user: { id: user.id, username: user.username, role: user.role } };
    },
  );

  app.get(
    '/auth/me',
    {
      onRequest: requireRole('viewer'),
      schema: { summary: 'Who the presented credentials belong to', tags: ['auth'], response: { 200: Me, ...errorResponses() } },
    },
    async (request) => request.principal!,
  );
}

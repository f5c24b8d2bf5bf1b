// Authenticates every request in its scope unless the route is marked `config.public`:
//   Authorization: Bearer <jwt>      people, after POST /auth/login
//   Authorization: ApiKey <key>      scripts and services
//   X-API-Key: <key>                 the same, for clients that cannot set Authorization
// The user or key is re-read from the database on every request, so a deleted user, a
// changed role or a revoked key takes effect at once rather than when a token expires.
import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import { findApiKeyByPrefix, touchApiKey } from '../api-keys/api-key-repository.ts';
import type { Database } from '../db/database.ts';
import { errors } from '../errors.ts';
import { findUserById } from '../users/user-repository.ts';
import { parseApiKey } from './api-key-format.ts';
import type { Principal, TokenClaims } from './principal.ts';
import { secretMatches } from './secret-token.ts';

export interface AuthOptions {
  db: Kysely<Database>;
  jwtSecret: string;
  /** Token lifetime, in the `ms` format (`'12h'`). */
  tokenTtl?: string;
}

// last_used_at is informative; writing it on every call would turn each read into a write.
const TOUCH_INTERVAL_MS = 60_000;

async function authenticate(app: FastifyInstance, options: AuthOptions): Promise<void> {
  const { db } = options;
  await app.register(fastifyJwt, { secret: options.jwtSecret, sign: { expiresIn: options.tokenTtl ?? '12h' } });
  app.decorateRequest('principal', null);

  async function fromToken(token: string): Promise<Principal> {
    let claims: TokenClaims;
    try {
      claims = app.jwt.verify<TokenClaims>(token);
    } catch {
      throw errors.invalidToken();
    }
    const id = Number(claims.sub);
    const user = Number.isInteger(id) ? await findUserById(db, id) : undefined;
    if (!user) throw errors.invalidToken();
    return { kind: 'user', id: user.id, name: user.username, role: user.role };
  }

  async function fromApiKey(key: string): Promise<Principal> {
    const parts = parseApiKey(key.trim());
    const row = parts && (await findApiKeyByPrefix(db, parts.prefix));
    if (!parts || !row || row.revoked_at !== null || !secretMatches(parts.secret, row.hash)) throw errors.invalidApiKey();
    const now = new Date();
    if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > TOUCH_INTERVAL_MS) await touchApiKey(db, row.id, now);
    return { kind: 'api-key', id: row.id, name: row.name, role: row.role };
  }

  async function principalOf(request: FastifyRequest): Promise<Principal> {
    const header = request.headers.authorization;
    if (header) {
      const space = header.indexOf(' ');
      const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
      const credential = space < 0 ? '' : header.slice(space + 1).trim();
      if (scheme === 'bearer' && credential) return fromToken(credential);
      if (scheme === 'apikey' && credential) return fromApiKey(credential);
      throw errors.authRequired();
    }
    const apiKey = request.headers['x-api-key'];
    if (typeof apiKey === 'string' && apiKey) return fromApiKey(apiKey);
    throw errors.authRequired();
  }

  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.public) return;
    request.principal = await principalOf(request);
  });
}

export default fp(authenticate, { name: 'fleet-auth' });

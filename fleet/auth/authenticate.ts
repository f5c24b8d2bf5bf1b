// Authenticates every request in its scope unless the route is marked `config.public`:
//   Authorization: Bearer <jwt>      people, after POST /auth/login
//   Authorization: ApiKey <key>      scripts and services
//   X-API-Key: <key>                 the same, for clients that cannot set Authorization
// The user or key is read from the database and kept for a few seconds (principal-cache.ts):
// a revoked key, a deleted user or a changed role made through this node evicts the entry at
// once (FleetEvents), so it takes effect at once rather than when a token expires; the TTL
// only bounds how long a change made elsewhere (another node, SQL by hand) goes unseen.
import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import { findApiKeyByPrefix, touchApiKey } from '../api-keys/api-key-repository.ts';
import type { Database } from '../db/database.ts';
import type { Role } from '../db/tables/users.ts';
import { errors } from '../errors.ts';
import type { FleetEvents } from '../fleet-events.ts';
import { findUserById } from '../users/user-repository.ts';
import { parseApiKey } from './api-key-format.ts';
import { createTtlCache } from './principal-cache.ts';
import type { Principal, TokenClaims } from './principal.ts';
import { secretMatches } from './secret-token.ts';

export interface AuthOptions {
  db: Kysely<Database>;
  jwtSecret: string;
  /** Token lifetime, in the `ms` format (`'12h'`). */
  tokenTtl?: string;
  /** Revocations and user changes to evict from the cache at once. */
  events?: FleetEvents;
  /** How long a verified key or user is trusted without re-reading it; 0 turns caching off. */
  cacheTtlMs?: number;
}

export const DEFAULT_AUTH_CACHE_TTL_MS = 10_000;

interface CachedKey {
  id: number;
  name: string;
  role: Role;
  hash: string;
  revoked: boolean;
  /** When last_used_at was last written (or read), epoch ms. */
  lastUsed: number;
}

// last_used_at is informative; writing it on every call would turn each read into a write.
const TOUCH_INTERVAL_MS = 60_000;

async function authenticate(app: FastifyInstance, options: AuthOptions): Promise<void> {
  const { db } = options;
  await app.register(fastifyJwt, { secret: options.jwtSecret, sign: { expiresIn: options.tokenTtl ?? '12h' } });
  app.decorateRequest('principal', null);

  const ttlMs = options.cacheTtlMs ?? DEFAULT_AUTH_CACHE_TTL_MS;
  const keys = createTtlCache<string, CachedKey>({ ttlMs });
  const users = createTtlCache<number, Principal>({ ttlMs });
  // Bumped by every eviction: a read that started before it must not refill the cache with
  // what it saw, which may be the state from before the change.
  let generation = 0;
  const onKeyRevoked = (id: number) => {
    generation++;
    keys.deleteWhere((k) => k.id === id);
  };
  const onUserChanged = (id: number) => {
    generation++;
    users.delete(id);
  };
  options.events?.on('api-key-revoked', onKeyRevoked);
  options.events?.on('user-changed', onUserChanged);
  app.addHook('onClose', async () => {
    options.events?.off('api-key-revoked', onKeyRevoked);
    options.events?.off('user-changed', onUserChanged);
  });

  async function fromToken(token: string): Promise<Principal> {
    let claims: TokenClaims;
    try {
      claims = app.jwt.verify<TokenClaims>(token);
    } catch {
      throw errors.invalidToken();
    }
    const id = Number(claims.sub);
    if (!Number.isInteger(id)) throw errors.invalidToken();
    const cached = users.get(id);
    if (cached) return cached;
    const started = generation;
    const user = await findUserById(db, id);
    if (!user) throw errors.invalidToken();
    const principal: Principal = { kind: 'user', id: user.id, name: user.username, role: user.role };
    if (started === generation) users.set(id, principal);
    return principal;
  }

  async function fromApiKey(key: string): Promise<Principal> {
    const parts = parseApiKey(key.trim());
    if (!parts) throw errors.invalidApiKey();
    let entry = keys.get(parts.prefix);
    if (!entry) {
      const started = generation;
      const row = await findApiKeyByPrefix(db, parts.prefix);
      if (!row) throw errors.invalidApiKey();
      entry = { id: row.id, name: row.name, role: row.role, hash: row.hash, revoked: row.revoked_at !== null, lastUsed: row.last_used_at?.getTime() ?? 0 };
      if (started === generation) keys.set(parts.prefix, entry);
    }
    // The secret is checked on every request (one SHA-256): the cache holds the stored hash, never a verdict.
    if (entry.revoked || !secretMatches(parts.secret, entry.hash)) throw errors.invalidApiKey();
    const now = Date.now();
    if (now - entry.lastUsed > TOUCH_INTERVAL_MS) {
      entry.lastUsed = now;
      await touchApiKey(db, entry.id, new Date(now));
    }
    return { kind: 'api-key', id: entry.id, name: entry.name, role: entry.role };
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

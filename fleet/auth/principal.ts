// Who is calling: a person (JWT) or a script (API key). Set by the authenticate hook on
// every /api/v1 request that is not public.
import type { Role } from '../db/tables/users.ts';

export type Principal =
  | { kind: 'user'; id: number; name: string; role: Role }
  | { kind: 'api-key'; id: number; name: string; role: Role };

export interface TokenClaims {
  sub: string;
  role: Role;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Route answers without credentials (login). */
    public?: boolean;
  }
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: TokenClaims;
    user: TokenClaims;
  }
}

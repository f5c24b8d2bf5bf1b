// The one catalogue of API errors. Every error a client can see is built here, so the
// `code` values are a stable, documented contract (docs/api.md lists them).
import { STATUS_CODES } from 'node:http';
import { Type, type Static } from '@sinclair/typebox';

export class ApiError extends Error {
  readonly statusCode: number;
  readonly code: string;

  constructor(statusCode: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.statusCode = statusCode;
    this.code = code;
  }
}

export const ErrorBody = Type.Object(
  {
    statusCode: Type.Integer(),
    error: Type.String({ description: 'HTTP reason phrase' }),
    message: Type.String(),
    code: Type.String({ description: 'stable machine-readable code, see docs/api.md' }),
  },
  { title: 'Error' },
);
export type ErrorBody = Static<typeof ErrorBody>;

export function errorBody(statusCode: number, code: string, message: string): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, code };
}

export const errors = {
  validation: (message: string) => new ApiError(400, 'VALIDATION_FAILED', message),
  malformedJson: () => new ApiError(400, 'MALFORMED_JSON', 'request body is not valid JSON'),
  badCsr: (reason: string) => new ApiError(400, 'BAD_CSR', reason),
  badCursor: () => new ApiError(400, 'BAD_CURSOR', 'cursor is not one this server issued'),
  uploadInterrupted: () => new ApiError(400, 'UPLOAD_INTERRUPTED', 'the request body ended abnormally before it was complete; nothing was stored, upload again'),
  authRequired: () =>
    new ApiError(401, 'AUTH_REQUIRED', 'send "Authorization: Bearer <token>", "Authorization: ApiKey <key>" or "X-API-Key: <key>"'),
  invalidToken: () => new ApiError(401, 'INVALID_TOKEN', 'the bearer token is invalid or expired'),
  invalidApiKey: () => new ApiError(401, 'INVALID_API_KEY', 'the API key is unknown or revoked'),
  invalidLogin: () => new ApiError(401, 'INVALID_LOGIN', 'wrong username or password'),
  forbidden: (needed: string) => new ApiError(403, 'FORBIDDEN', `this needs the ${needed} role or higher`),
  notFound: (what: string, id: string | number) => new ApiError(404, 'NOT_FOUND', `${what} ${JSON.stringify(id)} does not exist`),
  routeNotFound: (method: string, url: string) => new ApiError(404, 'ROUTE_NOT_FOUND', `no route ${method} ${url}`),
  conflict: (message: string) => new ApiError(409, 'CONFLICT', message),
  versionConflict: (message: string) => new ApiError(409, 'VERSION_CONFLICT', message),
  lastAdmin: () => new ApiError(409, 'LAST_ADMIN', 'the last admin cannot be deleted or demoted'),
  artifactInUse: (id: string) => new ApiError(409, 'ARTIFACT_IN_USE', `artifact ${id} is used by a rollout: delete or finish the rollout first`),
  noEligibleDevices: (message: string) => new ApiError(409, 'NO_ELIGIBLE_DEVICES', message),
  noTrustedKeys: () =>
    new ApiError(409, 'NO_TRUSTED_KEYS', 'this server trusts no signing keys, so it cannot verify bundles: configure TRUSTED_KEYS / --trusted-key or put public keys in <DATA_DIR>/trusted-keys/'),
  bodyTooLarge: () => new ApiError(413, 'BODY_TOO_LARGE', 'request body is too large'),
  artifactTooLarge: (limit: number) =>
    new ApiError(413, 'ARTIFACT_TOO_LARGE', `bundle is larger than the upload limit of ${limit} bytes (ARTIFACT_MAX_BYTES / --artifact-max-bytes)`),
  shadowTooLarge: (message: string) => new ApiError(413, 'SHADOW_TOO_LARGE', message),
  unsupportedMediaType: (message = 'send JSON with "Content-Type: application/json"') => new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', message),
  /** A bundle refused by host/bundle: `BUNDLE_` + its BundleError code (docs/bundle-format.md). */
  invalidBundle: (bundleCode: string, message: string) => new ApiError(422, `BUNDLE_${bundleCode.toUpperCase().replaceAll('-', '_')}`, message),
  rateLimited: (retryAfter: string) => new ApiError(429, 'RATE_LIMITED', `too many attempts, retry in ${retryAfter}`),
  internal: () => new ApiError(500, 'INTERNAL', 'internal server error'),
  databaseUnavailable: () => new ApiError(503, 'DATABASE_UNAVAILABLE', 'the database is not reachable'),
} as const;

/** The response schemas every `/api/v1` route declares for its failures. */
export function errorResponses(...statusCodes: number[]): Record<number, typeof ErrorBody> {
  const out: Record<number, typeof ErrorBody> = {};
  for (const code of [400, 401, 403, 429, 500, ...statusCodes]) out[code] = ErrorBody;
  return out;
}

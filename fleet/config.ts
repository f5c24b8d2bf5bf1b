// Server configuration: environment variables, overridden by command-line flags, checked
// against one TypeBox schema. Pure: reading files (the JWT secret) happens elsewhere.
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { MAX_BUNDLE_LENGTH } from '../host/bundle/index.ts';
import { redactedUrl } from './redacted-url.ts';

const PortNumber = Type.Integer({ minimum: 0, maximum: 65535 });

/** Upload limit for bundles when ARTIFACT_MAX_BYTES is unset; a bundle is verified in memory, one at a time. */
export const DEFAULT_ARTIFACT_MAX_BYTES = 64 * 1024 * 1024;

export const ConfigSchema = Type.Object({
  port: PortNumber,
  mqttPort: PortNumber,
  host: Type.String({ minLength: 1 }),
  /** PostgreSQL through pg when set; embedded PGlite in `<dataDir>/pglite` otherwise. */
  databaseUrl: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  dataDir: Type.String({ minLength: 1 }),
  /** Broker sessions, retained messages and the message bus in Redis, shared by several nodes; in memory when unset. */
  redisUrl: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  /** This node's name among several (broker id, presence sessions); the host name when unset. */
  nodeId: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' })),
  /** When unset, a secret is generated once and kept in `<dataDir>/jwt-secret`. */
  jwtSecret: Type.Optional(Type.String({ minLength: 32 })),
  logLevel: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l))),
  /** PEM files of Ed25519 public keys bundles may be signed by (besides `<dataDir>/trusted-keys/`). */
  trustedKeyFiles: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
  /** Largest bundle upload; DEFAULT_ARTIFACT_MAX_BYTES when unset. */
  artifactMaxBytes: Type.Optional(Type.Integer({ minimum: 1024, maximum: MAX_BUNDLE_LENGTH })),
  /** MQTT over TLS with client certificates: off unless set (0: any free port). */
  mqttsPort: Type.Optional(PortNumber),
  /** The fleet CA (PEM files, both or neither); created under `<dataDir>/mqtt-ca` when unset. */
  mqttCaCert: Type.Optional(Type.String({ minLength: 1 })),
  mqttCaKey: Type.Optional(Type.String({ minLength: 1 })),
  /** The TLS listener's certificate and key (both or neither); issued by the fleet CA when unset. */
  mqttsCert: Type.Optional(Type.String({ minLength: 1 })),
  mqttsKey: Type.Optional(Type.String({ minLength: 1 })),
  /** More names and addresses for the generated TLS certificate (localhost and the host name are always in). */
  mqttsHostnames: Type.Optional(Type.Array(Type.String({ pattern: '^[A-Za-z0-9.:-]{1,253}$' }))),
  /** Per-session offline queue limits (the broker's defaults when unset). */
  offlineQueueMessages: Type.Optional(Type.Integer({ minimum: 1 })),
  offlineQueueBytes: Type.Optional(Type.Integer({ minimum: 1 })),
});
export type Config = Static<typeof ConfigSchema>;

/** Flags as commander hands them over (strings), all optional. */
export interface ConfigFlags {
  port?: string;
  mqttPort?: string;
  host?: string;
  databaseUrl?: string;
  dataDir?: string;
  redisUrl?: string;
  nodeId?: string;
  logLevel?: string;
  /** Repeatable --trusted-key. */
  trustedKey?: string[];
  artifactMaxBytes?: string;
  mqttsPort?: string;
  mqttCaCert?: string;
  mqttCaKey?: string;
  mqttsCert?: string;
  mqttsKey?: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

function integer(value: string | undefined, fallback: number): unknown {
  if (value === undefined || value === '') return fallback;
  return /^\d+$/.test(value.trim()) ? Number(value) : value;
}

/** A comma-separated list of paths; undefined when empty. */
function pathList(value: string | undefined): string[] | undefined {
  const paths = (value ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '');
  return paths.length > 0 ? paths : undefined;
}

function optionalInteger(value: string | undefined): unknown {
  return nonEmpty(value) === undefined ? undefined : integer(value, 0);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

export function loadConfig(env: Record<string, string | undefined>, flags: ConfigFlags = {}): Config {
  const candidate = {
    port: integer(flags.port ?? env.PORT, 8080),
    mqttPort: integer(flags.mqttPort ?? env.MQTT_PORT, 1883),
    host: nonEmpty(flags.host ?? env.HOST) ?? '0.0.0.0',
    databaseUrl: nonEmpty(flags.databaseUrl ?? env.DATABASE_URL),
    dataDir: nonEmpty(flags.dataDir ?? env.DATA_DIR) ?? './data',
    redisUrl: nonEmpty(flags.redisUrl ?? env.REDIS_URL),
    nodeId: nonEmpty(flags.nodeId ?? env.NODE_ID),
    jwtSecret: nonEmpty(env.JWT_SECRET),
    logLevel: nonEmpty(flags.logLevel ?? env.LOG_LEVEL) ?? 'info',
    trustedKeyFiles: flags.trustedKey?.length ? flags.trustedKey : pathList(env.TRUSTED_KEYS),
    artifactMaxBytes: optionalInteger(flags.artifactMaxBytes ?? env.ARTIFACT_MAX_BYTES),
    mqttsPort: optionalInteger(flags.mqttsPort ?? env.MQTTS_PORT),
    mqttCaCert: nonEmpty(flags.mqttCaCert ?? env.MQTT_CA_CERT),
    mqttCaKey: nonEmpty(flags.mqttCaKey ?? env.MQTT_CA_KEY),
    mqttsCert: nonEmpty(flags.mqttsCert ?? env.MQTTS_CERT),
    mqttsKey: nonEmpty(flags.mqttsKey ?? env.MQTTS_KEY),
    mqttsHostnames: pathList(env.MQTTS_HOSTNAMES),
    offlineQueueMessages: optionalInteger(env.MQTT_OFFLINE_QUEUE_MESSAGES),
    offlineQueueBytes: optionalInteger(env.MQTT_OFFLINE_QUEUE_BYTES),
  };
  for (const key of Object.keys(candidate) as (keyof typeof candidate)[]) if (candidate[key] === undefined) delete candidate[key];
  if (Value.Check(ConfigSchema, candidate)) return candidate;
  const names: Record<string, string> = {
    port: 'PORT / --port',
    mqttPort: 'MQTT_PORT / --mqtt-port',
    host: 'HOST / --host',
    databaseUrl: 'DATABASE_URL / --database-url',
    dataDir: 'DATA_DIR / --data-dir',
    redisUrl: 'REDIS_URL / --redis-url',
    nodeId: 'NODE_ID / --node-id',
    jwtSecret: 'JWT_SECRET',
    logLevel: 'LOG_LEVEL / --log-level',
    trustedKeyFiles: 'TRUSTED_KEYS / --trusted-key',
    artifactMaxBytes: 'ARTIFACT_MAX_BYTES / --artifact-max-bytes',
    mqttsPort: 'MQTTS_PORT / --mqtts-port',
    mqttCaCert: 'MQTT_CA_CERT / --mqtt-ca-cert',
    mqttCaKey: 'MQTT_CA_KEY / --mqtt-ca-key',
    mqttsCert: 'MQTTS_CERT / --mqtts-cert',
    mqttsKey: 'MQTTS_KEY / --mqtts-key',
    mqttsHostnames: 'MQTTS_HOSTNAMES',
    offlineQueueMessages: 'MQTT_OFFLINE_QUEUE_MESSAGES',
    offlineQueueBytes: 'MQTT_OFFLINE_QUEUE_BYTES',
  };
  const problems = [...Value.Errors(ConfigSchema, candidate)].map((e) => {
    const key = e.path.slice(1).split('/')[0] ?? '';
    // Never echo a secret into logs: not the JWT secret, not a password inside a URL.
    const shown = key === 'jwtSecret' ? '(hidden)' : (key === 'databaseUrl' || key === 'redisUrl') && typeof e.value === 'string' ? JSON.stringify(redactedUrl(e.value)) : JSON.stringify(e.value);
    return `${names[key] ?? key}: ${e.message} (got ${shown})`;
  });
  throw new ConfigError([...new Set(problems)]);
}

/** Where embedded PGlite keeps its files. */
export function pgliteDir(config: Config): string {
  return `${config.dataDir.replace(/\/+$/, '')}/pglite`;
}

/** Where the artifact store keeps uploaded bundles. */
export function artifactsDir(config: Config): string {
  return `${config.dataDir.replace(/\/+$/, '')}/artifacts`;
}

/** Public keys (`*.pem`, `*.pub`) dropped here are trusted for bundle signatures, besides TRUSTED_KEYS. */
export function trustedKeysDir(config: Config): string {
  return `${config.dataDir.replace(/\/+$/, '')}/trusted-keys`;
}

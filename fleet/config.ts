// Server configuration: environment variables, overridden by command-line flags, checked
// against one TypeBox schema. Pure: reading files (the JWT secret) happens elsewhere.
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

const PortNumber = Type.Integer({ minimum: 0, maximum: 65535 });

export const ConfigSchema = Type.Object({
  port: PortNumber,
  mqttPort: PortNumber,
  host: Type.String({ minLength: 1 }),
  /** PostgreSQL through pg when set; embedded PGlite in `<dataDir>/pglite` otherwise. */
  databaseUrl: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  dataDir: Type.String({ minLength: 1 }),
  /** When unset, a secret is generated once and kept in `<dataDir>/jwt-secret`. */
  jwtSecret: Type.Optional(Type.String({ minLength: 32 })),
  logLevel: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l))),
});
export type Config = Static<typeof ConfigSchema>;

/** Flags as commander hands them over (strings), all optional. */
export interface ConfigFlags {
  port?: string;
  mqttPort?: string;
  host?: string;
  databaseUrl?: string;
  dataDir?: string;
  logLevel?: string;
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
    jwtSecret: nonEmpty(env.JWT_SECRET),
    logLevel: nonEmpty(flags.logLevel ?? env.LOG_LEVEL) ?? 'info',
  };
  for (const key of Object.keys(candidate) as (keyof typeof candidate)[]) if (candidate[key] === undefined) delete candidate[key];
  if (Value.Check(ConfigSchema, candidate)) return candidate;
  const names: Record<string, string> = {
    port: 'PORT / --port',
    mqttPort: 'MQTT_PORT / --mqtt-port',
    host: 'HOST / --host',
    databaseUrl: 'DATABASE_URL / --database-url',
    dataDir: 'DATA_DIR / --data-dir',
    jwtSecret: 'JWT_SECRET',
    logLevel: 'LOG_LEVEL / --log-level',
  };
  const problems = [...Value.Errors(ConfigSchema, candidate)].map((e) => {
    const key = e.path.slice(1).split('/')[0] ?? '';
    // Never echo the secret itself into logs.
    const shown = key === 'jwtSecret' ? '(hidden)' : JSON.stringify(e.value);
    return `${names[key] ?? key}: ${e.message} (got ${shown})`;
  });
  throw new ConfigError([...new Set(problems)]);
}

/** Where embedded PGlite keeps its files. */
export function pgliteDir(config: Config): string {
  return `${config.dataDir.replace(/\/+$/, '')}/pglite`;
}

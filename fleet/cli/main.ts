// `anc-fleet`: argument parsing and output only; the work is in server.ts and the modules
// it calls.
import { Command, Option } from 'commander';
import { pino } from 'pino';
import { ConfigError, loadConfig, type ConfigFlags } from '../config.ts';
import { openMigratedDatabase } from '../open-database.ts';
import { startServer } from '../server.ts';
import { createAdmin } from '../users/admin-bootstrap.ts';

function withStorageOptions(command: Command): Command {
  return command
    .addOption(new Option('--database-url <url>', 'PostgreSQL URL (default: embedded PGlite)').env('DATABASE_URL'))
    .addOption(new Option('--data-dir <dir>', 'data directory: PGlite files and the JWT secret').env('DATA_DIR'));
}

function fail(error: unknown): never {
  process.stderr.write(`anc-fleet: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof ConfigError ? 2 : 1);
}

const program = new Command('anc-fleet').description('ANC Platform fleet server').showHelpAfterError();

withStorageOptions(program.command('serve').description('run migrations and serve the REST API (default command)'))
  .addOption(new Option('--port <port>', 'REST port (default 8080)').env('PORT'))
  .addOption(new Option('--mqtt-port <port>', 'MQTT port (default 1883)').env('MQTT_PORT'))
  .addOption(new Option('--host <host>', 'interface to bind (default 0.0.0.0)').env('HOST'))
  .addOption(new Option('--redis-url <url>', 'Redis for broker sessions and messages shared by several nodes (default: in memory)').env('REDIS_URL'))
  .addOption(new Option('--node-id <name>', 'this node among several sharing Redis and the database (default: the host name)').env('NODE_ID'))
  .addOption(new Option('--log-level <level>', 'pino level (default info)').env('LOG_LEVEL'))
  .addOption(new Option('--mqtts-port <port>', 'MQTT over TLS port, devices log in with client certificates (default: off)').env('MQTTS_PORT'))
  .addOption(new Option('--mqtt-ca-cert <file>', 'fleet CA certificate, PEM (default: created in the data directory)').env('MQTT_CA_CERT'))
  .addOption(new Option('--mqtt-ca-key <file>', 'fleet CA private key, PEM').env('MQTT_CA_KEY'))
  .addOption(new Option('--mqtts-cert <file>', 'TLS certificate of the MQTT over TLS port, PEM (default: issued by the fleet CA)').env('MQTTS_CERT'))
  .addOption(new Option('--mqtts-key <file>', 'its private key, PEM').env('MQTTS_KEY'))
  .addOption(
    new Option('--trusted-key <pem>', 'Ed25519 public key (PEM) bundle uploads may be signed by; repeatable (TRUSTED_KEYS: comma-separated)').argParser(
      (value: string, previous: string[] = []) => [...previous, value],
    ),
  )
  .addOption(new Option('--artifact-max-bytes <n>', 'largest bundle upload (default 64 MiB)').env('ARTIFACT_MAX_BYTES'))
  .action(async (flags: ConfigFlags) => {
    let config;
    try {
      config = loadConfig(process.env, flags);
    } catch (error) {
      fail(error);
    }
    const logger = pino({ level: config.logLevel });
    const server = await startServer(config, {
      logger,
      onFirstAdmin({ username, password }) {
        // Printed, not logged: log shippers keep logs, and this must be seen once only.
        process.stdout.write(`\nFirst start: created admin user "${username}" with password: ${password}\nChange it after logging in.\n\n`);
      },
      // the default 1883 may belong to a broker already on this machine: then take the next
      // free port and say so; a port someone chose (flag or MQTT_PORT) is used or fails
    }, { mqttPortFallbacks: flags.mqttPort === undefined ? 16 : 0 }).catch(fail);
    let signals = 0;
    const shutdown = (signal: NodeJS.Signals) => {
      if (++signals > 1) {
        logger.warn({ signal }, 'second signal, exiting without waiting');
        process.exit(1);
      }
      logger.info({ signal }, 'shutting down');
      server.close().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
  });

withStorageOptions(program.command('create-admin').description('create an admin user (with PGlite, stop the server first)'))
  .requiredOption('--username <name>', 'login name')
  .option('--password <password>', 'password (default: generated and printed)')
  .action(async (flags: ConfigFlags & { username: string; password?: string }) => {
    try {
      const config = loadConfig(process.env, { databaseUrl: flags.databaseUrl, dataDir: flags.dataDir });
      if (flags.password !== undefined && flags.password.length < 8) throw new Error('--password must be at least 8 characters');
      const { db } = await openMigratedDatabase(config);
      try {
        const created = await createAdmin(db, flags.username, flags.password);
        process.stdout.write(
          flags.password === undefined
            ? `created admin "${created.username}" with password: ${created.password}\n`
            : `created admin "${created.username}"\n`,
        );
      } finally {
        await db.destroy();
      }
    } catch (error) {
      fail(error);
    }
  });

program.parseAsync(process.argv.length > 2 ? process.argv : [...process.argv, 'serve']).catch(fail);

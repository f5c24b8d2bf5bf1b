import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ConfigError, loadConfig, pgliteDir } from '../../fleet/config.ts';
import { loadOrCreateJwtSecret } from '../../fleet/jwt-secret-file.ts';
import { connectRedisBrokerStorage } from '../../fleet/mqtt/redis-broker-storage.ts';

t.test('defaults', async (t) => {
  const config = loadConfig({});
  t.same(config, { port: 8080, mqttPort: 1883, host: '0.0.0.0', dataDir: './data', logLevel: 'info' });
  t.equal(pgliteDir(config), './data/pglite');
});

t.test('environment, then flags over it', async (t) => {
  const env = { PORT: '9000', MQTT_PORT: '18830', HOST: '127.0.0.1', DATABASE_URL: 'postgres://u@h/db', DATA_DIR: '/var/lib/anc/', JWT_SECRET: 's'.repeat(32), LOG_LEVEL: 'warn' };
  t.same(loadConfig(env), { port: 9000, mqttPort: 18830, host: '127.0.0.1', databaseUrl: 'postgres://u@h/db', dataDir: '/var/lib/anc/', jwtSecret: 's'.repeat(32), logLevel: 'warn' });
  t.equal(pgliteDir(loadConfig(env)), '/var/lib/anc/pglite');
  const config = loadConfig(env, { port: '0', dataDir: '/tmp/x', databaseUrl: 'postgresql://other/db' });
  t.equal(config.port, 0);
  t.equal(config.dataDir, '/tmp/x');
  t.equal(config.databaseUrl, 'postgresql://other/db');
  t.equal(loadConfig({ DATABASE_URL: '' }).databaseUrl, undefined, 'an empty variable counts as unset');
});

t.test('bad values are all reported, the secret never echoed', async (t) => {
  const env = { PORT: '80a', MQTT_PORT: '70000', DATABASE_URL: 'mysql://x', JWT_SECRET: 'too-short-secret', LOG_LEVEL: 'loud' };
  const error = t.throws(() => loadConfig(env)) as ConfigError;
  t.ok(error instanceof ConfigError);
  const text = error.problems.join('\n');
  for (const name of ['PORT / --port', 'MQTT_PORT / --mqtt-port', 'DATABASE_URL', 'JWT_SECRET', 'LOG_LEVEL']) t.match(text, name);
  t.notMatch(text, /too-short-secret/);
  t.throws(() => loadConfig({}, { port: '-1' }), ConfigError);
  t.throws(() => loadConfig({}, { port: '8.5' }), ConfigError);
});

t.test('the JWT secret is generated once, kept private, and reused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'anc-jwt-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const nested = join(dir, 'deep', 'data');
  const first = loadOrCreateJwtSecret(nested);
  t.ok(first.length >= 32);
  t.equal(loadOrCreateJwtSecret(nested), first, 'same secret on the next start');
  t.equal(statSync(join(nested, 'jwt-secret')).mode & 0o777, 0o600, 'readable by the owner only');
  writeFileSync(join(dir, 'jwt-secret'), 'short\n');
  t.throws(() => loadOrCreateJwtSecret(dir), /shorter than 32/);
  t.equal(readFileSync(join(dir, 'jwt-secret'), 'utf8'), 'short\n', 'an existing file is never overwritten');
});

t.test('MQTT over TLS and offline queue settings', async (t) => {
  t.equal(loadConfig({}).mqttsPort, undefined, 'TLS is off unless MQTTS_PORT is set');
  const env = {
    MQTTS_PORT: '8883',
    MQTT_CA_CERT: '/etc/anc/ca.crt',
    MQTT_CA_KEY: '/etc/anc/ca.key',
    MQTTS_CERT: '/etc/anc/tls.crt',
    MQTTS_KEY: '/etc/anc/tls.key',
    MQTTS_HOSTNAMES: 'fleet.example.com, 10.0.0.7',
    MQTT_OFFLINE_QUEUE_MESSAGES: '50',
    MQTT_OFFLINE_QUEUE_BYTES: '65536',
  };
  t.match(loadConfig(env), {
    mqttsPort: 8883,
    mqttCaCert: '/etc/anc/ca.crt',
    mqttCaKey: '/etc/anc/ca.key',
    mqttsCert: '/etc/anc/tls.crt',
    mqttsKey: '/etc/anc/tls.key',
    mqttsHostnames: ['fleet.example.com', '10.0.0.7'],
    offlineQueueMessages: 50,
    offlineQueueBytes: 65536,
  });
  t.equal(loadConfig(env, { mqttsPort: '0' }).mqttsPort, 0, 'the flag wins; 0 is any free port');
  const error = t.throws(() => loadConfig({ MQTTS_PORT: 'tls', MQTT_OFFLINE_QUEUE_MESSAGES: '0', MQTTS_HOSTNAMES: 'bad name' })) as ConfigError;
  const text = error.problems.join('\n');
  for (const name of ['MQTTS_PORT / --mqtts-port', 'MQTT_OFFLINE_QUEUE_MESSAGES', 'MQTTS_HOSTNAMES']) t.match(text, name);
});

t.test('several nodes: REDIS_URL and NODE_ID, checked, passwords never echoed', async (t) => {
  t.same(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379/2', NODE_ID: 'fleet-b' }), { port: 8080, mqttPort: 1883, host: '0.0.0.0', dataDir: './data', logLevel: 'info', redisUrl: 'redis://127.0.0.1:6379/2', nodeId: 'fleet-b' });
  t.equal(loadConfig({ REDIS_URL: 'redis://a/0' }, { redisUrl: 'rediss://b:6380/1' }).redisUrl, 'rediss://b:6380/1', 'the flag wins');
  const error = t.throws(() => loadConfig({ REDIS_URL: 'http://:hunter2@cache:6379', NODE_ID: 'has space', DATABASE_URL: 'mysql://u:s3cret@db/x' })) as ConfigError;
  const text = error.problems.join('\n');
  for (const name of ['REDIS_URL / --redis-url', 'NODE_ID / --node-id', 'DATABASE_URL']) t.match(text, name);
  t.notMatch(text, /hunter2|s3cret/, 'passwords in URLs are hidden');
  t.match(text, /cache:6379/, 'the rest of the URL is shown');
});

t.test('a Redis that cannot be reached stops the start with its address, password hidden', async (t) => {
  // port 1 on the loopback: refused at once
  const error = await connectRedisBrokerStorage('redis://:hunter2@127.0.0.1:1/0').then(() => undefined, (e: Error) => e);
  t.match(error?.message, /^cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1\/0: /);
  t.notMatch(error?.message, /hunter2/);
});

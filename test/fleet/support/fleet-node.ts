// A whole fleet node for MQTT tests: broker, ingest, REST, listening on ports 0 over a test
// database, with helpers to provision devices and connect real MQTT clients.
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import type { Kysely } from 'kysely';
import type { Role } from '../../../fleet/db/tables/users.ts';
import type { Database } from '../../../fleet/db/database.ts';
import { hashPassword } from '../../../fleet/auth/password.ts';
import { startFleet, type FleetOptions, type RunningServer } from '../../../fleet/server.ts';
import { insertUser } from '../../../fleet/users/user-repository.ts';
import { JWT_SECRET, PASSWORD, login } from './fleet-app.ts';

export interface FleetNode {
  server: RunningServer;
  mqttUrl: string;
  wsUrl: string;
  token(role: Role): string;
  api(role: Role, inject: { method?: string; url: string; payload?: unknown; query?: Record<string, string> }): Promise<{ statusCode: number; json(): any; body: string }>;
  provision(id: string, extra?: Record<string, unknown>): Promise<string>;
  connectDevice(id: string, secret: string, options?: IClientOptions): Promise<MqttClient>;
}

export async function startFleetNode(db: Kysely<Database>, options: Partial<FleetOptions> = {}, usernamePrefix = 'n'): Promise<FleetNode> {
  const server = await startFleet({ db, jwtSecret: JWT_SECRET, port: 0, mqttPort: 0, host: '127.0.0.1', nodeId: `test-${process.pid}-${usernamePrefix}`, ...options });
  const tokens = {} as Record<Role, string>;
  const hash = await hashPassword(PASSWORD);
  for (const role of ['admin', 'operator', 'viewer'] as const) {
    await insertUser(db, { username: `${usernamePrefix}-${role}`, passwordHash: hash, role });
    tokens[role] = (await login(server.app, `${usernamePrefix}-${role}`, PASSWORD)).json().token;
  }
  const node: FleetNode = {
    server,
    mqttUrl: `mqtt://127.0.0.1:${server.mqttPort}`,
    wsUrl: `${server.url.replace(/^http/, 'ws')}/mqtt`,
    token: (role) => tokens[role],
    api: (role, inject) =>
      server.app.inject({ method: (inject.method ?? 'GET') as 'GET', url: inject.url, payload: inject.payload as object, query: inject.query, headers: { authorization: `Bearer ${tokens[role]}` } }),
    async provision(id, extra = {}) {
      const res = await node.api('operator', { method: 'POST', url: '/api/v1/devices', payload: { id, ...extra } });
      if (res.statusCode !== 201) throw new Error(`provision ${id}: ${res.body}`);
      return res.json().secret as string;
    },
    connectDevice(id, secret, clientOptions = {}) {
      return connectAsync(node.mqttUrl, { clientId: id, username: id, password: secret, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, ...clientOptions });
    },
  };
  return node;
}

/** Resolves with the next message on `topic` (exact), or rejects after `ms`. */
export function nextMessage(client: MqttClient, topic: string, ms = 5000): Promise<any> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('message', onMessage);
      reject(new Error(`no message on ${topic} within ${ms} ms`));
    }, ms);
    const onMessage = (t: string, payload: Buffer) => {
      if (t !== topic) return;
      clearTimeout(timer);
      client.off('message', onMessage);
      try {
        resolve(payload.length ? JSON.parse(payload.toString()) : null);
      } catch {
        resolve(payload.toString());
      }
    };
    client.on('message', onMessage);
  });
}

/** Polls `check` until it returns a truthy value, or fails after `ms` (for database effects of events). */
export async function eventually<T>(check: () => Promise<T | undefined | false>, ms = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${ms} ms`);
    await new Promise((r) => setImmediate(r));
  }
}

/** Resolves when the client is closed by the server (or errors), rejects after `ms`. */
export function closedByServer(client: MqttClient, ms = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!client.connected) return resolve();
    const timer = setTimeout(() => reject(new Error(`connection still open after ${ms} ms`)), ms);
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

// `anc config get [key]` and `anc config set <key> <json>`: the device's config partition.
import type { Connection } from '../client/connect.ts';

export async function configGet(conn: Connection, key = ''): Promise<{ key: string; value: unknown }> {
  const r = await conn.client.request({ kind: 'config-get', key }, { expect: ['config-value'] });
  return { key, value: JSON.parse(r.json) as unknown };
}

export async function configSet(conn: Connection, key: string, value: unknown): Promise<{ key: string; value: unknown }> {
  await conn.client.request({ kind: 'config-set', key, json: JSON.stringify(value) }, { expect: ['ack'] });
  return { key, value };
}

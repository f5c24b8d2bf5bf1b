// `anc confirm` and `anc rollback`: the two boot-control actions a person runs by hand.
import type { Connection } from '../client/connect.ts';

export async function confirmFirmware(conn: Connection): Promise<{ action: 'confirm' }> {
  await conn.client.request({ kind: 'boot-control', action: 'confirm' }, { expect: ['ack'] });
  return { action: 'confirm' };
}

export async function rollbackFirmware(conn: Connection): Promise<{ action: 'rollback'; firmwareVersion: string }> {
  await conn.client.request({ kind: 'boot-control', action: 'rollback' }, { expect: ['ack'] });
  const info = await conn.client.request({ kind: 'info-request' }, { expect: ['info'] });
  return { action: 'rollback', firmwareVersion: info.firmwareVersion };
}

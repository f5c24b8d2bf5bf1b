// `anc info`: who the device is and how its flash is laid out (handshake + info).
import { HOST_OFFER, type Connection } from '../client/connect.ts';
import type { Partition } from '../protocol/handshake-messages.ts';

export interface InfoResult {
  deviceId: string;
  hardwareRevision: string;
  bootloaderVersion: string;
  firmwareVersion: string;
  mode: string;
  rollbackCounter: number;
  uptimeMs: number;
  calibrated: boolean;
  protocolVersion: number;
  maxFramePayload: number;
  window: number;
  compression: string[];
  activeSlot: string | null;
  partitions: Partition[];
}

export async function readInfo(conn: Connection): Promise<InfoResult> {
  const { kind: _kind, ...info } = await conn.client.request({ kind: 'info-request' }, { expect: ['info'] });
  // A fresh handshake reply: slot states and the active slot change with every flash.
  const d = await conn.client.request({ kind: 'handshake-request', ...HOST_OFFER, maxFramePayload: conn.session.receiveMaxPayload }, { expect: ['handshake-response'] });
  return {
    ...info,
    protocolVersion: conn.session.protocolVersion,
    maxFramePayload: conn.session.sendMaxPayload,
    window: conn.session.sendWindow,
    compression: conn.session.compression,
    activeSlot: d.partitions[d.activeSlot]?.name ?? null,
    partitions: d.partitions,
  };
}

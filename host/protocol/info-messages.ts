// Device information: what `anc info` prints and what `anc flash` checks a bundle against.
import { DeviceMode, type DeviceModeName } from './handshake-messages.ts';
import { defineCodec, emptyBody, readBool, writeBool, type Empty } from './message-codec.ts';

export interface DeviceInfo {
  deviceId: string;
  hardwareRevision: string;
  bootloaderVersion: string;
  /** Version of the firmware in the active slot ('' if none). */
  firmwareVersion: string;
  mode: DeviceModeName;
  /** Anti-rollback counter: the device refuses bundles with a lower one. */
  rollbackCounter: number;
  uptimeMs: number;
  calibrated: boolean;
}

export const infoRequest = defineCodec<'info-request', Empty>({ kind: 'info-request', type: 0x05, ...emptyBody });

export const info = defineCodec<'info', DeviceInfo>({
  kind: 'info',
  type: 0x06,
  encode(w, b) {
    w.str8(b.deviceId, 'deviceId').str8(b.hardwareRevision, 'hardwareRevision');
    w.str8(b.bootloaderVersion, 'bootloaderVersion').str8(b.firmwareVersion, 'firmwareVersion');
    DeviceMode.write(w, b.mode, 'mode');
    w.u32(b.rollbackCounter, 'rollbackCounter').u32(b.uptimeMs, 'uptimeMs');
    writeBool(w, b.calibrated, 'calibrated');
  },
  decode(r) {
    return {
      deviceId: r.str8('deviceId'),
      hardwareRevision: r.str8('hardwareRevision'),
      bootloaderVersion: r.str8('bootloaderVersion'),
      firmwareVersion: r.str8('firmwareVersion'),
      mode: DeviceMode.read(r, 'mode'),
      rollbackCounter: r.u32('rollbackCounter'),
      uptimeMs: r.u32('uptimeMs'),
      calibrated: readBool(r, 'calibrated'),
    };
  },
});

// Reads the status-stream snapshot: the firmware status struct, little-endian, layout in
// docs/firmware-abi.md (the fields `anc monitor` shows). Shorter snapshots give null.
import { ALGORITHMS } from '../../firmware/loader.ts';

export interface StatusSnapshot {
  algorithm: string;
  taps: number;
  stepSize: number;
  gain: number;
  attenuationDb: number;
  errorPower: number;
  recoveries: number;
  samples: number;
  bypass: boolean;
}

export function decodeStatusSnapshot(b: Uint8Array): StatusSnapshot | null {
  if (b.length < 76) return null;
  const v = new DataView(b.buffer, b.byteOffset, b.length);
  return {
    algorithm: ALGORITHMS[v.getInt32(8, true)] ?? `#${v.getInt32(8, true)}`,
    taps: v.getInt32(12, true),
    stepSize: v.getFloat32(16, true),
    gain: v.getFloat32(28, true),
    attenuationDb: v.getFloat32(32, true),
    errorPower: v.getFloat32(36, true),
    recoveries: v.getInt32(48, true),
    samples: v.getUint32(60, true) + v.getUint32(64, true) * 2 ** 32,
    bypass: (v.getInt32(4, true) & 2) !== 0,
  };
}

// The status-stream snapshot: the firmware's status struct in its ABI layout (docs/firmware-abi.md,
// first 76 bytes), rebuilt from Firmware.status() since the loader keeps the raw view private.
import type { Firmware } from '../../firmware/loader.ts';
import { ALGORITHMS } from '../../firmware/loader.ts';

export const SNAPSHOT_LENGTH = 76;

export function statusSnapshot(fw: Firmware | undefined): Uint8Array {
  const out = new Uint8Array(fw ? SNAPSHOT_LENGTH : 0);
  if (!fw) return out;
  const s = fw.status();
  const v = new DataView(out.buffer);
  const ints: Array<[number, number]> = [[0, s.abiVersion], [4, s.flags], [8, ALGORITHMS.indexOf(s.algorithm)], [12, s.taps], [48, s.recoveries], [52, s.sanitized], [56, s.limited], [68, s.secTaps], [72, s.sampleRate]];
  for (const [o, x] of ints) v.setInt32(o, x, true);
  const floats: Array<[number, number]> = [[16, s.stepSize], [20, s.leakage], [24, s.intensity], [28, s.gain], [32, s.attenuationDb], [36, s.errorPower], [40, s.disturbancePower], [44, s.coefNorm]];
  for (const [o, x] of floats) v.setFloat32(o, x, true);
  v.setUint32(60, s.samples % 2 ** 32, true);
  v.setUint32(64, Math.floor(s.samples / 2 ** 32), true);
  return out;
}

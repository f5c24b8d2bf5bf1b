// Fault knobs of a virtual headset's over-the-air updates, for tests, benchmarks and
// `anc-sim fleet`: a slow link, a dropped connection mid-download, a share of devices whose
// self-test fails a given bundle, and a bundle that installs fine but makes the module cancel
// about 3 dB worse. A bundle is named by its artifact id (SHA-256 of the file) or its version.

export interface HeadsetFaults {
  /** The link carries at most this many bytes of chunk requests' replies per second. */
  linkBytesPerSecond?: number;
  /** Drop the connection once this many bytes of a download are held (once per job). */
  disconnectAfterBytes?: number;
  /** The self-test fails after installing any of these bundles: the headset rolls back. */
  failBundles?: readonly string[];
  /** After installing this bundle the module runs at the intensity that costs `lossDb` of attenuation. */
  degradeBundle?: { bundle: string; lossDb: number };
}

/** Fleet-wide faults: `share` of the devices (chosen by device id and seed) fail `bundle`. */
export interface FleetFaults extends Omit<HeadsetFaults, 'failBundles'> {
  failBundle?: { bundle: string; share: number; seed?: number };
}

export function namesBundle(name: string, bundle: { artifact: string; version: string }): boolean {
  return name === bundle.artifact || name === bundle.version;
}

/** FNV-1a over the seed and the device id: a stable draw in [0, 1) per device. */
export function deviceDraw(deviceId: string, seed: number): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < deviceId.length; i++) h = Math.imul(h ^ deviceId.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d); // finalise, so ids differing in one digit spread out
  h ^= h >>> 12;
  return (h >>> 0) / 2 ** 32;
}

/**
 * The devices that fail: exactly round(share x N) of them, those with the smallest draws, so a
 * fleet of 10 with share 0.3 has 3 failing devices and the same 3 on every run with that seed.
 */
export function failingDevices(deviceIds: readonly string[], share: number, seed = 1): Set<string> {
  if (!(share >= 0 && share <= 1)) throw new RangeError(`fail share ${share} must be in 0..1`);
  const count = Math.round(share * deviceIds.length);
  const ranked = [...deviceIds].sort((a, b) => deviceDraw(a, seed) - deviceDraw(b, seed));
  return new Set(ranked.slice(0, count));
}

/** Each headset's faults from the fleet's. */
export function headsetFaults(deviceIds: readonly string[], faults: FleetFaults | undefined): Map<string, HeadsetFaults> {
  const out = new Map<string, HeadsetFaults>();
  if (!faults) return out;
  const { failBundle, ...shared } = faults;
  const failing = failBundle ? failingDevices(deviceIds, failBundle.share, failBundle.seed) : new Set<string>();
  for (const id of deviceIds) out.set(id, { ...shared, ...(failing.has(id) ? { failBundles: [failBundle!.bundle] } : {}) });
  return out;
}

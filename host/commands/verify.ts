// `anc verify <bundle>`: would this device accept this bundle, and is it what it runs? Checks the
// bundle (signature with the given keys, this device's hardware and anti-rollback counter) and
// compares its version with the running firmware. Writes nothing.
import type { KeyObject } from 'node:crypto';
import { BundleError } from '../bundle/bundle-error.ts';
import { parseBundle } from '../bundle/parse-bundle.ts';
import { verifyBundle } from '../bundle/verify-bundle.ts';
import type { Connection } from '../client/connect.ts';

export interface VerifyResult {
  version: string;
  deviceFirmwareVersion: string;
  hardwareRevision: string;
  installable: true;
  installed: boolean;
  signatureChecked: boolean;
}

export async function verifyAgainstDevice(conn: Connection, bundle: Uint8Array, trustedKeys: readonly KeyObject[]): Promise<VerifyResult> {
  const parsed = parseBundle(bundle);
  const info = await conn.client.request({ kind: 'info-request' }, { expect: ['info'] });
  if (trustedKeys.length > 0) verifyBundle(parsed, trustedKeys, { hardwareRevision: info.hardwareRevision, minCounter: info.rollbackCounter });
  else {
    // Without a key only hardware and counter can be checked here; the device checks the signature.
    const m = parsed.manifest;
    if (!m.hardware.includes(info.hardwareRevision)) throw new BundleError('wrong-hardware', `bundle is for hardware ${m.hardware.join(', ')}, not ${info.hardwareRevision}: use the bundle built for ${info.hardwareRevision}`);
    if (m.counter < info.rollbackCounter) throw new BundleError('downgrade', `bundle counter ${m.counter} is below the device's ${info.rollbackCounter} (anti-rollback): use a newer bundle`);
  }
  return {
    version: parsed.manifest.version,
    deviceFirmwareVersion: info.firmwareVersion,
    hardwareRevision: info.hardwareRevision,
    installable: true,
    installed: info.firmwareVersion === parsed.manifest.version,
    signatureChecked: trustedKeys.length > 0,
  };
}

// Flashing throughput over the in-memory pair with UART line-rate emulation (8N1: baud/10 bytes/s
// each way), as a share of the line rate, for incompressible bytes (SHA-256 counter stream) and
// the real firmware module (build/firmware.wasm, the build a headset runs). Two shares per row:
// the write phase (flash-begin to the last segment ack: what the line rate limits) and the whole
// update (plus manifest, signature check, test boot and confirm, fixed costs that a 14 KiB module
// cannot amortise). Bundles use the default 8 KiB segments. Run: npm run bench:flash
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { firmwarePath } from '../../firmware/loader.ts';
import { packBundle, type PackInput } from '../../host/bundle/pack-bundle.ts';
import { signBundle } from '../../host/bundle/sign-bundle.ts';
import { connect } from '../../host/client/connect.ts';
import { flashBundle, type FlashProgress } from '../../host/commands/flash.ts';
import { createMemoryPair } from '../../host/transport/memory-pair.ts';
import { VirtualHeadset } from '../../simulator/device/virtual-headset.ts';

const keys = generateKeyPairSync('ed25519');
const random = (n: number) => new Uint8Array(Buffer.concat(Array.from({ length: Math.ceil(n / 32) }, (_, i) => createHash('sha256').update(String(i)).digest())).subarray(0, n));
const firmware = new Uint8Array(readFileSync(firmwarePath('scalar')));
const payloads: Array<[string, PackInput['artifacts'][number]]> = [
  ['random 256 KiB (incompressible)', { name: 'blob.bin', type: 'model-blob', bytes: random(256 * 1024) }],
  ['firmware.wasm (real module)', { name: 'firmware.wasm', type: 'firmware-wasm', bytes: firmware }],
];

const dir = mkdtempSync(join(tmpdir(), 'anc-bench-'));
const rows: string[] = [
  '| payload | baud | compression | bytes | wire bytes | write s | write share | update s | update share |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
];
let run = 0;
for (const baud of [921600, 3_000_000]) {
  for (const [name, artifact] of payloads) {
    for (const compress of [false, true]) {
      const b = signBundle(packBundle({ version: '1.0.0', hardware: ['hp-1'], counter: 1, artifacts: [artifact] }), keys.privateKey);
      const pair = createMemoryPair({ baudRate: baud, emulateLineRate: true });
      const headset = new VirtualHeadset({ transport: pair.b, flashFile: join(dir, `f${run++}.bin`), trustedKeys: [keys.publicKey] });
      const conn = await connect(pair.a, { timeoutMs: 2000 });
      const started = performance.now();
      const at: Partial<Record<FlashProgress['phase'], number>> = {};
      const r = await flashBundle(conn, { bundle: b, compress, onProgress: (p) => (at[p.phase] ??= performance.now()) });
      const write = (at.commit! - started) / 1000;
      const share = (seconds: number) => `${((100 * r.rawBytes) / seconds / (baud / 10)).toFixed(1)}%`;
      rows.push(`| ${name} | ${baud} | ${compress ? 'deflate' : 'stored'} | ${r.rawBytes} | ${r.wireBytes} | ${write.toFixed(3)} | ${share(write)} | ${r.seconds.toFixed(3)} | ${share(r.seconds)} |`);
      pair.disconnect();
      await headset.shutdown();
    }
  }
}
rmSync(dir, { recursive: true, force: true });
console.log(rows.join('\n'));
// The ceiling for the module: its whole-file deflate ratio, with no framing, hashes or round trips.
const whole = firmware.length / deflateRawSync(firmware, { level: 9 }).length;
console.log(`\nfirmware.wasm: ${firmware.length} bytes; whole-file deflate level 9 ratio ${whole.toFixed(3)} (the upper bound on the compressed share: ${(100 * whole).toFixed(0)}%)`);

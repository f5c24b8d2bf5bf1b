// Flashing throughput over the in-memory pair with UART line-rate emulation (8N1: baud/10 bytes/s
// each way), as a share of the line rate: stored random bytes (incompressible) and real wasm
// modules (compressible). Run: node --import tsx bench/flash/throughput.ts
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firmwarePath } from '../../firmware/loader.ts';
import { packBundle } from '../../host/bundle/pack-bundle.ts';
import { signBundle } from '../../host/bundle/sign-bundle.ts';
import { connect } from '../../host/client/connect.ts';
import { flashBundle } from '../../host/commands/flash.ts';
import { createMemoryPair } from '../../host/transport/memory-pair.ts';
import { VirtualHeadset } from '../../simulator/device/virtual-headset.ts';

const keys = generateKeyPairSync('ed25519');
// SHA-256 in counter mode: reproducible bytes that deflate cannot shrink.
const random = (n: number) => new Uint8Array(Buffer.concat(Array.from({ length: Math.ceil(n / 32) }, (_, i) => createHash('sha256').update(String(i)).digest())).subarray(0, n));
const wasm = Buffer.concat(['debug', 'simd', 'scalar'].map((v) => readFileSync(firmwarePath(v as 'debug'))));
const payloads = { 'random (incompressible)': random(256 * 1024), 'wasm modules (compressible)': new Uint8Array(Buffer.concat([wasm, wasm, wasm])) };

const dir = mkdtempSync(join(tmpdir(), 'anc-bench-'));
const rows: string[] = ['| payload | baud | compression | bytes | seconds | effective B/s | share of line rate |', '| --- | --- | --- | --- | --- | --- | --- |'];
let run = 0;
for (const baud of [921600, 3_000_000]) {
  for (const [name, bytes] of Object.entries(payloads)) {
    for (const compress of [false, true]) {
      const b = signBundle(packBundle({ version: '1.0.0', hardware: ['hp-1'], counter: 1, segmentSize: 4096, artifacts: [{ name: 'blob.bin', type: 'model-blob', bytes }] }), keys.privateKey);
      const pair = createMemoryPair({ baudRate: baud, emulateLineRate: true });
      const headset = new VirtualHeadset({ transport: pair.b, flashFile: join(dir, `f${run++}.bin`), trustedKeys: [keys.publicKey] });
      const conn = await connect(pair.a, { timeoutMs: 2000 });
      const r = await flashBundle(conn, { bundle: b, compress });
      const line = baud / 10;
      const effective = r.rawBytes / r.seconds;
      rows.push(`| ${name} | ${baud} | ${compress ? 'deflate' : 'stored'} | ${r.rawBytes} | ${r.seconds.toFixed(2)} | ${Math.round(effective)} | ${((100 * effective) / line).toFixed(1)}% |`);
      pair.disconnect();
      await headset.shutdown();
    }
  }
}
rmSync(dir, { recursive: true, force: true });
console.log(rows.join('\n'));

// Flashing the virtual headset over the in-memory pair: full flash, refusals, resume, faults.
import t from 'tap';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { flashBundle } from '../../../host/commands/flash.ts';
import { readInfo } from '../../../host/commands/info.ts';
import { rollbackFirmware } from '../../../host/commands/boot-control.ts';
import { connect } from '../../../host/client/connect.ts';
import { bundle, firmware, keys, otherKeys, rig, tempDir } from './headset-rig.ts';

t.test('full flash: committed, test-booted, confirmed; a second flash goes to the other slot', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const r = await rig(join(dir, 'flash.bin'));
  t.teardown(r.close);
  const res = await flashBundle(r.conn, { bundle: bundle(), trustedKeys: [keys.publicKey] });
  t.equal(res.confirmed, true);
  t.equal(res.segmentsHeld, 0);
  t.ok(res.wireBytes < res.rawBytes, 'the firmware module compresses');
  let info = await readInfo(r.conn);
  t.match(info, { firmwareVersion: '1.0.0', mode: 'application', rollbackCounter: 1, activeSlot: 'slot-a' });
  await flashBundle(r.conn, { bundle: bundle({ version: '1.1.0', counter: 2 }) });
  info = await readInfo(r.conn);
  t.match(info, { firmwareVersion: '1.1.0', activeSlot: 'slot-b', rollbackCounter: 2 });
  t.equal(info.partitions[0].state, 'valid', 'the previous slot is kept for rollback');
});

t.test('the device refuses wrong-key, tampered, wrong-hardware and downgrade bundles, and keeps running', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const r = await rig(join(dir, 'flash.bin'));
  t.teardown(r.close);
  await flashBundle(r.conn, { bundle: bundle({ version: '2.0.0', counter: 5 }) });
  const tampered = bundle({ version: '2.1.0', counter: 5 });
  // flip one signature byte: the bundle still parses, only the signature is wrong
  const sigAt = 32 + Math.ceil(new DataView(tampered.buffer).getUint32(12, true) / 8) * 8 + 8;
  tampered[sigAt] ^= 1;
  const cases: Array<[string, Uint8Array, string]> = [
    ['wrong key', bundle({ version: '2.1.0', counter: 5 }, otherKeys.privateKey), 'unknown-key'],
    ['tampered signature', tampered, 'bad-signature'],
    ['wrong hardware', bundle({ version: '2.1.0', counter: 5, hardware: ['hp-9'] }), 'wrong-hardware'],
    ['downgrade', bundle({ version: '1.9.0', counter: 4 }), 'downgrade'],
  ];
  for (const [name, b, code] of cases) {
    await t.rejects(flashBundle(r.conn, { bundle: b }), { name: 'DeviceError', code }, name);
    t.match(await readInfo(r.conn), { firmwareVersion: '2.0.0', mode: 'application' }, `${name}: still running 2.0.0`);
  }
  await t.rejects(flashBundle(r.conn, { bundle: bundle({ version: '2.1.0', counter: 5, hardware: ['hp-9'] }), trustedKeys: [keys.publicKey] }), { name: 'BundleError', code: 'wrong-hardware' }, 'the host checks first when given a key');
});

t.test('a segment whose bytes do not match its hash is nacked, never written', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const r = await rig(join(dir, 'flash.bin'));
  t.teardown(r.close);
  const c = r.conn.client;
  await c.request({ kind: 'flash-begin', artifactName: 'x.wasm', artifactType: 'firmware-wasm', size: 4, sha256: new Uint8Array(32), segmentSize: 4, segmentCount: 1 }, { expect: ['flash-status'] });
  await c.request({ kind: 'flash-hashes', firstIndex: 0, hashes: [new Uint8Array(32)] }, { expect: ['ack'] });
  const reply = await c.request({ kind: 'flash-segment', index: 0, compression: 'none', rawLength: 4, data: Uint8Array.of(1, 2, 3, 4) }, { expect: ['segment-nack'] });
  t.equal(reply.reason, 'bad-hash');
  const bomb = await c.request({ kind: 'flash-segment', index: 0, compression: 'deflate-raw', rawLength: 4, data: Uint8Array.of(1, 2, 3) }, { expect: ['segment-nack'] });
  t.equal(bomb.reason, 'bad-compression');
  const status = await c.request({ kind: 'flash-status-request' }, { expect: ['flash-status'] });
  t.same([...status.held], [0]);
});

t.test('resume after a cut: the second attempt sends only the missing segments', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const file = join(dir, 'flash.bin');
  const big = bundle({ segmentSize: 512 });
  const first = await rig(file, { pair: { impairments: { 'a-to-b': { tap: (b, at) => (at > 9000 ? new Uint8Array(0) : b.subarray(0, Math.max(0, 9000 - at))) } } }, timeoutMs: 100, retries: 1 });
  await t.rejects(flashBundle(first.conn, { bundle: big, compress: false }), { code: 'timeout' });
  await first.close();
  const second = await rig(file);
  t.teardown(second.close);
  const res = await flashBundle(second.conn, { bundle: big, compress: false });
  t.ok(res.segmentsHeld > 5, `${res.segmentsHeld} segments resumed`);
  t.equal(res.segmentsHeld + res.segmentsSent, Math.ceil(firmware.length / 512) + 1); // the module's segments and the manifest's
  t.match(await readInfo(second.conn), { firmwareVersion: '1.0.0', mode: 'application' });
});

t.test('corrupt and dropped frames are recovered by retries', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const noisy = { bitErrorRate: 2e-5, dropRate: 2e-5, seed: 11 };
  const r = await rig(join(dir, 'flash.bin'), { pair: { impairments: { 'a-to-b': noisy, 'b-to-a': { ...noisy, seed: 12 } } }, timeoutMs: 100, retries: 8 });
  t.teardown(r.close);
  for (const v of ['1.0.0', '1.0.1', '1.0.2']) {
    const res = await flashBundle(r.conn, { bundle: bundle({ version: v }), compress: false });
    t.equal(res.confirmed, true, v);
  }
  const s = r.headset.link.stats;
  t.ok(s.badCrc + s.malformed > 0, `device dropped ${s.badCrc} bad-CRC and ${s.malformed} malformed frames`);
});

t.test('a failing self-test rolls back to the previous firmware', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const r = await rig(join(dir, 'flash.bin'));
  t.teardown(r.close);
  await flashBundle(r.conn, { bundle: bundle() });
  r.headset.failSelfTest = true;
  await t.rejects(flashBundle(r.conn, { bundle: bundle({ version: '1.1.0' }) }), { code: 'flash-failed', message: /self-test.*rolled back/ });
  const info = await readInfo(r.conn);
  t.match(info, { firmwareVersion: '1.0.0', mode: 'application', activeSlot: 'slot-a' });
  t.equal(info.partitions[1].state, 'invalid');
});

t.test('no confirm before a reset: the bootloader rolls back by itself; anc rollback goes back explicitly', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const file = join(dir, 'flash.bin');
  const r = await rig(file);
  await flashBundle(r.conn, { bundle: bundle() });
  await flashBundle(r.conn, { bundle: bundle({ version: '1.1.0' }), confirm: false });
  t.equal((await readInfo(r.conn)).firmwareVersion, '1.1.0', 'running the trial');
  await r.close();
  const after = await rig(file);
  t.teardown(after.close);
  t.match(await readInfo(after.conn), { firmwareVersion: '1.0.0', activeSlot: 'slot-a' });
  t.match(after.headset.log.join('\n'), /not confirmed.*rolled back/);
  await flashBundle(after.conn, { bundle: bundle({ version: '1.2.0' }) });
  t.match(await rollbackFirmware(after.conn), { firmwareVersion: '1.0.0' });
});

t.test('handshake mismatches fail at once with a clear error, never a hang', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  await t.rejects(rig(join(dir, 'a.bin'), { headset: { protocolVersion: 2 } }), { code: 'version-mismatch', message: /update anc/ });
  await t.rejects(rig(join(dir, 'b.bin'), { headset: { maxFramePayload: 512 } }), { code: 'incompatible' });
  const r = await rig(join(dir, 'c.bin'));
  t.teardown(r.close);
  // the device refuses handshakes from hosts that only speak a newer protocol: negotiate says so
  const again = connect(r.pair.a, { offer: { protocolVersion: 3, minProtocolVersion: 2 }, timeoutMs: 100 });
  await t.rejects(again, { code: 'version-mismatch', message: /update the device/ });
});

t.test('oversize frames: the host refuses to send them, the device drops them and the host times out', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const r = await rig(join(dir, 'flash.bin'), { timeoutMs: 50, retries: 1 });
  t.teardown(r.close);
  const c = r.conn.client;
  await t.rejects(c.request({ kind: 'manifest-chunk', totalLength: 40000, offset: 0, data: new Uint8Array(17000) }, { expect: ['ack'] }), { code: 'too-large' });
  r.conn.client.link.setLimits({ send: 65536, receive: 16384 }); // a host that ignores the handshake
  await t.rejects(c.request({ kind: 'manifest-chunk', totalLength: 40000, offset: 0, data: new Uint8Array(17000) }, { expect: ['ack'] }), { code: 'timeout' });
  t.ok(r.headset.link.stats.oversized >= 1);
  t.match(await c.request({ kind: 'info-request' }, { expect: ['info'] }), { kind: 'info' }, 'the link still works');
});

t.test('a bundle whose segments exceed the device frame size is refused with what to do', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const r = await rig(join(dir, 'flash.bin'));
  t.teardown(r.close);
  await t.rejects(flashBundle(r.conn, { bundle: bundle({ segmentSize: 16384 }) }), { code: 'too-large', message: /--segment-size 8192/ });
});

t.test('a flash file copied from a good device boots the same (file-backed flash)', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const r = await rig(join(dir, 'flash.bin'));
  await flashBundle(r.conn, { bundle: bundle() });
  await r.close();
  copyFileSync(join(dir, 'flash.bin'), join(dir, 'copy.bin'));
  const c = await rig(join(dir, 'copy.bin'));
  t.teardown(c.close);
  t.match(await readInfo(c.conn), { firmwareVersion: '1.0.0', mode: 'application' });
});

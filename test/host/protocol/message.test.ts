import t from 'tap';
import { CODECS } from '../../../host/protocol/message-catalogue.ts';
import { decodeEnvelope, decodeMessage, encodeEnvelope, encodeMessage, MessageFlag } from '../../../host/protocol/message.ts';
import { ProtocolError } from '../../../host/protocol/protocol-error.ts';
import { bitmapFromIndices, indicesFromBitmap } from '../../../host/protocol/segment-bitmap.ts';
import { seededRandom } from '../seeded-random.ts';
import { SAMPLES } from './message-samples.ts';

/** Typed arrays compare by content. */
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_, x) => (ArrayBuffer.isView(x) ? Array.from(x as Uint8Array) : x)));

t.test('every message kind round-trips', async (t) => {
  const covered = new Set(SAMPLES.map((s) => s.kind));
  for (const c of CODECS) t.ok(covered.has(c.kind), `sample for ${c.kind}`);
  for (const body of SAMPLES) {
    const bytes = encodeMessage({ id: 0xbeef, flags: MessageFlag.response, body });
    const back = decodeMessage(bytes);
    t.same(plain(back), plain({ id: 0xbeef, flags: MessageFlag.response, body }), body.kind);
  }
});

t.test('type bytes and kinds are unique', async (t) => {
  t.equal(new Set(CODECS.map((c) => c.type)).size, CODECS.length);
  t.equal(new Set(CODECS.map((c) => c.kind)).size, CODECS.length);
});

t.test('envelope layout: id u16 LE, type, flags, payload', async (t) => {
  const bytes = encodeMessage({ id: 0x1234, flags: MessageFlag.event, body: { kind: 'progress', step: 'write', done: 1, total: 2 } });
  t.same(Array.from(bytes), [0x34, 0x12, 0x20, 0x02, 1, 1, 0, 0, 0, 2, 0, 0, 0]);
  t.same(plain(decodeEnvelope(encodeEnvelope({ id: 1, type: 0x99, flags: 0, payload: Uint8Array.from([5]) }))), { id: 1, type: 0x99, flags: 0, payload: [5] }, 'envelope passes unknown types through');
});

t.test('bad messages give specific ProtocolErrors', async (t) => {
  t.throws(() => decodeMessage(Uint8Array.from([1, 0])), { code: 'truncated' });
  t.throws(() => decodeMessage(Uint8Array.from([1, 0, 0x99, 0])), { code: 'unknown-type' });
  t.throws(() => decodeMessage(Uint8Array.from([1, 0, 0x7e, 0x80])), { code: 'bad-value' }, 'reserved flag');
  t.throws(() => decodeMessage(Uint8Array.from([1, 0, 0x7e, 0x03])), { code: 'bad-value' }, 'response and event');
  t.throws(() => decodeMessage(Uint8Array.from([1, 0, 0x7e, 0, 9])), { code: 'trailing-bytes' });
  t.throws(() => decodeMessage(Uint8Array.from([1, 0, 0x19, 0, 9])), { code: 'bad-value' }, 'unknown boot action');
  t.throws(() => decodeMessage(Uint8Array.from([1, 0, 0x21, 0, 1, 0, 0, 0, 0, 2, 0, 0xc3, 0x28])), { code: 'bad-utf8' });
  const enc = (body: Parameters<typeof encodeMessage>[0]['body']) => () => encodeMessage({ id: 1, flags: 0, body });
  t.throws(enc({ kind: 'flash-begin', artifactName: 'x', artifactType: 'firmware-wasm', size: 10, sha256: new Uint8Array(32), segmentSize: 4, segmentCount: 2 }), { code: 'bad-value' }, 'wrong segment count');
  t.throws(enc({ kind: 'flash-segment', index: 0, compression: 'none', rawLength: 5, data: new Uint8Array(4) }), { code: 'bad-value' }, 'stored length mismatch');
  t.throws(enc({ kind: 'progress', step: 'write', done: 3, total: 2 }), { code: 'bad-value' });
  t.throws(enc({ kind: 'segment-ack', index: -1 }), { code: 'bad-value' });
  t.throws(enc({ kind: 'log-line', level: 'info', uptimeMs: 0, text: 'x'.repeat(70000) }), { code: 'too-large' });
  t.throws(enc({ kind: 'capture-request', channels: 0, sampleRate: 1, frames: 1, format: 'f32' }), { code: 'bad-value' });
  t.throws(enc({ kind: 'capture-request', channels: 1, sampleRate: 1, frames: 1e9, format: 'f32' }), { code: 'too-large' });
  t.throws(enc({ kind: 'manifest-chunk', totalLength: 10, offset: 8, data: new Uint8Array(4) }), { code: 'bad-value' });
  t.throws(enc({ kind: 'flash-status', artifactName: '', segmentCount: 9, held: Uint8Array.from([0, 2]) }), { code: 'bad-value' }, 'bit past the count');
  // flash-status claiming a huge segment count without the bitmap: refused before any allocation.
  t.throws(() => decodeMessage(Uint8Array.from([1, 0, 0x16, 0, 0, 0xff, 0xff, 0xff, 0xff])), { code: 'bad-value' });
  // calibration-result claiming 65535 coefficients with none present.
  t.throws(() => decodeMessage(Uint8Array.from([1, 0, 0x31, 0, 0, 0, 0xff, 0xff])), { code: 'truncated' });
});

t.test('segment bitmap helpers', async (t) => {
  t.same(indicesFromBitmap(11, bitmapFromIndices(11, [0, 3, 8, 10])), [0, 3, 8, 10]);
  t.same(Array.from(bitmapFromIndices(9, [0, 8])), [0x01, 0x01]);
  t.throws(() => bitmapFromIndices(3, [3]), { code: 'bad-value' });
  t.throws(() => indicesFromBitmap(9, Uint8Array.from([0])), { code: 'bad-value' });
});

t.test('fuzz: random bytes, bit flips and truncations only ever raise ProtocolError', async (t) => {
  const rng = seededRandom(0xd3c0de);
  const valid = SAMPLES.map((body, i) => encodeMessage({ id: i, flags: 0, body }));
  const types = CODECS.map((c) => c.type);
  let decoded = 0;
  let refused = 0;
  const attempt = (bytes: Uint8Array, what: string) => {
    try {
      decodeMessage(bytes);
      decoded++;
    } catch (e) {
      if (!(e instanceof ProtocolError)) t.fail(`${what}: ${String(e)} (${Buffer.from(bytes).toString('hex').slice(0, 80)})`);
      refused++;
    }
  };
  for (let n = 0; n < 20000; n++) {
    const base = valid[rng.int(valid.length)];
    switch (n % 4) {
      case 0: { // random body behind a real type byte
        const b = rng.bytes(rng.int(80));
        attempt(Uint8Array.from([rng.int(256), rng.int(256), types[rng.int(types.length)], rng.int(4), ...b]), 'random body');
        break;
      }
      case 1: { // bit flips
        const b = base.slice();
        for (let f = 1 + rng.int(4); f > 0; f--) b[rng.int(b.length)] ^= 1 << rng.int(8);
        attempt(b, 'bit flip');
        break;
      }
      case 2: // truncation
        attempt(base.subarray(0, rng.int(base.length)), 'truncation');
        break;
      default: // extension
        attempt(Uint8Array.from([...base, ...rng.bytes(1 + rng.int(8))]), 'extension');
    }
  }
  t.ok(decoded > 0 && refused > 0, `decoded ${decoded}, refused ${refused}`);
});

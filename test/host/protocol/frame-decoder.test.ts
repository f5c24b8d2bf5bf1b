import t from 'tap';
import { encodeFrame } from '../../../host/protocol/frame.ts';
import { FrameDecoder } from '../../../host/protocol/frame-decoder.ts';
import { HANDSHAKE_MAX_PAYLOAD } from '../../../host/protocol/frame-limits.ts';
import { seededRandom } from '../seeded-random.ts';

const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => Array.from(p)));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

t.test('a frame is COBS(payload + CRC-32C LE) + 0x00', async (t) => {
  // CRC-32C("123456789") = 0xE3069283, stored little-endian; no zero bytes so COBS adds one code byte.
  const frame = encodeFrame(new TextEncoder().encode('123456789'));
  t.equal(hex(frame), '0e' + '313233343536373839' + '839206e3' + '00');
});

t.test('frames survive any chunking', async (t) => {
  const payloads = [Uint8Array.from([1, 0, 2]), new Uint8Array(0), new Uint8Array(300), seededRandom(1).bytes(1000)];
  const stream = concat(...payloads.map((p) => encodeFrame(p)));
  for (const step of [1, 2, 3, 7, 64, stream.length]) {
    const d = new FrameDecoder();
    const got: Uint8Array[] = [];
    for (let i = 0; i < stream.length; i += step) got.push(...d.push(stream.subarray(i, i + step)));
    t.same(got.map(hex), payloads.map(hex), `chunks of ${step}`);
    t.equal(d.stats.frames, payloads.length);
  }
});

t.test('resynchronises after garbage and counts what it dropped', async (t) => {
  const d = new FrameDecoder();
  const good = Uint8Array.from([9, 8, 7]);
  const got = d.push(concat(Uint8Array.from([0x55, 0x13, 0x37, 0x00]), encodeFrame(good), Uint8Array.from([0xaa, 0xbb]), Uint8Array.from([0x00]), encodeFrame(good)));
  t.same(got.map(hex), [hex(good), hex(good)]);
  t.equal(d.stats.frames, 2);
  t.equal(d.stats.badCrc + d.stats.malformed, 2, 'both garbage runs counted');
});

t.test('a corrupted frame is dropped (bad CRC), the next one arrives', async (t) => {
  const d = new FrameDecoder();
  const bad = encodeFrame(Uint8Array.from([1, 2, 3, 4, 5]));
  bad[3] ^= 0x01;
  const got = d.push(concat(bad, encodeFrame(Uint8Array.from([6]))));
  t.same(got.map(hex), ['06']);
  t.equal(d.stats.badCrc, 1);
});

t.test('oversized frames are dropped and counted, memory stays bounded', async (t) => {
  const d = new FrameDecoder({ maxPayload: 100 });
  const got = d.push(concat(encodeFrame(new Uint8Array(101).fill(7)), encodeFrame(Uint8Array.from([1]))));
  t.same(got.map(hex), ['01']);
  t.equal(d.stats.oversized, 1);
  // A delimiter that never comes: a megabyte of non-zero bytes, then a good frame.
  const d2 = new FrameDecoder();
  t.same(d2.push(new Uint8Array(1 << 20).fill(0x42)), []);
  t.same(d2.push(concat(Uint8Array.from([0]), encodeFrame(Uint8Array.from([2])))).map(hex), ['02'], 'recovers at the next delimiter');
  t.equal(d2.stats.oversized, 1);
  t.throws(() => encodeFrame(new Uint8Array(HANDSHAKE_MAX_PAYLOAD + 1), HANDSHAKE_MAX_PAYLOAD), { code: 'too-large' });
  t.throws(() => d.setMaxPayload(-1), { code: 'bad-value' });
});

t.test('runts shorter than a CRC are malformed; empty frames are silent flushes', async (t) => {
  const d = new FrameDecoder();
  t.same(d.push(Uint8Array.from([0, 0, 0, 0x02, 0x11, 0x00])), []);
  t.equal(d.stats.malformed, 1);
  t.equal(d.stats.badCrc, 0);
});

t.test('fuzz: random bytes, bit flips, truncations never throw and never deliver a corrupted payload', async (t) => {
  const rng = seededRandom(0xf4a3e);
  const payloads = Array.from({ length: 50 }, () => rng.bytes(rng.int(400)));
  const clean = concat(...payloads.map((p) => encodeFrame(p)));
  const valid = new Set(payloads.map(hex));
  for (let round = 0; round < 300; round++) {
    const s = clean.slice(0, rng.int(clean.length + 1)); // truncation
    const flips = rng.int(20);
    for (let f = 0; f < flips && s.length > 0; f++) s[rng.int(s.length)] ^= 1 << rng.int(8);
    const noisy = concat(rng.bytes(rng.int(50)), s, rng.bytes(rng.int(50)));
    const d = new FrameDecoder({ maxPayload: 512 });
    let out: Uint8Array[] = [];
    for (let i = 0; i < noisy.length; ) {
      const n = 1 + rng.int(200);
      out = out.concat(d.push(noisy.subarray(i, i + n)));
      i += n;
    }
    for (const p of out) if (!valid.has(hex(p))) t.fail(`round ${round}: delivered a payload that was never sent`);
  }
  t.pass('300 noisy streams');
});

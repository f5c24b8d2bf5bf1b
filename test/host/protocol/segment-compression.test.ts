import t from 'tap';
import { deflateRawSync } from 'node:zlib';
import { packSegment, unpackSegment } from '../../../host/protocol/segment-compression.ts';
import { seededRandom } from '../seeded-random.ts';

t.test('compressible segments are deflated, incompressible ones stored', async (t) => {
  const zeros = new Uint8Array(4096);
  const z = packSegment(zeros, ['none', 'deflate-raw']);
  t.equal(z.compression, 'deflate-raw');
  t.ok(z.data.length < 100);
  t.same(Array.from(unpackSegment(z, 4096)), Array.from(zeros));
  const noise = seededRandom(3).bytes(4096);
  t.equal(packSegment(noise, ['none', 'deflate-raw']).compression, 'none', 'random data is stored');
  t.equal(packSegment(zeros, ['none']).compression, 'none', 'not negotiated: stored');
});

t.test('hostile segments: bombs, lies and garbage are refused', async (t) => {
  const bomb = new Uint8Array(deflateRawSync(new Uint8Array(1 << 20)));
  t.throws(() => unpackSegment({ compression: 'deflate-raw', rawLength: 4096, data: bomb }, 4096), { code: 'too-large' }, 'inflates past the declared size');
  t.throws(() => unpackSegment({ compression: 'deflate-raw', rawLength: 8192, data: bomb }, 4096), { code: 'too-large' }, 'declared size over the segment size');
  const short = new Uint8Array(deflateRawSync(new Uint8Array(10)));
  t.throws(() => unpackSegment({ compression: 'deflate-raw', rawLength: 20, data: short }, 4096), { code: 'bad-value' }, 'inflates short');
  t.throws(() => unpackSegment({ compression: 'deflate-raw', rawLength: 20, data: Uint8Array.from([1, 2, 3]) }, 4096), { code: 'bad-value' }, 'garbage');
  t.throws(() => unpackSegment({ compression: 'none', rawLength: 20, data: new Uint8Array(3) }, 4096), { code: 'bad-value' });
  const rng = seededRandom(11);
  for (let i = 0; i < 500; i++) {
    try {
      unpackSegment({ compression: 'deflate-raw', rawLength: rng.int(4097), data: rng.bytes(rng.int(200)) }, 4096);
    } catch (e) {
      if ((e as { name?: string }).name !== 'ProtocolError') t.fail(String(e));
    }
  }
});

import t from 'tap';
import { ByteReader } from '../../../host/protocol/byte-reader.ts';
import { ByteWriter } from '../../../host/protocol/byte-writer.ts';

// Regression: fields written right when the buffer grew went to the old, discarded view.
t.test('writer grows past its initial buffer without losing fields', async (t) => {
  const w = new ByteWriter();
  for (let i = 0; i < 1000; i++) w.u8(i & 0xff, 'a').u16(i, 'b').u32(i * 7, 'c').i16(-i, 'd').f32(i / 2, 'e');
  w.bytes(new Uint8Array(300).fill(9), 'f').str8('é', 'g').str16('x'.repeat(500), 'h');
  const r = new ByteReader(w.finish());
  for (let i = 0; i < 1000; i++) {
    if (r.u8('a') !== (i & 0xff) || r.u16('b') !== i || r.u32('c') !== i * 7 || r.i16('d') !== -i || r.f32('e') !== i / 2) {
      t.fail(`field ${i} lost`);
      return;
    }
  }
  t.same(Array.from(r.bytes(300, 'f')), new Array(300).fill(9));
  t.equal(r.str8('g'), 'é');
  t.equal(r.str16('h'), 'x'.repeat(500));
  r.end();
});

t.test('out-of-range values are refused, not wrapped', async (t) => {
  t.throws(() => new ByteWriter().u8(256, 'x'), { code: 'bad-value' });
  t.throws(() => new ByteWriter().u16(1.5, 'x'), { code: 'bad-value' });
  t.throws(() => new ByteWriter().i16(-40000, 'x'), { code: 'bad-value' });
  t.throws(() => new ByteWriter().str8('x'.repeat(256), 'x'), { code: 'too-large' });
  t.throws(() => new ByteReader(Uint8Array.from([5, 1])).str8('s'), { code: 'truncated' });
});

import t from 'tap';
import { cobsDecode, cobsEncode, cobsMaxEncodedLength } from '../../../host/protocol/cobs.ts';
import { ProtocolError } from '../../../host/protocol/protocol-error.ts';
import { seededRandom } from '../seeded-random.ts';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

// The examples published with COBS (Cheshire & Baker; as listed on Wikipedia), without the trailing delimiter.
const EXAMPLES: Array<[string, number[], number[]]> = [
  ['1', [0x00], [0x01, 0x01]],
  ['2', [0x00, 0x00], [0x01, 0x01, 0x01]],
  ['3', [0x00, 0x11, 0x00], [0x01, 0x02, 0x11, 0x01]],
  ['4', [0x11, 0x22, 0x00, 0x33], [0x03, 0x11, 0x22, 0x02, 0x33]],
  ['5', [0x11, 0x22, 0x33, 0x44], [0x05, 0x11, 0x22, 0x33, 0x44]],
  ['6', [0x11, 0x00, 0x00, 0x00], [0x02, 0x11, 0x01, 0x01, 0x01]],
  ['7: 01..FE', range(0x01, 0xfe), [0xff, ...range(0x01, 0xfe)]],
  ['8: 00 01..FE', [0x00, ...range(0x01, 0xfe)], [0x01, 0xff, ...range(0x01, 0xfe)]],
  ['9: 01..FF', range(0x01, 0xff), [0xff, ...range(0x01, 0xfe), 0x02, 0xff]],
  ['10: 02..FF 00', [...range(0x02, 0xff), 0x00], [0xff, ...range(0x02, 0xff), 0x01, 0x01]],
  ['11: 03..FF 00 01', [...range(0x03, 0xff), 0x00, 0x01], [0xfe, ...range(0x03, 0xff), 0x02, 0x01]],
];

t.test('published examples encode and decode exactly', async (t) => {
  for (const [name, raw, encoded] of EXAMPLES) {
    t.same(Array.from(cobsEncode(Uint8Array.from(raw))), encoded, `encode example ${name}`);
    t.same(Array.from(cobsDecode(Uint8Array.from(encoded))), raw, `decode example ${name}`);
  }
  t.same(Array.from(cobsEncode(new Uint8Array(0))), [0x01], 'empty payload');
  t.same(Array.from(cobsDecode(Uint8Array.from([0x01]))), [], 'empty decode');
});

t.test('fuzzed round trips: any bytes, no zero in the output, overhead within bound', async (t) => {
  const rng = seededRandom(0xc0b5);
  for (let n = 0; n < 2000; n++) {
    const len = rng.int(n < 1000 ? 600 : 3000);
    // Mix dense-zero, no-zero and uniform payloads: the block boundaries are where bugs live.
    const mode = rng.int(3);
    const data = Uint8Array.from({ length: len }, () => (mode === 0 ? (rng.int(4) === 0 ? 0 : 1 + rng.int(255)) : mode === 1 ? 1 + rng.int(255) : rng.int(256)));
    const enc = cobsEncode(data);
    if (enc.includes(0)) t.fail(`zero in encoding (len ${len})`);
    if (enc.length > cobsMaxEncodedLength(len)) t.fail(`overhead too large (len ${len})`);
    const dec = cobsDecode(enc);
    if (Buffer.compare(Buffer.from(dec), Buffer.from(data)) !== 0) t.fail(`round trip differs (len ${len}, mode ${mode})`);
  }
  t.pass('2000 round trips');
});

t.test('hostile input: a clear ProtocolError, never another error', async (t) => {
  t.throws(() => cobsDecode(Uint8Array.from([0x05, 0x11, 0x22])), { code: 'bad-cobs' }, 'code runs past the end');
  t.throws(() => cobsDecode(Uint8Array.from([0x03, 0x00, 0x22])), { code: 'bad-cobs' }, 'zero inside');
  t.throws(() => cobsDecode(Uint8Array.from([0x00])), { code: 'bad-cobs' }, 'zero code');
  const rng = seededRandom(7);
  for (let n = 0; n < 5000; n++) {
    try {
      cobsDecode(rng.bytes(rng.int(300)));
    } catch (e) {
      if (!(e instanceof ProtocolError)) t.fail(`unexpected ${String(e)}`);
    }
  }
  t.pass('5000 random inputs');
});

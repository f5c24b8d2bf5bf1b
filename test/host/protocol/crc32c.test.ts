import t from 'tap';
import { crc32c } from '../../../host/protocol/crc32c.ts';

const ascii = (s: string) => new TextEncoder().encode(s);

t.test('standard check value: "123456789" -> 0xE3069283', async (t) => {
  t.equal(crc32c(ascii('123456789')), 0xe3069283);
});

t.test('RFC 3720 (iSCSI) B.4 test vectors', async (t) => {
  t.equal(crc32c(new Uint8Array(32)), 0x8a9136aa, '32 bytes of zeros');
  t.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43, '32 bytes of 0xFF');
  t.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e, 'incrementing');
  t.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c, 'decrementing');
});

t.test('empty input is 0; chunked running CRC equals one pass', async (t) => {
  t.equal(crc32c(new Uint8Array(0)), 0);
  const data = ascii('The quick brown fox jumps over the lazy dog');
  for (let cut = 0; cut <= data.length; cut++) {
    t.equal(crc32c(data.subarray(cut), crc32c(data.subarray(0, cut))), crc32c(data), `split at ${cut}`);
  }
  t.equal(crc32c(data, 0, 4, 9), crc32c(data.subarray(4, 9)), 'start/end range');
});

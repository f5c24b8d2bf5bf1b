// The binary COPY encoding, byte for byte where PostgreSQL's format is fixed (header, tuple
// layout, array headers, nulls, int64 sign); what PostgreSQL makes of it is checked against a
// real server in telemetry-insert.test.ts.
import t from 'tap';
import { encodeTelemetryCopy, TELEMETRY_COPY_COLUMNS } from '../../../fleet/telemetry/telemetry-copy-format.ts';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

t.test('header, one tuple per row, trailer', async (t) => {
  const empty = encodeTelemetryCopy([]);
  t.same(empty, Buffer.concat([SIGNATURE, Buffer.alloc(8), Buffer.from([0xff, 0xff])]), 'signature, flags, extension length, trailer');

  const bytes = encodeTelemetryCopy([{ deviceId: 'd\u00e9', segment: 946_684_800_000 - 60_000, samples: [{ t: 2 ** 40 + 5, attenuationDb: -1.5, errorPower: 0, recoveries: 7, intensity: 1 }, { t: 3, attenuationDb: 2, errorPower: 1, recoveries: 0 }] }]);
  let at = SIGNATURE.length + 8;
  const int16 = () => ((at += 2), bytes.readInt16BE(at - 2));
  const int32 = () => ((at += 4), bytes.readInt32BE(at - 4));
  const int64 = () => ((at += 8), bytes.readBigInt64BE(at - 8));
  t.equal(int16(), TELEMETRY_COPY_COLUMNS.length, 'field count');
  t.equal(int32(), 3, 'device id: UTF-8 length');
  t.equal(bytes.toString('utf8', at, (at += 3)), 'd\u00e9');
  t.equal(int32(), 8);
  t.equal(int64(), -60_000_000n, 'a minute before 2000-01-01 in microseconds, negative');
  const arrayHeader = () => [int32(), int32(), int32(), int32(), int32(), int32()];
  t.same(arrayHeader(), [20 + 2 * 12, 1, 0, 20, 2, 1], 't: length, one dimension, no nulls, int8, 2 elements, lower bound 1');
  t.same([int32(), int64(), int32(), int64()], [8, 2n ** 40n + 5n, 8, 3n]);
  t.same(arrayHeader(), [20 + 2 * 12, 1, 0, 701, 2, 1], 'attenuation_db: float8');
  t.same([int32(), ((at += 8), bytes.readDoubleBE(at - 8)), int32(), ((at += 8), bytes.readDoubleBE(at - 8))], [8, -1.5, 8, 2]);
  at += 4 + 20 + 2 * 12; // error_power
  t.same(arrayHeader(), [20 + 2 * 8, 1, 0, 23, 2, 1], 'recoveries: int4');
  t.same([int32(), int32(), int32(), int32()], [4, 7, 4, 0]);
  t.equal(int32(), -1, 'noise_class: no sample has it, a null field');
  t.equal(int32(), -1, 'noise_confidence');
  t.equal(int32(), -1, 'battery');
  t.same(arrayHeader(), [20 + 12 + 4, 1, 1, 701, 2, 1], 'intensity: one sample has it, an array with nulls');
  t.same([int32(), ((at += 8), bytes.readDoubleBE(at - 8)), int32()], [8, 1, -1]);
  t.equal(int32(), -1, 'emergencies');
  t.equal(int16(), -1, 'trailer');
  t.equal(at, bytes.length, 'nothing after the trailer');
});

t.test('a batch larger than the first buffer grows it', async (t) => {
  const samples = Array.from({ length: 256 }, (_, i) => ({ t: i, attenuationDb: i, errorPower: 0, recoveries: 0, noiseClass: 'x'.repeat(32), noiseConfidence: 0.5, battery: 50, intensity: 1, emergencies: 0 }));
  const bytes = encodeTelemetryCopy(Array.from({ length: 40 }, (_, i) => ({ deviceId: `d-${i}`, segment: 0, samples })));
  t.ok(bytes.length > 64 * 1024);
  t.equal(bytes.readInt16BE(bytes.length - 2), -1, 'ends with the trailer');
});

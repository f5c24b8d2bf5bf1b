// Telemetry rows in PostgreSQL's binary COPY format (the "Binary Format" section of the COPY
// reference), for the columns of the telemetry table in table order. Binary input skips what the
// text path costs on both sides: no number is printed here and none is parsed by the server
// (float8in was most of PostgreSQL's time per row). Pure: bytes in, bytes out.
import type { TelemetryRow, TelemetrySample } from './telemetry-batch.ts';

/** The columns written, in the order every tuple holds them. */
export const TELEMETRY_COPY_COLUMNS = [
  'device_id',
  'ts',
  't',
  'attenuation_db',
  'error_power',
  'recoveries',
  'noise_class',
  'noise_confidence',
  'battery',
  'intensity',
  'emergencies',
] as const;

const SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]; // PGCOPY\n\377\r\n\0
/** timestamptz counts microseconds from 2000-01-01 UTC. */
const PG_EPOCH_MS = 946_684_800_000;
const TWO_32 = 2 ** 32;


/**
 * A growable big-endian byte buffer. Callers reserve room before they write (an array's worth at
 * once), so the writes themselves check nothing; DataView's accessors are what V8 inlines best.
 */
class Writer {
  private buffer = new Uint8Array(64 * 1024);
  private view = new DataView(this.buffer.buffer);
  length = 0;

  reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + bytes));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
    this.view = new DataView(grown.buffer);
  }

  int16(value: number): void {
    this.view.setInt16(this.length, value);
    this.length += 2;
  }

  int32(value: number): void {
    this.view.setInt32(this.length, value);
    this.length += 4;
  }

  /** Any integer within ±2^53, as a two's complement int64. */
  int64(value: number): void {
    const high = Math.floor(value / TWO_32);
    this.view.setInt32(this.length, high);
    this.view.setUint32(this.length + 4, value - high * TWO_32);
    this.length += 8;
  }

  float64(value: number): void {
    this.view.setFloat64(this.length, value);
    this.length += 8;
  }

  /** A length-prefixed UTF-8 string; room for 4 + 3 bytes per UTF-16 unit must be reserved. */
  text(value: string): void {
    const { written } = utf8.encodeInto(value, this.buffer.subarray(this.length + 4));
    this.int32(written);
    this.length += written;
  }

  bytes(values: readonly number[]): void {
    this.buffer.set(values, this.length);
    this.length += values.length;
  }

  patchInt32(at: number, value: number): void {
    this.view.setInt32(at, value);
  }

  done(): Buffer {
    return Buffer.from(this.buffer.buffer, 0, this.length);
  }
}

const utf8 = new TextEncoder();

const NUMERIC = { int4: { oid: 23, bytes: 4 }, int8: { oid: 20, bytes: 8 }, float8: { oid: 701, bytes: 8 } } as const;
const TEXT_OID = 25;
type NumericType = keyof typeof NUMERIC;

/**
 * One row's samples, column by column: gathered in one pass with every property named in the
 * source (a lookup by a variable name was most of the encoder's time), then written column by
 * column. Reused for every row; the encoder finishes a row before it starts the next.
 */
const columns = {
  t: [] as number[],
  attenuationDb: [] as number[],
  errorPower: [] as number[],
  recoveries: [] as number[],
  noiseClass: [] as Array<string | undefined>,
  noiseConfidence: [] as Array<number | undefined>,
  battery: [] as Array<number | undefined>,
  intensity: [] as Array<number | undefined>,
  emergencies: [] as Array<number | undefined>,
};

function gather(samples: readonly TelemetrySample[]): void {
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    columns.t[i] = s.t;
    columns.attenuationDb[i] = s.attenuationDb;
    columns.errorPower[i] = s.errorPower;
    columns.recoveries[i] = s.recoveries;
    columns.noiseClass[i] = s.noiseClass;
    columns.noiseConfidence[i] = s.noiseConfidence;
    columns.battery[i] = s.battery;
    columns.intensity[i] = s.intensity;
    columns.emergencies[i] = s.emergencies;
  }
}

/** Elements present among the first `count`. */
function presentIn(values: ReadonlyArray<unknown>, count: number): number {
  let present = 0;
  for (let i = 0; i < count; i++) if (values[i] !== undefined) present++;
  return present;
}

/** The array header (dimensions, null flag, element type, length, lower bound) after the field's length word. */
function arrayHeader(out: Writer, oid: number, count: number, hasNulls: boolean): number {
  const lengthAt = out.length;
  out.int32(0); // the field's length, known once it is written
  out.int32(1);
  out.int32(hasNulls ? 1 : 0);
  out.int32(oid);
  out.int32(count);
  out.int32(1);
  return lengthAt;
}

/**
 * One field holding a one-dimensional array of the first `count` values; a null field when the
 * column is optional and no sample has a value (the table's rule for optional metrics).
 */
function numericArray(out: Writer, values: ReadonlyArray<number | undefined>, count: number, type: NumericType, optional: boolean): void {
  out.reserve(24 + 12 * count);
  const present = presentIn(values, count);
  if (optional && present === 0) return out.int32(-1);
  const { oid, bytes } = NUMERIC[type];
  const lengthAt = arrayHeader(out, oid, count, present < count);
  for (let i = 0; i < count; i++) {
    const value = values[i];
    if (value === undefined) {
      out.int32(-1);
      continue;
    }
    out.int32(bytes);
    if (type === 'float8') out.float64(value);
    else if (type === 'int4') out.int32(value);
    else out.int64(value);
  }
  out.patchInt32(lengthAt, out.length - lengthAt - 4);
}

function textArray(out: Writer, values: ReadonlyArray<string | undefined>, count: number): void {
  out.reserve(24);
  const present = presentIn(values, count);
  if (present === 0) return out.int32(-1);
  const lengthAt = arrayHeader(out, TEXT_OID, count, present < count);
  for (let i = 0; i < count; i++) {
    const value = values[i];
    if (value === undefined) {
      out.int32(-1);
      continue;
    }
    out.reserve(4 + 3 * value.length);
    out.text(value);
  }
  out.patchInt32(lengthAt, out.length - lengthAt - 4);
}

/** The whole COPY input (header, one tuple per row, trailer) for `TELEMETRY_COPY_COLUMNS`. */
export function encodeTelemetryCopy(rows: readonly TelemetryRow[]): Buffer {
  const out = new Writer();
  out.reserve(SIGNATURE.length + 8);
  out.bytes(SIGNATURE);
  out.int32(0); // flags: no OIDs
  out.int32(0); // header extension length
  for (const row of rows) {
    const count = row.samples.length;
    out.reserve(2 + 4 + 3 * row.deviceId.length + 12);
    out.int16(TELEMETRY_COPY_COLUMNS.length);
    out.text(row.deviceId);
    out.int32(8);
    out.int64((row.segment - PG_EPOCH_MS) * 1000);
    gather(row.samples);
    numericArray(out, columns.t, count, 'int8', false);
    numericArray(out, columns.attenuationDb, count, 'float8', false);
    numericArray(out, columns.errorPower, count, 'float8', false);
    numericArray(out, columns.recoveries, count, 'int4', false);
    textArray(out, columns.noiseClass, count);
    numericArray(out, columns.noiseConfidence, count, 'float8', true);
    numericArray(out, columns.battery, count, 'float8', true);
    numericArray(out, columns.intensity, count, 'float8', true);
    numericArray(out, columns.emergencies, count, 'int4', true);
  }
  out.reserve(2);
  out.int16(-1);
  return out.done();
}

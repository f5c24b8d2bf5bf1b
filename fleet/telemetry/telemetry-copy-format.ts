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

type ElementType = 'int4' | 'int8' | 'float8' | 'text';
type Field = Exclude<keyof TelemetrySample, 't'>;

/**
 * A growable big-endian byte buffer. Callers reserve room for a whole tuple first (`reserve`), so
 * the writes themselves check nothing; DataView's accessors are what V8 inlines best.
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

/** Bytes a tuple can take at most: the fixed fields, 12 per array element, text at 3 bytes per unit. */
function tupleBound(row: TelemetryRow): number {
  let bound = 2 + 4 + 3 * row.deviceId.length + 12 + ARRAY_FIELDS * (4 + 20) + ARRAY_FIELDS * 12 * row.samples.length;
  for (const sample of row.samples) if (sample.noiseClass !== undefined) bound += 3 * sample.noiseClass.length;
  return bound;
}

const ARRAY_FIELDS = TELEMETRY_COPY_COLUMNS.length - 2;

/** How each element type is written: its OID, and its length word and bytes. */
const ELEMENTS: Record<ElementType, { oid: number; write(out: Writer, value: never): void }> = {
  int4: { oid: 23, write: (out, value: number) => (out.int32(4), out.int32(value)) },
  int8: { oid: 20, write: (out, value: number) => (out.int32(8), out.int64(value)) },
  float8: { oid: 701, write: (out, value: number) => (out.int32(8), out.float64(value)) },
  text: { oid: 25, write: (out, value: string) => out.text(value) },
};

/**
 * One field holding a one-dimensional array of one field of every sample; a null field when the
 * column is optional and no sample has a value (the table's rule for optional metrics).
 */
function arrayField(out: Writer, samples: readonly TelemetrySample[], field: Field | 't', type: ElementType, optional: boolean): void {
  let present = 0;
  for (let i = 0; i < samples.length; i++) if (samples[i]![field] != null) present++;
  if (optional && present === 0) {
    out.int32(-1);
    return;
  }
  const { oid, write } = ELEMENTS[type];
  const lengthAt = out.length;
  out.int32(0); // the field's length, known once it is written
  out.int32(1); // dimensions
  out.int32(present < samples.length ? 1 : 0); // has nulls
  out.int32(oid);
  out.int32(samples.length);
  out.int32(1); // lower bound
  for (let i = 0; i < samples.length; i++) {
    const value = samples[i]![field];
    if (value == null) out.int32(-1);
    else write(out, value as never);
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
    out.reserve(tupleBound(row) + 2);
    out.int16(TELEMETRY_COPY_COLUMNS.length);
    out.text(row.deviceId);
    out.int32(8);
    out.int64((row.segment - PG_EPOCH_MS) * 1000);
    arrayField(out, row.samples, 't', 'int8', false);
    arrayField(out, row.samples, 'attenuationDb', 'float8', false);
    arrayField(out, row.samples, 'errorPower', 'float8', false);
    arrayField(out, row.samples, 'recoveries', 'int4', false);
    arrayField(out, row.samples, 'noiseClass', 'text', true);
    arrayField(out, row.samples, 'noiseConfidence', 'float8', true);
    arrayField(out, row.samples, 'battery', 'float8', true);
    arrayField(out, row.samples, 'intensity', 'float8', true);
    arrayField(out, row.samples, 'emergencies', 'int4', true);
  }
  out.int16(-1);
  return out.done();
}

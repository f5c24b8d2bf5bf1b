// Calibration runs on the device (excitation, secondary-path identification, mic trim,
// attenuation check); only coefficients and quality figures come back. Raw audio moves only as
// short bulk captures, in chunks that each fit a frame.
import { ProtocolError } from './protocol-error.ts';
import { defineCodec, readBool, WireEnum, writeBool } from './message-codec.ts';

export const CalibrationProcedure = new WireEnum(['secondary-path', 'mic-trim', 'verify-attenuation', 'full'] as const);
export type CalibrationProcedureName = (typeof CalibrationProcedure.names)[number];
export const Excitation = new WireEnum(['white-noise', 'mls', 'sweep'] as const);
export type ExcitationName = (typeof Excitation.names)[number];
export const SampleFormat = new WireEnum(['i16', 'f32'] as const);
export type SampleFormatName = (typeof SampleFormat.names)[number];

/** Capture channels, as bits of `channels`. */
export const CaptureChannel = { reference: 1, error: 2, output: 4, feedback: 8 } as const;
const ALL_CHANNELS = 0x0f;
/** Longest capture a device must serve (2 s at 48 kHz): "short bulk captures" made concrete. */
export const MAX_CAPTURE_FRAMES = 96000;
const MAX_METRICS = 64;

export interface CalibrationStart {
  procedure: CalibrationProcedureName;
  excitation: ExcitationName;
  /** Excitation level in dBFS (negative). */
  levelDbfs: number;
  durationMs: number;
  /** Length of the secondary-path model to identify. */
  taps: number;
}

export interface CalibrationResult {
  procedure: CalibrationProcedureName;
  /** True once written to the calibration partition and read back. */
  stored: boolean;
  /** Identified secondary-path taps (newest-sample first, as docs/firmware-abi.md). */
  coefficients: Float32Array;
  /** Per-microphone gain trim, dB. */
  micGainsDb: Float32Array;
  /** Named quality figures, e.g. misalignmentDb, attenuationOnDb, attenuationOffDb. */
  metrics: Array<{ name: string; value: number }>;
}

export interface CaptureRequest {
  channels: number;
  sampleRate: number;
  frames: number;
  format: SampleFormatName;
}

export interface CaptureChunk {
  /** Frame index of the first sample frame in this chunk; the capture ends at totalFrames. */
  firstFrame: number;
  totalFrames: number;
  channels: number;
  format: SampleFormatName;
  /** Interleaved samples, little-endian. */
  data: Uint8Array;
}

export const calibrationStart = defineCodec<'calibration-start', CalibrationStart>({
  kind: 'calibration-start',
  type: 0x30,
  encode(w, b) {
    CalibrationProcedure.write(w, b.procedure, 'procedure');
    Excitation.write(w, b.excitation, 'excitation');
    w.f32(finite(b.levelDbfs, 'levelDbfs'), 'levelDbfs').u32(b.durationMs, 'durationMs').u16(b.taps, 'taps');
  },
  decode(r) {
    return {
      procedure: CalibrationProcedure.read(r, 'procedure'),
      excitation: Excitation.read(r, 'excitation'),
      levelDbfs: finite(r.f32('levelDbfs'), 'levelDbfs'),
      durationMs: r.u32('durationMs'),
      taps: r.u16('taps'),
    };
  },
});

export const calibrationResult = defineCodec<'calibration-result', CalibrationResult>({
  kind: 'calibration-result',
  type: 0x31,
  encode(w, b) {
    CalibrationProcedure.write(w, b.procedure, 'procedure');
    writeBool(w, b.stored, 'stored');
    w.u16(b.coefficients.length, 'coefficient count');
    for (const c of b.coefficients) w.f32(c, 'coefficient');
    w.u8(b.micGainsDb.length, 'mic count');
    for (const g of b.micGainsDb) w.f32(g, 'mic gain');
    if (b.metrics.length > MAX_METRICS) throw new ProtocolError('too-large', `${b.metrics.length} metrics, at most ${MAX_METRICS}`);
    w.u8(b.metrics.length, 'metric count');
    for (const m of b.metrics) w.str8(m.name, 'metric name').f32(m.value, 'metric value');
  },
  decode(r) {
    const procedure = CalibrationProcedure.read(r, 'procedure');
    const stored = readBool(r, 'stored');
    const coefficients = readFloats(r, r.u16('coefficient count'), 'coefficient');
    const micGainsDb = readFloats(r, r.u8('mic count'), 'mic gain');
    const metricCount = r.u8('metric count');
    if (metricCount > MAX_METRICS) throw new ProtocolError('too-large', `${metricCount} metrics, at most ${MAX_METRICS}`);
    const metrics: CalibrationResult['metrics'] = [];
    for (let i = 0; i < metricCount; i++) metrics.push({ name: r.str8('metric name'), value: r.f32('metric value') });
    return { procedure, stored, coefficients, micGainsDb, metrics };
  },
});

function readFloats(r: { remaining: number; f32(field: string): number }, n: number, field: string): Float32Array {
  // Check the claimed count against the bytes present before allocating for it.
  if (n * 4 > r.remaining) throw new ProtocolError('truncated', `${n} ${field} values need ${n * 4} bytes, only ${r.remaining} left`);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = r.f32(field);
  return out;
}

function finite(v: number, field: string): number {
  if (!Number.isFinite(v)) throw new ProtocolError('bad-value', `${field} must be finite, got ${v}`);
  return v;
}

export const captureRequest = defineCodec<'capture-request', CaptureRequest>({
  kind: 'capture-request',
  type: 0x32,
  encode(w, b) {
    checkCapture(b.channels, b.frames);
    w.u8(b.channels, 'channels').u32(b.sampleRate, 'sampleRate').u32(b.frames, 'frames');
    SampleFormat.write(w, b.format, 'format');
  },
  decode(r) {
    const b = { channels: r.u8('channels'), sampleRate: r.u32('sampleRate'), frames: r.u32('frames'), format: SampleFormat.read(r, 'format') };
    checkCapture(b.channels, b.frames);
    return b;
  },
});

export const captureChunk = defineCodec<'capture-chunk', CaptureChunk>({
  kind: 'capture-chunk',
  type: 0x33,
  encode(w, b) {
    checkChunk(b);
    w.u32(b.firstFrame, 'firstFrame').u32(b.totalFrames, 'totalFrames').u8(b.channels, 'channels');
    SampleFormat.write(w, b.format, 'format');
    w.bytes(b.data, 'data');
  },
  decode(r) {
    const b = {
      firstFrame: r.u32('firstFrame'),
      totalFrames: r.u32('totalFrames'),
      channels: r.u8('channels'),
      format: SampleFormat.read(r, 'format'),
      data: r.rest('data'),
    };
    checkChunk(b);
    return b;
  },
});

function checkCapture(channels: number, frames: number): void {
  if (channels === 0 || channels & ~ALL_CHANNELS) throw new ProtocolError('bad-value', `capture channels 0x${channels.toString(16)}: set bits of reference 1, error 2, output 4, feedback 8`);
  if (frames === 0 || frames > MAX_CAPTURE_FRAMES) throw new ProtocolError('too-large', `capture of ${frames} frames: 1..${MAX_CAPTURE_FRAMES}`);
}

/** Bytes per sample frame of a chunk. */
export function captureFrameBytes(channels: number, format: SampleFormatName): number {
  let n = 0;
  for (let c = channels; c; c >>= 1) n += c & 1;
  return n * (format === 'i16' ? 2 : 4);
}

function checkChunk(b: CaptureChunk): void {
  checkCapture(b.channels, b.totalFrames);
  const frameBytes = captureFrameBytes(b.channels, b.format);
  if (b.data.length % frameBytes !== 0) throw new ProtocolError('bad-value', `capture chunk of ${b.data.length} bytes is not whole frames of ${frameBytes}`);
  if (b.firstFrame + b.data.length / frameBytes > b.totalFrames) {
    throw new ProtocolError('bad-value', `capture chunk at frame ${b.firstFrame} runs past the capture's ${b.totalFrames} frames`);
  }
}

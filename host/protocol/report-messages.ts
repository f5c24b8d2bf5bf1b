// What the device sends on its own: progress during long steps (so the host can keep short
// inactivity timeouts), log lines and the status stream (for `anc monitor`).
import { ProtocolError } from './protocol-error.ts';
import { defineCodec, WireEnum } from './message-codec.ts';

export const ProgressStep = new WireEnum(['erase', 'write', 'verify', 'commit', 'boot', 'calibrate', 'capture'] as const);
export type ProgressStepName = (typeof ProgressStep.names)[number];
export const LogLevel = new WireEnum(['debug', 'info', 'warn', 'error'] as const);
export type LogLevelName = (typeof LogLevel.names)[number];

/** The firmware status struct is 256 bytes (docs/firmware-abi.md); a snapshot never exceeds it. */
export const MAX_STATUS_SNAPSHOT = 256;
/** stream-control's logLevel value that turns logs off. */
export const LOGS_OFF = 'off';

export interface Progress {
  step: ProgressStepName;
  done: number;
  total: number;
}

export interface LogLine {
  level: LogLevelName;
  uptimeMs: number;
  text: string;
}

export interface StatusStream {
  sequence: number;
  uptimeMs: number;
  /**
   * The firmware status struct verbatim (first bytes, little-endian, layout in
   * docs/firmware-abi.md). Kept opaque here so the protocol does not change when the ABI grows.
   */
  snapshot: Uint8Array;
}

export interface StreamControl {
  /** Status stream period; 0 stops it. */
  statusIntervalMs: number;
  /** Lowest level forwarded, or 'off'. */
  logLevel: LogLevelName | typeof LOGS_OFF;
}

export const progress = defineCodec<'progress', Progress>({
  kind: 'progress',
  type: 0x20,
  encode(w, b) {
    checkProgress(b);
    ProgressStep.write(w, b.step, 'step');
    w.u32(b.done, 'done').u32(b.total, 'total');
  },
  decode(r) {
    const b = { step: ProgressStep.read(r, 'step'), done: r.u32('done'), total: r.u32('total') };
    checkProgress(b);
    return b;
  },
});

function checkProgress(b: Progress): void {
  if (b.done > b.total) throw new ProtocolError('bad-value', `progress: done ${b.done} exceeds total ${b.total}`);
}

export const logLine = defineCodec<'log-line', LogLine>({
  kind: 'log-line',
  type: 0x21,
  encode(w, b) {
    LogLevel.write(w, b.level, 'level');
    w.u32(b.uptimeMs, 'uptimeMs').str16(b.text, 'text');
  },
  decode(r) {
    return { level: LogLevel.read(r, 'level'), uptimeMs: r.u32('uptimeMs'), text: r.str16('text') };
  },
});

export const statusStream = defineCodec<'status-stream', StatusStream>({
  kind: 'status-stream',
  type: 0x22,
  encode(w, b) {
    checkSnapshot(b.snapshot.length);
    w.u32(b.sequence, 'sequence').u32(b.uptimeMs, 'uptimeMs').bytes(b.snapshot, 'snapshot');
  },
  decode(r) {
    const sequence = r.u32('sequence');
    const uptimeMs = r.u32('uptimeMs');
    checkSnapshot(r.remaining);
    return { sequence, uptimeMs, snapshot: r.rest('snapshot') };
  },
});

function checkSnapshot(n: number): void {
  if (n > MAX_STATUS_SNAPSHOT) throw new ProtocolError('too-large', `status snapshot of ${n} bytes exceeds ${MAX_STATUS_SNAPSHOT}`);
}

const LOG_OFF_BYTE = 0xff;

export const streamControl = defineCodec<'stream-control', StreamControl>({
  kind: 'stream-control',
  type: 0x23,
  encode(w, b) {
    w.u16(b.statusIntervalMs, 'statusIntervalMs');
    if (b.logLevel === LOGS_OFF) w.u8(LOG_OFF_BYTE, 'logLevel');
    else LogLevel.write(w, b.logLevel, 'logLevel');
  },
  decode(r) {
    const statusIntervalMs = r.u16('statusIntervalMs');
    const level = r.oneOf([0, 1, 2, 3, LOG_OFF_BYTE], 'logLevel');
    return { statusIntervalMs, logLevel: level === LOG_OFF_BYTE ? LOGS_OFF : LogLevel.names[level] };
  },
});

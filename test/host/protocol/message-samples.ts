// One valid body of every message kind, for round-trip and fuzz tests.
import type { MessageBody } from '../../../host/protocol/message-catalogue.ts';
import { bitmapFromIndices } from '../../../host/protocol/segment-bitmap.ts';

const h = (fill: number) => new Uint8Array(32).fill(fill);

export const SAMPLES: MessageBody[] = [
  { kind: 'handshake-request', protocolVersion: 1, minProtocolVersion: 1, maxFramePayload: 4096, window: 8, compression: ['none', 'deflate-raw'], hashes: ['sha256'] },
  {
    kind: 'handshake-response', protocolVersion: 1, maxFramePayload: 8192, window: 4, compression: ['none', 'deflate-raw'], hashes: ['sha256'], mode: 'bootloader',
    hardwareRevision: 'hp-1', deviceId: 'ANC-0001', activeSlot: 1,
    partitions: [
      { name: 'boot', kind: 'bootloader', state: 'confirmed', offset: 0, size: 65536 },
      { name: 'A', kind: 'firmware-slot', state: 'confirmed', offset: 65536, size: 524288 },
      { name: 'B', kind: 'firmware-slot', state: 'empty', offset: 589824, size: 524288 },
      { name: 'cal', kind: 'calibration', state: 'valid', offset: 1114112, size: 4096 },
    ],
  },
  { kind: 'baud-change-request', baud: 921600, revertAfterMs: 500 },
  { kind: 'baud-change-ack', baud: 921600, switchDelayMs: 20 },
  { kind: 'info-request' },
  { kind: 'info', deviceId: 'ANC-0001', hardwareRevision: 'hp-1', bootloaderVersion: '1.0.0', firmwareVersion: '1.2.3', mode: 'application', rollbackCounter: 5, uptimeMs: 123456, calibrated: true },
  { kind: 'flash-begin', artifactName: 'firmware.wasm', artifactType: 'firmware-wasm', size: 10000, sha256: h(1), segmentSize: 4096, segmentCount: 3 },
  { kind: 'flash-hashes', firstIndex: 0, hashes: [h(2), h(3), h(4)] },
  { kind: 'flash-segment', index: 2, compression: 'none', rawLength: 4, data: Uint8Array.from([1, 2, 3, 4]) },
  { kind: 'flash-segment', index: 1, compression: 'deflate-raw', rawLength: 4096, data: Uint8Array.from([0x63, 0x60, 0x18, 0x05]) },
  { kind: 'segment-ack', index: 7 },
  { kind: 'segment-nack', index: 7, reason: 'bad-hash' },
  { kind: 'flash-status-request' },
  { kind: 'flash-status', artifactName: 'firmware.wasm', segmentCount: 11, held: bitmapFromIndices(11, [0, 1, 2, 10]) },
  { kind: 'manifest-chunk', totalLength: 5000, offset: 4000, data: new Uint8Array(1000).fill(0x7b) },
  { kind: 'commit', manifestSha256: h(5), keyId: new Uint8Array(8).fill(6), signature: new Uint8Array(64).fill(7) },
  { kind: 'boot-control', action: 'test-boot' },
  { kind: 'boot-control', action: 'rollback' },
  { kind: 'progress', step: 'verify', done: 3, total: 10 },
  { kind: 'log-line', level: 'warn', uptimeMs: 42, text: 'flash: segment 3 retried ✓' },
  { kind: 'status-stream', sequence: 9, uptimeMs: 1000, snapshot: new Uint8Array(128).fill(3) },
  { kind: 'stream-control', statusIntervalMs: 100, logLevel: 'info' },
  { kind: 'stream-control', statusIntervalMs: 0, logLevel: 'off' },
  { kind: 'calibration-start', procedure: 'secondary-path', excitation: 'mls', levelDbfs: -20, durationMs: 3000, taps: 128 },
  { kind: 'calibration-result', procedure: 'full', stored: true, coefficients: Float32Array.from([0, 0.5, -0.25]), micGainsDb: Float32Array.from([0.5, -1]), metrics: [{ name: 'misalignmentDb', value: -31.5 }] },
  { kind: 'capture-request', channels: 3, sampleRate: 48000, frames: 4800, format: 'i16' },
  { kind: 'capture-chunk', firstFrame: 0, totalFrames: 4800, channels: 3, format: 'i16', data: new Uint8Array(40) },
  { kind: 'ack' },
  { kind: 'error', code: 5, message: 'signature does not verify' },
  { kind: 'config-get', key: 'stepSize' },
  { kind: 'config-value', json: '{"stepSize":0.01}' },
  { kind: 'config-set', key: 'stepSize', json: '0.02' },
];

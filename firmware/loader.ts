// The one way Node code touches the firmware module: the simulator, training, benchmarks and tests
// all go through this loader, so they run exactly the bytes a headset runs.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type FirmwareVariant = 'scalar' | 'simd' | 'debug';

const FILES: Record<FirmwareVariant, string> = {
  scalar: 'firmware.wasm',
  simd: 'firmware-simd.wasm',
  debug: 'firmware-debug.wasm',
};

export const ABI_MAJOR = 1;

/** Values of status emergency_state (ABI 1.2). */
export const EMERGENCY_KINDS = ['none', 'siren', 'alarm', 'horn'] as const;
export type EmergencyKind = (typeof EMERGENCY_KINDS)[number];

import { ALGORITHMS, type AlgorithmName } from './algorithm-names.ts';
import { MODEL_ERR } from './model/blob-errors.ts';
import { H } from './model/blob-layout.ts';

export { ALGORITHMS, type AlgorithmName };

export const PARAMS = {
  algorithm: 0,
  taps: 1,
  stepSize: 2,
  leakage: 3,
  intensity: 4,
  bypass: 5,
  rampMs: 6,
  limit: 7,
  rlsLambda: 8,
  coefNormMax: 9,
  regularization: 10,
  secTaps: 11,
  sampleRate: 12,
  emergencyEnable: 13,
  emergencySensitivity: 14,
  emergencyHoldMs: 15,
} as const;
export type ParamName = keyof typeof PARAMS;

export const ERRORS: Record<number, string> = {
  [-1]: 'ANC_ERR_NOT_INITIALIZED: call anc_init first',
  [-2]: 'ANC_ERR_BAD_FRAMES: frames must be 1..anc_max_block()',
  [-3]: 'ANC_ERR_BAD_PARAM: unknown parameter id',
  [-4]: 'ANC_ERR_BAD_VALUE: value out of range, not finite, or parameter read-only',
  [-5]: 'ANC_ERR_RLS_TAPS: RLS supports at most 32 taps',
  [-6]: 'ANC_ERR_BAD_LENGTH: secondary path length must be 2..256',
  [-7]: 'ANC_ERR_BAD_SAMPLE_RATE: sample rate must be 8000..192000',
  ...Object.fromEntries(Object.entries(MODEL_ERR).map(([name, code]) => [code, `ANC_ERR_MODEL_${name}: model blob refused (docs/model-format.md)`])),
};

/** Bytes of one model slot: the largest blob anc_load_model takes. */
export const MODEL_SLOT_BYTES = 65536;
/** Classes in the score arrays of anc_scores_ptr (the format's maximum). */
const MAX_CLASSES = 32;

export class FirmwareError extends Error {
  constructor(
    readonly code: number,
    readonly call: string,
  ) {
    super(`${call} failed: ${ERRORS[code] ?? `error ${code}`}`);
    this.name = 'FirmwareError';
  }
}

export const STATUS_FLAGS = { initialized: 1, bypass: 2, switching: 4, backoff: 8, limiting: 16 } as const;

export interface AncStatus {
  abiVersion: number;
  flags: number;
  algorithm: AlgorithmName;
  taps: number;
  stepSize: number;
  leakage: number;
  intensity: number;
  gain: number;
  attenuationDb: number;
  errorPower: number;
  disturbancePower: number;
  coefNorm: number;
  recoveries: number;
  sanitized: number;
  limited: number;
  samples: number;
  secTaps: number;
  sampleRate: number;
  /** Reported class index, -1 with no model, before the first inference, or below its threshold. */
  noiseClass: number;
  /** Smoothed score of the arg-max class. */
  confidence: number;
  /** major << 16 | minor << 8 | patch of the running model, 0 = none. */
  modelVersion: number;
  /** Feature frames computed since the model was loaded. */
  featureFrames: number;
  /** Emergency in progress (ABI 1.2): 0 none, 1 siren, 2 alarm (smoke alarm or bell), 3 horn. */
  emergencyState: number;
  /** Emergencies detected since anc_init. */
  emergencyEvents: number;
  /** The last anc_load_model result (0 or an ANC_ERR_MODEL_* code). */
  modelError: number;
}

/** The last inference, per class (anc_scores_ptr). */
export interface ClassScores {
  logits: Float32Array;
  scores: Float32Array;
  smoothed: Float32Array;
}

interface Exports {
  memory: WebAssembly.Memory;
  anc_abi_version(): number;
  anc_init(sampleRate: number): number;
  anc_set_param(id: number, value: number): number;
  anc_get_param(id: number): number;
  anc_set_secondary_path(length: number): number;
  anc_reset(): number;
  anc_process(frames: number): number;
  anc_max_block(): number;
  anc_ref_ptr(): number;
  anc_err_ptr(): number;
  anc_out_ptr(): number;
  anc_status_ptr(): number;
  anc_secondary_path_ptr(): number;
  anc_secondary_path_active_ptr(): number;
  anc_weights_ptr(which: number): number;
  anc_load_model(length: number): number;
  anc_model_ptr(): number;
  anc_features_ptr(): number;
  anc_scores_ptr(): number;
}

const modules = new Map<string, WebAssembly.Module>();

export function firmwarePath(variant: FirmwareVariant = 'scalar'): string {
  return fileURLToPath(new URL(`../build/${FILES[variant]}`, import.meta.url));
}

function compiled(path: string): WebAssembly.Module {
  let mod = modules.get(path);
  if (!mod) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch {
      throw new Error(`firmware module not found at ${path}: run "npm run build:wasm"`);
    }
    mod = new WebAssembly.Module(new Uint8Array(bytes));
    modules.set(path, mod);
  }
  return mod;
}

/** A fresh instance of the firmware (its own linear memory), as one headset would run it. */
export function loadFirmware(options: { variant?: FirmwareVariant; path?: string } = {}): Firmware {
  const path = options.path ?? firmwarePath(options.variant);
  const instance = new WebAssembly.Instance(compiled(path), {
    env: {
      abort() {
        throw new Error('firmware aborted');
      },
    },
  });
  return new Firmware(instance.exports as unknown as Exports);
}

export class Firmware {
  readonly maxBlock: number;
  /** Views of the exported I/O buffers: write ref/err, call processFrames, read out. */
  readonly ref: Float32Array;
  readonly err: Float32Array;
  readonly out: Float32Array;
  private readonly statusView: DataView;
  /** Features per frame of the running model (mfcc_count || mel_bands), 0 with none. */
  private featureCount = 0;
  private classCount = 0;

  constructor(private readonly x: Exports) {
    const major = x.anc_abi_version() >>> 16;
    if (major !== ABI_MAJOR) throw new Error(`firmware ABI ${major}.x is not supported (expected ${ABI_MAJOR}.x)`);
    this.maxBlock = x.anc_max_block();
    const buf = x.memory.buffer;
    this.ref = new Float32Array(buf, x.anc_ref_ptr(), this.maxBlock);
    this.err = new Float32Array(buf, x.anc_err_ptr(), this.maxBlock);
    this.out = new Float32Array(buf, x.anc_out_ptr(), this.maxBlock);
    this.statusView = new DataView(buf, x.anc_status_ptr(), 128);
  }

  get memoryBytes(): number {
    return this.x.memory.buffer.byteLength;
  }

  private check(code: number, call: string): number {
    if (code < 0) throw new FirmwareError(code, call);
    return code;
  }

  init(sampleRate: number): this {
    this.check(this.x.anc_init(sampleRate), `anc_init(${sampleRate})`);
    this.featureCount = 0; // anc_init forgets the model
    this.classCount = 0;
    return this;
  }

  /**
   * Writes a model blob into the inactive slot and loads it (anc_load_model): throws a
   * FirmwareError with the ANC_ERR_MODEL_* code if it is refused; the running model then stays.
   */
  loadModel(blob: Uint8Array): this {
    this.check(this.tryLoadModel(blob), `anc_load_model(${blob.length})`);
    return this;
  }

  /** As loadModel, but returns the code (0 or negative) instead of throwing. */
  tryLoadModel(blob: Uint8Array): number {
    // a blob longer than a slot is refused as the firmware would (rule 1), without writing it
    const n = Math.min(blob.length, MODEL_SLOT_BYTES);
    new Uint8Array(this.x.memory.buffer, this.x.anc_model_ptr(), n).set(blob.subarray(0, n));
    const rc = this.x.anc_load_model(blob.length);
    if (rc === 0) {
      const dv = new DataView(blob.buffer, blob.byteOffset, blob.length);
      this.featureCount = dv.getUint8(H.mfccCount) || dv.getUint8(H.melBands);
      this.classCount = dv.getUint16(H.classCount, true);
    }
    return rc;
  }

  /** A copy of the latest feature frame (F values; empty with no model). */
  features(): Float32Array {
    return new Float32Array(this.x.memory.buffer, this.x.anc_features_ptr(), this.featureCount).slice();
  }

  /** Copies of the last inference's logits, scores and smoothed scores. */
  scores(): ClassScores {
    const at = (k: number) => new Float32Array(this.x.memory.buffer, this.x.anc_scores_ptr() + 4 * MAX_CLASSES * k, this.classCount).slice();
    return { logits: at(0), scores: at(1), smoothed: at(2) };
  }

  /**
   * Every feature frame the running model's front end computes on `reference` (the reference mic,
   * at the rate given to init), in blocks of `block` frames: the firmware's own features, as
   * `anc train` needs them. The error mic is fed silence. Each call computes at most one frame;
   * with blocks no longer than a hop (in ANC samples) none waits and the last ones are not left
   * in the queue at the end of the signal.
   */
  featureFrames(reference: Float32Array, block = this.maxBlock): Float32Array[] {
    const frames: Float32Array[] = [];
    let seen = this.status().featureFrames;
    this.err.fill(0);
    for (let i = 0; i < reference.length; i += block) {
      const n = Math.min(block, reference.length - i);
      this.ref.set(reference.subarray(i, i + n));
      this.err.fill(0, 0, n);
      this.processFrames(n);
      const now = this.statusView.getUint32(108, true);
      if (now !== seen) {
        frames.push(this.features());
        seen = now;
      }
    }
    return frames;
  }

  setParam(name: ParamName, value: number | AlgorithmName): this {
    const v = typeof value === 'string' ? algorithmId(value) : value;
    this.check(this.x.anc_set_param(PARAMS[name], v), `anc_set_param(${name}, ${value})`);
    return this;
  }

  /** Sends a raw parameter id, for hosts and tests that speak the ABI's numbers. */
  setParamId(id: number, value: number): number {
    return this.x.anc_set_param(id, value);
  }

  getParam(name: ParamName): number {
    return this.x.anc_get_param(PARAMS[name]);
  }

  /** Reads a raw parameter id: NaN for an unknown id. */
  getParamId(id: number): number {
    return this.x.anc_get_param(id);
  }

  configure(params: Partial<Record<ParamName, number | AlgorithmName>>): this {
    // the algorithm and its length are validated together (RLS is limited to 32 taps): shorten
    // the filter before switching to RLS, leave RLS before lengthening it
    const order: ParamName[] = ['algorithm', 'taps'];
    const names = Object.keys(params) as ParamName[];
    if (params.algorithm === 'rls' || params.algorithm === ALGORITHMS.indexOf('rls')) order.reverse();
    for (const name of [...order.filter((n) => names.includes(n)), ...names.filter((n) => !order.includes(n))]) {
      this.setParam(name, params[name]!);
    }
    return this;
  }

  setSecondaryPath(coefficients: ArrayLike<number>): this {
    const stage = new Float32Array(this.x.memory.buffer, this.x.anc_secondary_path_ptr(), 256);
    if (coefficients.length > stage.length) {
      throw new FirmwareError(-6, `anc_set_secondary_path(${coefficients.length})`);
    }
    stage.set(coefficients);
    this.check(this.x.anc_set_secondary_path(coefficients.length), `anc_set_secondary_path(${coefficients.length})`);
    return this;
  }

  reset(): this {
    this.check(this.x.anc_reset(), 'anc_reset()');
    return this;
  }

  /** Processes `frames` frames already written to `ref` and `err`; the result is in `out`. */
  processFrames(frames: number): number {
    return this.check(this.x.anc_process(frames), `anc_process(${frames})`);
  }

  /** Processes whole signals in blocks of `block` frames, returning the anti-noise. */
  process(ref: Float32Array, err: Float32Array, block = this.maxBlock, out = new Float32Array(ref.length)): Float32Array {
    for (let i = 0; i < ref.length; i += block) {
      const n = Math.min(block, ref.length - i);
      this.ref.set(ref.subarray(i, i + n));
      this.err.set(err.subarray(i, i + n));
      this.processFrames(n);
      out.set(this.out.subarray(0, n), i);
    }
    return out;
  }

  /** A copy of the controller coefficients: 'ff' feedforward, 'fb' feedback. */
  weights(which: 'ff' | 'fb' = 'ff'): Float32Array {
    const taps = this.status().taps;
    const ptr = this.x.anc_weights_ptr(which === 'fb' ? 1 : 0);
    return new Float32Array(this.x.memory.buffer, ptr, taps).slice();
  }

  status(): AncStatus {
    const v = this.statusView;
    const f = (o: number) => v.getFloat32(o, true);
    const i = (o: number) => v.getInt32(o, true);
    return {
      abiVersion: i(0),
      flags: i(4),
      algorithm: ALGORITHMS[i(8)] ?? ('lms' as AlgorithmName),
      taps: i(12),
      stepSize: f(16),
      leakage: f(20),
      intensity: f(24),
      gain: f(28),
      attenuationDb: f(32),
      errorPower: f(36),
      disturbancePower: f(40),
      coefNorm: f(44),
      recoveries: i(48),
      sanitized: i(52),
      limited: i(56),
      samples: v.getUint32(60, true) + v.getUint32(64, true) * 2 ** 32,
      secTaps: i(68),
      sampleRate: i(72),
      noiseClass: i(96),
      confidence: f(100),
      modelVersion: v.getUint32(104, true),
      featureFrames: v.getUint32(108, true),
      emergencyState: v.getUint32(112, true),
      emergencyEvents: v.getUint32(116, true),
      modelError: i(120),
    };
  }
}

export function algorithmId(name: AlgorithmName): number {
  const id = ALGORITHMS.indexOf(name);
  if (id < 0) throw new Error(`unknown algorithm "${name}": one of ${ALGORITHMS.join(', ')}`);
  return id;
}

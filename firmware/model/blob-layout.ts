// The byte layout of a model blob (docs/model-format.md): field offsets, record sizes, limits and
// enumerations. The encoder, the decoder and the firmware's AssemblyScript parser all follow this
// one table; a change here is a change of the format version.

export const MODEL_MAGIC = 0x4d434e41; // "ANCM" read as a little-endian u32
export const MODEL_FORMAT_VERSION = 1;

/** Every size and offset is in bytes. The header is fixed: nothing in it is variable-length. */
export const HEADER_SIZE = 96;
export const CRC_SIZE = 4;
export const CLASS_RECORD_SIZE = 40;
export const LAYER_RECORD_SIZE = 40;
export const LABEL_MAX_BYTES = 32;
/** Every region (tables and arrays) starts at a multiple of this. */
export const REGION_ALIGN = 16;

/** Header fields: name -> byte offset. */
export const H = {
  magic: 0, // u32
  formatVersion: 4, // u16
  flags: 6, // u16, reserved: 0
  totalLength: 8, // u32
  modelMajor: 12, // u16
  modelMinor: 14, // u16
  modelPatch: 16, // u16
  reserved0: 18, // u16, 0
  sampleRate: 20, // u32
  frameLength: 24, // u16
  hopLength: 26, // u16
  fftSize: 28, // u16
  window: 30, // u8
  melBands: 31, // u8
  fminHz: 32, // f32
  fmaxHz: 36, // f32
  logFloor: 40, // f32
  mfccCount: 44, // u8
  contextFrames: 45, // u8
  inferInterval: 46, // u16
  normMeanOffset: 48, // u32 -> f32[F]
  normScaleOffset: 52, // u32 -> f32[F]
  inputScale: 56, // f32
  inputZeroPoint: 60, // i32
  classCount: 64, // u16
  layerCount: 66, // u16
  classTableOffset: 68, // u32 -> class record[classCount]
  layerTableOffset: 72, // u32 -> layer record[layerCount]
  smoothingMs: 76, // u32
  emergencyMinMs: 80, // u32
  emergencyHoldMs: 84, // u32
  emergencyFadeMs: 88, // u32
  reserved1: 92, // u32, 0
} as const;

/** Class record fields, relative to the record. */
export const C = {
  labelLength: 0, // u8
  flags: 1, // u8: bit 0 emergency, others 0
  reserved: 2, // u16, 0
  threshold: 4, // f32
  label: 8, // u8[32], zero after labelLength
} as const;
export const CLASS_FLAG_EMERGENCY = 1;

/** Layer record fields, relative to the record. */
export const L = {
  type: 0, // u8
  activation: 1, // u8
  reserved0: 2, // u16, 0
  inSize: 4, // u16
  outSize: 6, // u16
  channelsIn: 8, // u16
  channelsOut: 10, // u16
  kernel: 12, // u16
  reserved1: 14, // u16, 0
  weightsOffset: 16, // u32 -> i8[weightCount]
  biasOffset: 20, // u32 -> i32[channelsOut]
  weightScaleOffset: 24, // u32 -> f32[channelsOut]
  outScale: 28, // f32 (0 on the last layer)
  outZeroPoint: 32, // i32 (0 on the last layer)
  reserved2: 36, // u32, 0
} as const;

export const LAYER_TYPES = ['dense', 'depthwise_conv1d', 'pointwise_conv1d'] as const;
export type LayerType = (typeof LAYER_TYPES)[number];
/** Wire value of each layer type; 0 is left unused so a zeroed record is never a valid layer. */
export const LAYER_TYPE_CODE: Record<LayerType, number> = { dense: 1, depthwise_conv1d: 2, pointwise_conv1d: 3 };

export const ACTIVATIONS = ['none', 'relu', 'softmax'] as const;
export type Activation = (typeof ACTIVATIONS)[number];
export const ACTIVATION_CODE: Record<Activation, number> = { none: 0, relu: 1, softmax: 2 };

export const WINDOWS = ['rect', 'hann', 'hamming'] as const;
export type WindowType = (typeof WINDOWS)[number];
export const WINDOW_CODE: Record<WindowType, number> = { rect: 0, hann: 1, hamming: 2 };

/** Bounds, inclusive. Each one is a rule of docs/model-format.md. */
export const LIMITS = {
  maxBlobBytes: 65536,
  sampleRate: [8000, 48000],
  frameLength: [16, 2048],
  fftSize: [16, 1024], // the firmware's FFT_MAX: its twiddle table is shared with fd-fxlms
  melBands: [1, 128],
  contextFrames: [1, 64],
  inferInterval: [1, 1024],
  logFloor: [1e-30, 1],
  classCount: [2, 32],
  layerCount: [1, 8],
  layerSize: [1, 2048],
  kernel: [1, 32],
  normMeanAbs: 1e6,
  normScale: [1e-9, 1e9],
  quantScale: [1e-9, 1e9],
  zeroPoint: [-128, 127],
  biasAbs: 2 ** 30,
  macsPerInference: 131072,
  macsPerSecond: 4_000_000,
  smoothingMs: [0, 60000],
  emergencyMinMs: [0, 2000],
  emergencyHoldMs: [0, 60000],
  emergencyFadeMs: [1, 1000],
} as const;

export const MIN_BLOB_BYTES = HEADER_SIZE + CRC_SIZE;

/** Number of int8 weights of a layer, from its record fields (already range-checked). */
export function weightCount(type: LayerType, inSize: number, outSize: number, channelsIn: number, channelsOut: number, kernel: number): number {
  if (type === 'dense') return inSize * outSize;
  if (type === 'depthwise_conv1d') return channelsIn * kernel;
  return channelsOut * channelsIn;
}

/** Multiply-accumulates of one inference of a layer (its shape already checked). */
export function layerMacs(type: LayerType, inSize: number, outSize: number, channelsIn: number, kernel: number): number {
  if (type === 'dense') return inSize * outSize;
  if (type === 'depthwise_conv1d') return outSize * kernel; // each output sums K taps
  return outSize * channelsIn; // pointwise: each output sums C_in products
}

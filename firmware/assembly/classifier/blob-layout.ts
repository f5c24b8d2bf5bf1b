// Byte offsets and limits of the model blob (docs/model-format.md), the AssemblyScript twin of
// firmware/model/blob-layout.ts. The parser reads every field in place at these offsets.

export const MODEL_MAGIC: u32 = 0x4d434e41; // "ANCM"
export const MODEL_FORMAT_VERSION: u32 = 1;
export const HEADER_SIZE: u32 = 96;
export const CRC_SIZE: u32 = 4;
export const MIN_BLOB_BYTES: i32 = 100;
export const MAX_BLOB_BYTES: i32 = 65536;
export const CLASS_RECORD_SIZE: u32 = 40;
export const LAYER_RECORD_SIZE: u32 = 40;
export const LABEL_MAX_BYTES: u32 = 32;
export const REGION_ALIGN: u32 = 16;

// header
export const H_MAGIC: usize = 0;
export const H_FORMAT_VERSION: usize = 4;
export const H_FLAGS: usize = 6;
export const H_TOTAL_LENGTH: usize = 8;
export const H_MODEL_MAJOR: usize = 12;
export const H_MODEL_MINOR: usize = 14;
export const H_MODEL_PATCH: usize = 16;
export const H_RESERVED0: usize = 18;
export const H_SAMPLE_RATE: usize = 20;
export const H_FRAME_LENGTH: usize = 24;
export const H_HOP_LENGTH: usize = 26;
export const H_FFT_SIZE: usize = 28;
export const H_WINDOW: usize = 30;
export const H_MEL_BANDS: usize = 31;
export const H_FMIN_HZ: usize = 32;
export const H_FMAX_HZ: usize = 36;
export const H_LOG_FLOOR: usize = 40;
export const H_MFCC_COUNT: usize = 44;
export const H_CONTEXT_FRAMES: usize = 45;
export const H_INFER_INTERVAL: usize = 46;
export const H_NORM_MEAN_OFFSET: usize = 48;
export const H_NORM_SCALE_OFFSET: usize = 52;
export const H_INPUT_SCALE: usize = 56;
export const H_INPUT_ZERO_POINT: usize = 60;
export const H_CLASS_COUNT: usize = 64;
export const H_LAYER_COUNT: usize = 66;
export const H_CLASS_TABLE_OFFSET: usize = 68;
export const H_LAYER_TABLE_OFFSET: usize = 72;
export const H_SMOOTHING_MS: usize = 76;
export const H_EMERGENCY_MIN_MS: usize = 80;
export const H_EMERGENCY_HOLD_MS: usize = 84;
export const H_EMERGENCY_FADE_MS: usize = 88;
export const H_RESERVED1: usize = 92;

// class record
export const C_LABEL_LENGTH: usize = 0;
export const C_FLAGS: usize = 1;
export const C_RESERVED: usize = 2;
export const C_THRESHOLD: usize = 4;
export const C_LABEL: usize = 8;
export const CLASS_FLAG_EMERGENCY: u32 = 1;

// layer record
export const L_TYPE: usize = 0;
export const L_ACTIVATION: usize = 1;
export const L_RESERVED0: usize = 2;
export const L_IN_SIZE: usize = 4;
export const L_OUT_SIZE: usize = 6;
export const L_CHANNELS_IN: usize = 8;
export const L_CHANNELS_OUT: usize = 10;
export const L_KERNEL: usize = 12;
export const L_RESERVED1: usize = 14;
export const L_WEIGHTS_OFFSET: usize = 16;
export const L_BIAS_OFFSET: usize = 20;
export const L_WEIGHT_SCALE_OFFSET: usize = 24;
export const L_OUT_SCALE: usize = 28;
export const L_OUT_ZERO_POINT: usize = 32;
export const L_RESERVED2: usize = 36;

export const LAYER_DENSE: u32 = 1;
export const LAYER_DEPTHWISE: u32 = 2;
export const LAYER_POINTWISE: u32 = 3;
export const ACT_NONE: u32 = 0;
export const ACT_RELU: u32 = 1;
export const ACT_SOFTMAX: u32 = 2;
export const WINDOW_RECT: u32 = 0;
export const WINDOW_HANN: u32 = 1;
export const WINDOW_HAMMING: u32 = 2;

// limits (inclusive), one per rule of the doc
export const FFT_SIZE_MAX: u32 = 1024; // the firmware's FFT_MAX: the twiddle table is shared
export const LAYER_SIZE_MAX: u32 = 2048;
export const KERNEL_MAX: u32 = 32;
export const MACS_PER_INFERENCE: f64 = 131072;
export const MACS_PER_SECOND: f64 = 4000000;
export const BIAS_ABS_MAX: i64 = 1 << 30;

// Blob offsets of a layer's record, given the layer table's offset.
@inline export function layerRecord(base: usize, table: u32, i: i32): usize {
  return base + <usize>table + <usize>(<u32>i * LAYER_RECORD_SIZE);
}

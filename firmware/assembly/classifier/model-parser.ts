import {
  MODEL_MAGIC, MODEL_FORMAT_VERSION, MIN_BLOB_BYTES, MAX_BLOB_BYTES, CRC_SIZE, CLASS_RECORD_SIZE, LAYER_RECORD_SIZE,
  LABEL_MAX_BYTES, H_MAGIC, H_FORMAT_VERSION, H_FLAGS, H_TOTAL_LENGTH, H_RESERVED0, H_SAMPLE_RATE, H_FRAME_LENGTH,
  H_HOP_LENGTH, H_FFT_SIZE, H_WINDOW, H_MEL_BANDS, H_FMIN_HZ, H_FMAX_HZ, H_LOG_FLOOR, H_MFCC_COUNT, H_CONTEXT_FRAMES,
  H_INFER_INTERVAL, H_NORM_MEAN_OFFSET, H_NORM_SCALE_OFFSET, H_INPUT_SCALE, H_INPUT_ZERO_POINT, H_CLASS_COUNT,
  H_LAYER_COUNT, H_CLASS_TABLE_OFFSET, H_LAYER_TABLE_OFFSET, H_SMOOTHING_MS, H_EMERGENCY_MIN_MS, H_EMERGENCY_HOLD_MS,
  H_EMERGENCY_FADE_MS, H_RESERVED1, C_LABEL_LENGTH, C_FLAGS, C_RESERVED, C_THRESHOLD, C_LABEL, CLASS_FLAG_EMERGENCY,
  L_TYPE, L_ACTIVATION, L_RESERVED0, L_IN_SIZE, L_OUT_SIZE, L_CHANNELS_IN, L_CHANNELS_OUT, L_KERNEL, L_RESERVED1,
  L_WEIGHTS_OFFSET, L_BIAS_OFFSET, L_WEIGHT_SCALE_OFFSET, L_OUT_SCALE, L_OUT_ZERO_POINT, L_RESERVED2,
  LAYER_DENSE, LAYER_DEPTHWISE, LAYER_POINTWISE, ACT_RELU, ACT_SOFTMAX, FFT_SIZE_MAX, LAYER_SIZE_MAX, KERNEL_MAX,
  MACS_PER_INFERENCE, MACS_PER_SECOND, BIAS_ABS_MAX, layerRecord,
} from "./blob-layout";
import { regionsStart, checkRegion, checkDisjoint } from "./blob-regions";
import { crc32 } from "../dsp/crc32";
import {
  ANC_OK, ANC_ERR_MODEL_LENGTH, ANC_ERR_MODEL_MAGIC, ANC_ERR_MODEL_VERSION, ANC_ERR_MODEL_CRC, ANC_ERR_MODEL_RESERVED,
  ANC_ERR_MODEL_FEATURES, ANC_ERR_MODEL_COUNT, ANC_ERR_MODEL_DECISION, ANC_ERR_MODEL_LABEL, ANC_ERR_MODEL_LAYER,
  ANC_ERR_MODEL_SHAPE, ANC_ERR_MODEL_COST, ANC_ERR_MODEL_QUANT,
} from "../errors";

// Validates the blob of `length` bytes at `b` in place, rule by rule in the order of
// docs/model-format.md ("Validation"), and returns the code of the first rule it breaks (the
// code decodeModelBlob throws for the same bytes), or ANC_OK. It only reads: nothing of the
// running model changes. No field is read from an offset before that offset has passed its rule,
// and every range check is written so that NaN fails it.

// f32 fields are compared as f64, as the Node decoder does (1e-30 is not an f32)
function within(v: f32, lo: f64, hi: f64): bool {
  const d = <f64>v;
  return d >= lo && d <= hi;
}
function isPow2(v: u32): bool {
  return v > 0 && (v & (v - 1)) == 0;
}

export function validateModel(b: usize, length: i32): i32 {
  // 1-5: envelope
  if (length < MIN_BLOB_BYTES || length > MAX_BLOB_BYTES) return ANC_ERR_MODEL_LENGTH;
  const len = <u32>length;
  if (load<u32>(b + H_MAGIC) != MODEL_MAGIC) return ANC_ERR_MODEL_MAGIC;
  if (<u32>load<u16>(b + H_FORMAT_VERSION) != MODEL_FORMAT_VERSION) return ANC_ERR_MODEL_VERSION;
  if (load<u32>(b + H_TOTAL_LENGTH) != len || len % 4 != 0) return ANC_ERR_MODEL_LENGTH;
  if (crc32(b, len - CRC_SIZE) != load<u32>(b + <usize>(len - CRC_SIZE))) return ANC_ERR_MODEL_CRC;

  // 6: reserved header fields
  if (load<u16>(b + H_FLAGS) != 0 || load<u16>(b + H_RESERVED0) != 0 || load<u32>(b + H_RESERVED1) != 0) return ANC_ERR_MODEL_RESERVED;

  // 7: front-end settings, in field order
  const sampleRate = load<u32>(b + H_SAMPLE_RATE);
  const frameLength = <u32>load<u16>(b + H_FRAME_LENGTH);
  const hop = <u32>load<u16>(b + H_HOP_LENGTH);
  const fftSize = <u32>load<u16>(b + H_FFT_SIZE);
  const melBands = <u32>load<u8>(b + H_MEL_BANDS);
  const fmin = load<f32>(b + H_FMIN_HZ);
  const fmax = load<f32>(b + H_FMAX_HZ);
  const mfcc = <u32>load<u8>(b + H_MFCC_COUNT);
  const context = <u32>load<u8>(b + H_CONTEXT_FRAMES);
  const interval = <u32>load<u16>(b + H_INFER_INTERVAL);
  if (sampleRate < 8000 || sampleRate > 48000) return ANC_ERR_MODEL_FEATURES;
  if (frameLength < 16 || frameLength > 2048) return ANC_ERR_MODEL_FEATURES;
  if (hop < 1 || hop > frameLength) return ANC_ERR_MODEL_FEATURES;
  if (fftSize < 16 || fftSize > FFT_SIZE_MAX || !isPow2(fftSize) || fftSize < frameLength) return ANC_ERR_MODEL_FEATURES;
  if (<u32>load<u8>(b + H_WINDOW) > 2) return ANC_ERR_MODEL_FEATURES;
  if (melBands < 1 || melBands > 128 || melBands > fftSize / 2) return ANC_ERR_MODEL_FEATURES;
  if (!(<f64>fmin >= 0 && fmin < fmax && <f64>fmax <= <f64>sampleRate / 2)) return ANC_ERR_MODEL_FEATURES;
  if (!within(load<f32>(b + H_LOG_FLOOR), 1e-30, 1)) return ANC_ERR_MODEL_FEATURES;
  if (mfcc > melBands) return ANC_ERR_MODEL_FEATURES;
  if (context < 1 || context > 64) return ANC_ERR_MODEL_FEATURES;
  if (interval < 1 || interval > 1024) return ANC_ERR_MODEL_FEATURES;
  const features = mfcc ? mfcc : melBands;

  // 8: input quantisation
  if (!within(load<f32>(b + H_INPUT_SCALE), 1e-9, 1e9)) return ANC_ERR_MODEL_QUANT;
  const zp = load<i32>(b + H_INPUT_ZERO_POINT);
  if (zp < -128 || zp > 127) return ANC_ERR_MODEL_QUANT;

  // 9: counts
  const classes = <u32>load<u16>(b + H_CLASS_COUNT);
  const layers = <u32>load<u16>(b + H_LAYER_COUNT);
  if (classes < 2 || classes > 32) return ANC_ERR_MODEL_COUNT;
  if (layers < 1 || layers > 8) return ANC_ERR_MODEL_COUNT;

  // 10: decision settings
  if (load<u32>(b + H_SMOOTHING_MS) > 60000) return ANC_ERR_MODEL_DECISION;
  if (load<u32>(b + H_EMERGENCY_MIN_MS) > 2000) return ANC_ERR_MODEL_DECISION;
  if (load<u32>(b + H_EMERGENCY_HOLD_MS) > 60000) return ANC_ERR_MODEL_DECISION;
  const fade = load<u32>(b + H_EMERGENCY_FADE_MS);
  if (fade < 1 || fade > 1000) return ANC_ERR_MODEL_DECISION;

  // 11: the four regions the header points at: inside and aligned, each in turn, then disjoint
  // (before the tables are read, so two tables sharing bytes is OVERLAP)
  const classTable = load<u32>(b + H_CLASS_TABLE_OFFSET);
  const layerTable = load<u32>(b + H_LAYER_TABLE_OFFSET);
  regionsStart();
  let err = checkRegion(1, load<u32>(b + H_NORM_MEAN_OFFSET), <u64>features << 2, len);
  if (err == ANC_OK) err = checkRegion(2, load<u32>(b + H_NORM_SCALE_OFFSET), <u64>features << 2, len);
  if (err == ANC_OK) err = checkRegion(3, classTable, <u64>(classes * CLASS_RECORD_SIZE), len);
  if (err == ANC_OK) err = checkRegion(4, layerTable, <u64>(layers * LAYER_RECORD_SIZE), len);
  if (err == ANC_OK) err = checkDisjoint(5);
  if (err != ANC_OK) return err;

  // 12: class records
  for (let i: u32 = 0; i < classes; i++) {
    err = checkClass(b + <usize>(classTable + i * CLASS_RECORD_SIZE), b + <usize>classTable, i);
    if (err != ANC_OK) return err;
  }

  // 13: layer records, field by field
  for (let i = 0; i < <i32>layers; i++) {
    err = checkLayerRecord(layerRecord(b, layerTable, i), i == <i32>layers - 1);
    if (err != ANC_OK) return err;
  }

  // 14: shapes, each layer, then the chain
  for (let i = 0; i < <i32>layers; i++) {
    if (!shapeOk(layerRecord(b, layerTable, i))) return ANC_ERR_MODEL_SHAPE;
  }
  if (<u32>load<u16>(layerRecord(b, layerTable, 0) + L_IN_SIZE) != features * context) return ANC_ERR_MODEL_SHAPE;
  for (let i = 1; i < <i32>layers; i++) {
    if (load<u16>(layerRecord(b, layerTable, i) + L_IN_SIZE) != load<u16>(layerRecord(b, layerTable, i - 1) + L_OUT_SIZE)) return ANC_ERR_MODEL_SHAPE;
  }
  if (<u32>load<u16>(layerRecord(b, layerTable, <i32>layers - 1) + L_OUT_SIZE) != classes) return ANC_ERR_MODEL_SHAPE;

  // 15: cost (f64: the per-second product needs more than 32 bits, and stays exact)
  let macs: f64 = 0;
  for (let i = 0; i < <i32>layers; i++) macs += layerMacs(layerRecord(b, layerTable, i));
  if (macs > MACS_PER_INFERENCE) return ANC_ERR_MODEL_COST;
  if (macs * <f64>sampleRate > MACS_PER_SECOND * <f64>hop * <f64>interval) return ANC_ERR_MODEL_COST;

  // 16-17: every layer's weights, biases and weight scales, then no two regions of all overlap
  for (let i = 0; i < <i32>layers; i++) {
    const r = layerRecord(b, layerTable, i);
    const cout = <u64>load<u16>(r + L_CHANNELS_OUT);
    const slot = 5 + 3 * i;
    err = checkRegion(slot, load<u32>(r + L_WEIGHTS_OFFSET), weightCount(r), len);
    if (err == ANC_OK) err = checkRegion(slot + 1, load<u32>(r + L_BIAS_OFFSET), cout << 2, len);
    if (err == ANC_OK) err = checkRegion(slot + 2, load<u32>(r + L_WEIGHT_SCALE_OFFSET), cout << 2, len);
    if (err != ANC_OK) return err;
  }
  err = checkDisjoint(5 + 3 * <i32>layers);
  if (err != ANC_OK) return err;

  // 18: normalisation values
  const mean = b + <usize>load<u32>(b + H_NORM_MEAN_OFFSET);
  const scale = b + <usize>load<u32>(b + H_NORM_SCALE_OFFSET);
  for (let k: usize = 0; k < <usize>features; k++) {
    if (!within(load<f32>(mean + (k << 2)), -1e6, 1e6)) return ANC_ERR_MODEL_FEATURES;
  }
  for (let k: usize = 0; k < <usize>features; k++) {
    if (!within(load<f32>(scale + (k << 2)), 1e-9, 1e9)) return ANC_ERR_MODEL_FEATURES;
  }

  // 19: quantisation values of every layer
  for (let i = 0; i < <i32>layers; i++) {
    err = checkLayerQuant(b, layerRecord(b, layerTable, i), i == <i32>layers - 1);
    if (err != ANC_OK) return err;
  }
  return ANC_OK;
}

// Rule 12 for one class record: reserved bits, then the label (length, zero padding, the fleet's
// pattern ^[a-z][a-z0-9_-]{0,31}$, no duplicate of an earlier class), then the threshold.
function checkClass(rec: usize, table: usize, i: u32): i32 {
  if ((<u32>load<u8>(rec + C_FLAGS) & ~CLASS_FLAG_EMERGENCY) != 0 || load<u16>(rec + C_RESERVED) != 0) return ANC_ERR_MODEL_RESERVED;
  const n = <u32>load<u8>(rec + C_LABEL_LENGTH);
  if (n < 1 || n > LABEL_MAX_BYTES) return ANC_ERR_MODEL_LABEL;
  const label = rec + C_LABEL;
  for (let k = n; k < LABEL_MAX_BYTES; k++) if (load<u8>(label + <usize>k) != 0) return ANC_ERR_MODEL_LABEL;
  for (let k: u32 = 0; k < n; k++) {
    const c = <u32>load<u8>(label + <usize>k);
    const lower = c >= 0x61 && c <= 0x7a;
    const rest = c >= 0x30 && c <= 0x39 || c == 0x5f || c == 0x2d;
    if (!(lower || (k > 0 && rest))) return ANC_ERR_MODEL_LABEL;
  }
  // labels are zero-padded (checked above for every earlier class too): equal fields, equal labels
  for (let j: u32 = 0; j < i; j++) {
    const other = table + <usize>(j * CLASS_RECORD_SIZE) + C_LABEL;
    if (load<u64>(label) == load<u64>(other) && load<u64>(label, 8) == load<u64>(other, 8) &&
        load<u64>(label, 16) == load<u64>(other, 16) && load<u64>(label, 24) == load<u64>(other, 24)) return ANC_ERR_MODEL_LABEL;
  }
  if (!within(load<f32>(rec + C_THRESHOLD), 0, 1)) return ANC_ERR_MODEL_DECISION;
  return 0;
}

// Rule 13 for one layer record.
function checkLayerRecord(r: usize, last: bool): i32 {
  if (load<u16>(r + L_RESERVED0) != 0 || load<u16>(r + L_RESERVED1) != 0 || load<u32>(r + L_RESERVED2) != 0) return ANC_ERR_MODEL_RESERVED;
  const type = <u32>load<u8>(r + L_TYPE);
  const act = <u32>load<u8>(r + L_ACTIVATION);
  if (type < LAYER_DENSE || type > LAYER_POINTWISE) return ANC_ERR_MODEL_LAYER;
  if (act > ACT_SOFTMAX) return ANC_ERR_MODEL_LAYER;
  if (last ? act == ACT_RELU : act == ACT_SOFTMAX) return ANC_ERR_MODEL_LAYER;
  if (!sizeOk(load<u16>(r + L_IN_SIZE)) || !sizeOk(load<u16>(r + L_OUT_SIZE)) ||
      !sizeOk(load<u16>(r + L_CHANNELS_IN)) || !sizeOk(load<u16>(r + L_CHANNELS_OUT))) return ANC_ERR_MODEL_LAYER;
  const k = <u32>load<u16>(r + L_KERNEL);
  if (k < 1 || k > KERNEL_MAX) return ANC_ERR_MODEL_LAYER;
  return 0;
}

function sizeOk(v: u16): bool {
  return v >= 1 && <u32>v <= LAYER_SIZE_MAX;
}

// Rule 14 for one layer: how its sizes, channels and kernel relate for its type.
function shapeOk(r: usize): bool {
  const type = <u32>load<u8>(r + L_TYPE);
  const inSize = <u32>load<u16>(r + L_IN_SIZE);
  const outSize = <u32>load<u16>(r + L_OUT_SIZE);
  const cin = <u32>load<u16>(r + L_CHANNELS_IN);
  const cout = <u32>load<u16>(r + L_CHANNELS_OUT);
  const k = <u32>load<u16>(r + L_KERNEL);
  if (type == LAYER_DENSE) return cin == inSize && cout == outSize && k == 1;
  if (inSize % cin != 0) return false;
  const steps = inSize / cin;
  if (type == LAYER_DEPTHWISE) return cout == cin && k <= steps && outSize == (steps - k + 1) * cin;
  return k == 1 && outSize == steps * cout;
}

// int8 weights of a layer (its record range-checked)
function weightCount(r: usize): u64 {
  const type = <u32>load<u8>(r + L_TYPE);
  const cin = <u64>load<u16>(r + L_CHANNELS_IN);
  if (type == LAYER_DENSE) return <u64>load<u16>(r + L_IN_SIZE) * <u64>load<u16>(r + L_OUT_SIZE);
  if (type == LAYER_DEPTHWISE) return cin * <u64>load<u16>(r + L_KERNEL);
  return <u64>load<u16>(r + L_CHANNELS_OUT) * cin;
}

// multiply-adds of one inference of a layer (its shape checked)
export function layerMacs(r: usize): f64 {
  const type = <u32>load<u8>(r + L_TYPE);
  const outSize = <f64>load<u16>(r + L_OUT_SIZE);
  if (type == LAYER_DENSE) return <f64>load<u16>(r + L_IN_SIZE) * outSize;
  if (type == LAYER_DEPTHWISE) return outSize * <f64>load<u16>(r + L_KERNEL);
  return outSize * <f64>load<u16>(r + L_CHANNELS_IN);
}

// Rule 19 for one layer: output quantisation, then weight scales, then biases.
function checkLayerQuant(b: usize, r: usize, last: bool): i32 {
  const outScale = load<f32>(r + L_OUT_SCALE);
  const outZp = load<i32>(r + L_OUT_ZERO_POINT);
  if (last) {
    if (!(outScale == 0 && outZp == 0)) return ANC_ERR_MODEL_QUANT;
  } else {
    if (!within(outScale, 1e-9, 1e9)) return ANC_ERR_MODEL_QUANT;
    if (outZp < -128 || outZp > 127) return ANC_ERR_MODEL_QUANT;
  }
  const cout = <usize>load<u16>(r + L_CHANNELS_OUT);
  const scales = b + <usize>load<u32>(r + L_WEIGHT_SCALE_OFFSET);
  for (let o: usize = 0; o < cout; o++) if (!within(load<f32>(scales + (o << 2)), 1e-9, 1e9)) return ANC_ERR_MODEL_QUANT;
  const bias = b + <usize>load<u32>(r + L_BIAS_OFFSET);
  for (let o: usize = 0; o < cout; o++) {
    const v = <i64>load<i32>(bias + (o << 2));
    if (v > BIAS_ABS_MAX || v < -BIAS_ABS_MAX) return ANC_ERR_MODEL_QUANT;
  }
  return 0;
}

// Model -> bytes. Regions are laid out in a fixed order after the header (class table, layer
// table, normalisation mean and scale, then each layer's weights, biases and weight scales), each
// at the next multiple of 16, and the CRC-32 last. The result is decoded again before it is
// returned, so an encoder never hands out a blob the firmware would refuse.
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { check } from './blob-errors.ts';
import {
  ACTIVATION_CODE, C, CLASS_FLAG_EMERGENCY, CLASS_RECORD_SIZE, CRC_SIZE, H, HEADER_SIZE, L, LABEL_MAX_BYTES,
  LAYER_RECORD_SIZE, LAYER_TYPE_CODE, MODEL_FORMAT_VERSION, MODEL_MAGIC, REGION_ALIGN, WINDOW_CODE, weightCount,
} from './blob-layout.ts';
import { decodeModelBlob } from './blob-decode.ts';
import { crc32 } from './crc32.ts';
import { ClassifierModel } from './model-schema.ts';

const modelCheck = TypeCompiler.Compile(ClassifierModel);

export interface EncodeOptions {
  /**
   * Decode the result and throw its ModelBlobError if it breaks a rule (default true). Tests turn
   * this off to build blobs that are well-formed bytes but break one rule on purpose.
   */
  validate?: boolean;
}

const align = (n: number, to: number) => Math.ceil(n / to) * to;

export function encodeModelBlob(model: ClassifierModel, options: EncodeOptions = {}): Uint8Array {
  // A model that does not even fit the fields (a string where a number goes, a u16 above 65535)
  // is a programming error, not a bad blob.
  if (!modelCheck.Check(model)) {
    const e = modelCheck.Errors(model).First();
    throw new TypeError(`not a ClassifierModel: ${e?.path ?? ''} ${e?.message ?? ''}`);
  }
  const { features, classes, layers } = model;
  // The array lengths must be what the records imply; the blob has no other place for a length.
  const featureCount = features.mfccCount || features.melBands;
  check(features.normMean.length === featureCount && features.normScale.length === featureCount, 'FEATURES',
    `norm_mean and norm_scale need ${featureCount} values each`);
  layers.forEach((l, i) => {
    const n = weightCount(l.type, l.inSize, l.outSize, l.channelsIn, l.channelsOut, l.kernel);
    check(l.weights.length === n, 'SHAPE', `layer ${i}: ${l.weights.length} weights given, its shape needs ${n}`);
    check(l.bias.length === l.channelsOut && l.weightScale.length === l.channelsOut, 'SHAPE', `layer ${i}: bias and weight_scale need ${l.channelsOut} values each`);
  });
  const labels = classes.map((c, i) => {
    const b = new TextEncoder().encode(c.label);
    check(b.length <= LABEL_MAX_BYTES, 'LABEL', `class ${i}: label is ${b.length} bytes, at most ${LABEL_MAX_BYTES} fit`);
    return b;
  });

  // Layout
  let cursor = HEADER_SIZE;
  const place = (size: number) => {
    const at = align(cursor, REGION_ALIGN);
    cursor = at + size;
    return at;
  };
  const classTable = place(CLASS_RECORD_SIZE * classes.length);
  const layerTable = place(LAYER_RECORD_SIZE * layers.length);
  const normMean = place(4 * featureCount);
  const normScale = place(4 * featureCount);
  const arrays = layers.map((l) => ({ weights: place(l.weights.length), bias: place(4 * l.bias.length), scale: place(4 * l.weightScale.length) }));
  const total = align(cursor, 4) + CRC_SIZE;

  const bytes = new Uint8Array(total);
  const dv = new DataView(bytes.buffer);
  const u16 = (o: number, v: number) => dv.setUint16(o, v, true);
  const u32 = (o: number, v: number) => dv.setUint32(o, v, true);
  const i32 = (o: number, v: number) => dv.setInt32(o, v, true);
  const f32 = (o: number, v: number) => dv.setFloat32(o, v, true);

  u32(H.magic, MODEL_MAGIC);
  u16(H.formatVersion, MODEL_FORMAT_VERSION);
  u32(H.totalLength, total);
  u16(H.modelMajor, model.version.major);
  u16(H.modelMinor, model.version.minor);
  u16(H.modelPatch, model.version.patch);
  u32(H.sampleRate, features.sampleRate);
  u16(H.frameLength, features.frameLength);
  u16(H.hopLength, features.hopLength);
  u16(H.fftSize, features.fftSize);
  dv.setUint8(H.window, WINDOW_CODE[features.window]);
  dv.setUint8(H.melBands, features.melBands);
  f32(H.fminHz, features.fminHz);
  f32(H.fmaxHz, features.fmaxHz);
  f32(H.logFloor, features.logFloor);
  dv.setUint8(H.mfccCount, features.mfccCount);
  dv.setUint8(H.contextFrames, features.contextFrames);
  u16(H.inferInterval, features.inferInterval);
  u32(H.normMeanOffset, normMean);
  u32(H.normScaleOffset, normScale);
  f32(H.inputScale, model.input.scale);
  i32(H.inputZeroPoint, model.input.zeroPoint);
  u16(H.classCount, classes.length);
  u16(H.layerCount, layers.length);
  u32(H.classTableOffset, classTable);
  u32(H.layerTableOffset, layerTable);
  u32(H.smoothingMs, model.decision.smoothingMs);
  u32(H.emergencyMinMs, model.decision.emergencyMinMs);
  u32(H.emergencyHoldMs, model.decision.emergencyHoldMs);
  u32(H.emergencyFadeMs, model.decision.emergencyFadeMs);

  classes.forEach((c, i) => {
    const at = classTable + i * CLASS_RECORD_SIZE;
    dv.setUint8(at + C.labelLength, labels[i]!.length);
    dv.setUint8(at + C.flags, c.emergency ? CLASS_FLAG_EMERGENCY : 0);
    f32(at + C.threshold, c.threshold);
    bytes.set(labels[i]!, at + C.label);
  });
  features.normMean.forEach((v, k) => f32(normMean + 4 * k, v));
  features.normScale.forEach((v, k) => f32(normScale + 4 * k, v));

  layers.forEach((l, i) => {
    const at = layerTable + i * LAYER_RECORD_SIZE;
    const a = arrays[i]!;
    dv.setUint8(at + L.type, LAYER_TYPE_CODE[l.type]);
    dv.setUint8(at + L.activation, ACTIVATION_CODE[l.activation]);
    u16(at + L.inSize, l.inSize);
    u16(at + L.outSize, l.outSize);
    u16(at + L.channelsIn, l.channelsIn);
    u16(at + L.channelsOut, l.channelsOut);
    u16(at + L.kernel, l.kernel);
    u32(at + L.weightsOffset, a.weights);
    u32(at + L.biasOffset, a.bias);
    u32(at + L.weightScaleOffset, a.scale);
    f32(at + L.outScale, l.outScale);
    i32(at + L.outZeroPoint, l.outZeroPoint);
    l.weights.forEach((w, k) => dv.setInt8(a.weights + k, w));
    l.bias.forEach((b, k) => i32(a.bias + 4 * k, b));
    l.weightScale.forEach((s, k) => f32(a.scale + 4 * k, s));
  });

  u32(total - CRC_SIZE, crc32(bytes.subarray(0, total - CRC_SIZE)));
  if (options.validate !== false) decodeModelBlob(bytes);
  return bytes;
}

// Bytes -> model, applying every validation rule of docs/model-format.md in the doc's order, so
// the first rule a blob breaks gives the same code here as in the firmware's `anc_load_model`.
// Nothing is read from an offset before that offset has been checked, so no input can make this
// throw anything but a ModelBlobError.
import { check } from './blob-errors.ts';
import {
  ACTIVATIONS, C, CLASS_FLAG_EMERGENCY, CLASS_RECORD_SIZE, CRC_SIZE, H, L, LABEL_MAX_BYTES, LAYER_RECORD_SIZE,
  LAYER_TYPES, LIMITS, MIN_BLOB_BYTES, MODEL_FORMAT_VERSION, MODEL_MAGIC, WINDOWS, layerMacs, weightCount,
  type LayerType,
} from './blob-layout.ts';
import { checkDisjoint, checkRegion, type Region } from './blob-regions.ts';
import { crc32 } from './crc32.ts';
import { labelProblem } from './class-label.ts';
import type { ClassEntry, ClassifierModel, Layer } from './model-schema.ts';

const within = (v: number, [lo, hi]: readonly [number, number]) => v >= lo && v <= hi; // false for NaN
const isPow2 = (v: number) => v > 0 && (v & (v - 1)) === 0;

/** The fixed fields of one layer record, before its arrays are read. */
interface LayerRecord {
  type: LayerType;
  activation: Layer['activation'];
  inSize: number;
  outSize: number;
  channelsIn: number;
  channelsOut: number;
  kernel: number;
  weights: Region;
  bias: Region;
  weightScale: Region;
  outScale: number;
  outZeroPoint: number;
}

export function decodeModelBlob(bytes: Uint8Array): ClassifierModel {
  const len = bytes.length;
  // 1-5: envelope
  check(len >= MIN_BLOB_BYTES && len <= LIMITS.maxBlobBytes, 'LENGTH', `blob is ${len} bytes, not ${MIN_BLOB_BYTES}..${LIMITS.maxBlobBytes}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, len);
  const u8 = (o: number) => dv.getUint8(o);
  const u16 = (o: number) => dv.getUint16(o, true);
  const u32 = (o: number) => dv.getUint32(o, true);
  const i32 = (o: number) => dv.getInt32(o, true);
  const f32 = (o: number) => dv.getFloat32(o, true);

  check(u32(H.magic) === MODEL_MAGIC, 'MAGIC', 'not a model blob (magic is not "ANCM")');
  check(u16(H.formatVersion) === MODEL_FORMAT_VERSION, 'VERSION', `format version ${u16(H.formatVersion)} is not ${MODEL_FORMAT_VERSION}`);
  const total = u32(H.totalLength);
  check(total === len && len % 4 === 0, 'LENGTH', `total_length ${total} does not match the ${len} bytes given, or is not a multiple of 4`);
  const crc = u32(len - CRC_SIZE);
  check(crc32(bytes.subarray(0, len - CRC_SIZE)) === crc, 'CRC', 'CRC-32 mismatch');

  // 6: reserved header fields
  check(u16(H.flags) === 0 && u16(H.reserved0) === 0 && u32(H.reserved1) === 0, 'RESERVED', 'a reserved header field is not 0');

  // 7: feature front end
  const sampleRate = u32(H.sampleRate);
  const frameLength = u16(H.frameLength);
  const hopLength = u16(H.hopLength);
  const fftSize = u16(H.fftSize);
  const windowCode = u8(H.window);
  const melBands = u8(H.melBands);
  const fminHz = f32(H.fminHz);
  const fmaxHz = f32(H.fmaxHz);
  const logFloor = f32(H.logFloor);
  const mfccCount = u8(H.mfccCount);
  const contextFrames = u8(H.contextFrames);
  const inferInterval = u16(H.inferInterval);
  check(within(sampleRate, LIMITS.sampleRate), 'FEATURES', `sample_rate ${sampleRate}`);
  check(within(frameLength, LIMITS.frameLength), 'FEATURES', `frame_length ${frameLength}`);
  check(hopLength >= 1 && hopLength <= frameLength, 'FEATURES', `hop_length ${hopLength}`);
  check(within(fftSize, LIMITS.fftSize) && isPow2(fftSize) && fftSize >= frameLength, 'FEATURES', `fft_size ${fftSize}`);
  check(windowCode < WINDOWS.length, 'FEATURES', `window ${windowCode}`);
  check(within(melBands, LIMITS.melBands) && melBands <= fftSize / 2, 'FEATURES', `mel_bands ${melBands}`);
  check(fminHz >= 0 && fminHz < fmaxHz && fmaxHz <= sampleRate / 2, 'FEATURES', `fmin ${fminHz} / fmax ${fmaxHz}`);
  check(within(logFloor, LIMITS.logFloor), 'FEATURES', `log_floor ${logFloor}`);
  check(mfccCount <= melBands, 'FEATURES', `mfcc_count ${mfccCount}`);
  check(within(contextFrames, LIMITS.contextFrames), 'FEATURES', `context_frames ${contextFrames}`);
  check(within(inferInterval, LIMITS.inferInterval), 'FEATURES', `infer_interval ${inferInterval}`);
  const featureCount = mfccCount || melBands;

  // 8: input quantisation
  const inputScale = f32(H.inputScale);
  const inputZeroPoint = i32(H.inputZeroPoint);
  check(within(inputScale, LIMITS.quantScale), 'QUANT', `input_scale ${inputScale}`);
  check(within(inputZeroPoint, LIMITS.zeroPoint), 'QUANT', `input_zero_point ${inputZeroPoint}`);

  // 9: counts
  const classCount = u16(H.classCount);
  const layerCount = u16(H.layerCount);
  check(within(classCount, LIMITS.classCount), 'COUNT', `class_count ${classCount}`);
  check(within(layerCount, LIMITS.layerCount), 'COUNT', `layer_count ${layerCount}`);

  // 10: decision settings
  const decision = {
    smoothingMs: u32(H.smoothingMs),
    emergencyMinMs: u32(H.emergencyMinMs),
    emergencyHoldMs: u32(H.emergencyHoldMs),
    emergencyFadeMs: u32(H.emergencyFadeMs),
  };
  for (const [k, v] of Object.entries(decision)) check(within(v, LIMITS[k as keyof typeof decision]), 'DECISION', `${k} ${v}`);

  // 11: the regions the header points at: inside, aligned, disjoint
  const fixedRegions: Region[] = [
    { name: 'norm_mean', offset: u32(H.normMeanOffset), size: 4 * featureCount },
    { name: 'norm_scale', offset: u32(H.normScaleOffset), size: 4 * featureCount },
    { name: 'class table', offset: u32(H.classTableOffset), size: CLASS_RECORD_SIZE * classCount },
    { name: 'layer table', offset: u32(H.layerTableOffset), size: LAYER_RECORD_SIZE * layerCount },
  ];
  for (const r of fixedRegions) checkRegion(r, len);
  checkDisjoint(fixedRegions); // before the tables are read, so two tables sharing bytes is OVERLAP
  const [normMeanR, normScaleR, classTableR, layerTableR] = fixedRegions as [Region, Region, Region, Region];

  // 12: class records
  const classes: ClassEntry[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < classCount; i++) {
    const at = classTableR.offset + i * CLASS_RECORD_SIZE;
    const flags = u8(at + C.flags);
    check((flags & ~CLASS_FLAG_EMERGENCY) === 0 && u16(at + C.reserved) === 0, 'RESERVED', `class ${i}: reserved flag bits or field not 0`);
    const n = u8(at + C.labelLength);
    check(n >= 1 && n <= LABEL_MAX_BYTES, 'LABEL', `class ${i}: label length ${n}`);
    const field = bytes.subarray(at + C.label, at + C.label + LABEL_MAX_BYTES);
    check(field.subarray(n).every((b) => b === 0), 'LABEL', `class ${i}: label padding is not 0`);
    const problem = labelProblem(field.subarray(0, n));
    check(problem === null, 'LABEL', `class ${i}: ${problem}`);
    const label = String.fromCharCode(...field.subarray(0, n)); // ASCII by the pattern
    check(!seen.has(label), 'LABEL', `class ${i}: duplicate label "${label}"`);
    seen.add(label);
    const threshold = f32(at + C.threshold);
    check(threshold >= 0 && threshold <= 1, 'DECISION', `class ${i}: threshold ${threshold}`);
    classes.push({ label, emergency: (flags & CLASS_FLAG_EMERGENCY) !== 0, threshold });
  }

  // 13: layer records, field by field
  const records: LayerRecord[] = [];
  for (let i = 0; i < layerCount; i++) {
    const at = layerTableR.offset + i * LAYER_RECORD_SIZE;
    const last = i === layerCount - 1;
    check(u16(at + L.reserved0) === 0 && u16(at + L.reserved1) === 0 && u32(at + L.reserved2) === 0, 'RESERVED', `layer ${i}: reserved field not 0`);
    const typeCode = u8(at + L.type);
    const actCode = u8(at + L.activation);
    check(typeCode >= 1 && typeCode <= LAYER_TYPES.length, 'LAYER', `layer ${i}: type ${typeCode}`);
    check(actCode < ACTIVATIONS.length, 'LAYER', `layer ${i}: activation ${actCode}`);
    const type = LAYER_TYPES[typeCode - 1]!;
    const activation = ACTIVATIONS[actCode]!;
    check(last ? activation !== 'relu' : activation !== 'softmax', 'LAYER', `layer ${i}: ${activation} is not allowed ${last ? 'on the last layer' : 'before the last layer'}`);
    const rec = {
      type, activation,
      inSize: u16(at + L.inSize), outSize: u16(at + L.outSize),
      channelsIn: u16(at + L.channelsIn), channelsOut: u16(at + L.channelsOut), kernel: u16(at + L.kernel),
    };
    for (const k of ['inSize', 'outSize', 'channelsIn', 'channelsOut'] as const) check(within(rec[k], LIMITS.layerSize), 'LAYER', `layer ${i}: ${k} ${rec[k]}`);
    check(within(rec.kernel, LIMITS.kernel), 'LAYER', `layer ${i}: kernel ${rec.kernel}`);
    records.push({
      ...rec,
      weights: { name: `layer ${i} weights`, offset: u32(at + L.weightsOffset), size: weightCount(type, rec.inSize, rec.outSize, rec.channelsIn, rec.channelsOut, rec.kernel) },
      bias: { name: `layer ${i} bias`, offset: u32(at + L.biasOffset), size: 4 * rec.channelsOut },
      weightScale: { name: `layer ${i} weight scales`, offset: u32(at + L.weightScaleOffset), size: 4 * rec.channelsOut },
      outScale: f32(at + L.outScale),
      outZeroPoint: i32(at + L.outZeroPoint),
    });
  }

  // 14: shapes, each layer then the chain
  records.forEach((r, i) => checkShape(r, i));
  check(records[0]!.inSize === featureCount * contextFrames, 'SHAPE', `layer 0: in_size ${records[0]!.inSize} is not ${featureCount} features x ${contextFrames} frames`);
  for (let i = 1; i < layerCount; i++) check(records[i]!.inSize === records[i - 1]!.outSize, 'SHAPE', `layer ${i}: in_size ${records[i]!.inSize} is not layer ${i - 1}'s out_size ${records[i - 1]!.outSize}`);
  check(records[layerCount - 1]!.outSize === classCount, 'SHAPE', `last layer: out_size ${records[layerCount - 1]!.outSize} is not class_count ${classCount}`);

  // 15: cost
  const macs = records.reduce((sum, r) => sum + layerMacs(r.type, r.inSize, r.outSize, r.channelsIn, r.kernel), 0);
  check(macs <= LIMITS.macsPerInference, 'COST', `${macs} multiply-accumulates per inference`);
  check(macs * sampleRate <= LIMITS.macsPerSecond * hopLength * inferInterval, 'COST', `${Math.round((macs * sampleRate) / (hopLength * inferInterval))} multiply-accumulates per second`);

  // 16-17: the arrays of every layer, then no two regions overlap
  const layerRegions = records.flatMap((r) => [r.weights, r.bias, r.weightScale]);
  for (const r of layerRegions) checkRegion(r, len);
  checkDisjoint([...fixedRegions, ...layerRegions]);

  // 18: normalisation values
  const f32s = (r: Region) => Array.from({ length: r.size / 4 }, (_, k) => f32(r.offset + 4 * k));
  const normMean = f32s(normMeanR);
  const normScale = f32s(normScaleR);
  normMean.forEach((m, k) => check(Math.abs(m) <= LIMITS.normMeanAbs, 'FEATURES', `norm_mean[${k}] ${m}`));
  normScale.forEach((s, k) => check(within(s, LIMITS.normScale), 'FEATURES', `norm_scale[${k}] ${s}`));

  // 19: quantisation values of every layer
  const layers: Layer[] = records.map((r, i) => {
    const last = i === layerCount - 1;
    if (last) check(r.outScale === 0 && r.outZeroPoint === 0, 'QUANT', `last layer: out_scale ${r.outScale} and out_zero_point ${r.outZeroPoint} must be 0 (its output is f32)`);
    else {
      check(within(r.outScale, LIMITS.quantScale), 'QUANT', `layer ${i}: out_scale ${r.outScale}`);
      check(within(r.outZeroPoint, LIMITS.zeroPoint), 'QUANT', `layer ${i}: out_zero_point ${r.outZeroPoint}`);
    }
    const weightScale = f32s(r.weightScale);
    weightScale.forEach((s, k) => check(within(s, LIMITS.quantScale), 'QUANT', `layer ${i}: weight_scale[${k}] ${s}`));
    const bias = Array.from({ length: r.channelsOut }, (_, k) => i32(r.bias.offset + 4 * k));
    bias.forEach((b, k) => check(Math.abs(b) <= LIMITS.biasAbs, 'QUANT', `layer ${i}: bias[${k}] ${b}`));
    const weights = Array.from(new Int8Array(bytes.buffer, bytes.byteOffset + r.weights.offset, r.weights.size));
    return {
      type: r.type, activation: r.activation,
      inSize: r.inSize, outSize: r.outSize, channelsIn: r.channelsIn, channelsOut: r.channelsOut, kernel: r.kernel,
      weights, bias, weightScale, outScale: r.outScale, outZeroPoint: r.outZeroPoint,
    };
  });

  return {
    version: { major: u16(H.modelMajor), minor: u16(H.modelMinor), patch: u16(H.modelPatch) },
    features: {
      sampleRate, frameLength, hopLength, fftSize, window: WINDOWS[windowCode]!, melBands, fminHz, fmaxHz, logFloor,
      mfccCount, contextFrames, inferInterval, normMean, normScale,
    },
    input: { scale: inputScale, zeroPoint: inputZeroPoint },
    classes,
    layers,
    decision,
  };
}

/** SHAPE rules of one layer: how its sizes, channels and kernel relate for its type. */
function checkShape(r: LayerRecord, i: number): void {
  const where = `layer ${i} (${r.type})`;
  if (r.type === 'dense') {
    check(r.channelsIn === r.inSize && r.channelsOut === r.outSize && r.kernel === 1, 'SHAPE', `${where}: channels must equal sizes and kernel 1`);
    return;
  }
  check(r.inSize % r.channelsIn === 0, 'SHAPE', `${where}: in_size ${r.inSize} is not a whole number of ${r.channelsIn}-channel steps`);
  const steps = r.inSize / r.channelsIn;
  if (r.type === 'depthwise_conv1d') {
    check(r.channelsOut === r.channelsIn && r.kernel <= steps && r.outSize === (steps - r.kernel + 1) * r.channelsIn, 'SHAPE',
      `${where}: needs channels_out = channels_in, kernel <= ${steps} steps, out_size = (steps - kernel + 1) * channels`);
    return;
  }
  check(r.kernel === 1 && r.outSize === steps * r.channelsOut, 'SHAPE', `${where}: needs kernel 1 and out_size = ${steps} steps * channels_out`);
}

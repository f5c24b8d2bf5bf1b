// The model blob (docs/model-format.md): round trip, every validation rule with its code, a seeded
// fuzz, and the int8 reference inference against hand-computed values and a float network.
import t, { type Test } from 'tap';
import {
  ClassifierModel, MODEL_ERR, ModelBlobError, crc32, decodeModelBlob, encodeModelBlob, inferModel,
  type Layer, type ModelErrorName,
} from '../../firmware/model-blob.ts';
import { C, CLASS_RECORD_SIZE, H, L, LAYER_RECORD_SIZE } from '../../firmware/model/blob-layout.ts';
import { crc32IsNative, crc32Portable } from '../../firmware/model/crc32.ts';

const f32 = Math.fround;

function seeded(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}
function gaussian(rand: () => number) {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

const CLASSES = ['quiet', 'traffic', 'aircraft', 'train', 'machinery', 'office', 'babble', 'wind', 'siren', 'alarm', 'horn'];
const EMERGENCY = new Set(['siren', 'alarm', 'horn']);
const F = 40;
const CTX = 5;

// ---- a float network and its quantisation (what `anc train` will do, in miniature) ----

interface FloatLayer {
  shape: Pick<Layer, 'type' | 'activation' | 'inSize' | 'outSize' | 'channelsIn' | 'channelsOut' | 'kernel'>;
  w: number[]; // same layout as Layer.weights
  b: number[];
}

/** Real-valued forward pass of one layer, the float twin of the doc's int8 arithmetic. */
function floatLayer({ shape, w, b }: FloatLayer, x: number[]): number[] {
  const { type, inSize, outSize, channelsIn: cin, channelsOut: cout, kernel: k } = shape;
  const y = new Array<number>(outSize).fill(0);
  if (type === 'dense') for (let o = 0; o < outSize; o++) { let s = b[o]!; for (let i = 0; i < inSize; i++) s += w[o * inSize + i]! * x[i]!; y[o] = s; }
  else if (type === 'depthwise_conv1d') {
    for (let t = 0; t < outSize / cin; t++) for (let c = 0; c < cin; c++) { let s = b[c]!; for (let j = 0; j < k; j++) s += w[c * k + j]! * x[(t + j) * cin + c]!; y[t * cin + c] = s; }
  } else for (let t = 0; t < inSize / cin; t++) for (let o = 0; o < cout; o++) { let s = b[o]!; for (let c = 0; c < cin; c++) s += w[o * cin + c]! * x[t * cin + c]!; y[t * cout + o] = s; }
  return shape.activation === 'relu' ? y.map((v) => Math.max(0, v)) : y;
}

function floatForward(net: FloatLayer[], normalised: number[]): number[] {
  let x = normalised;
  for (const layer of net) x = floatLayer(layer, x);
  return net.at(-1)!.shape.activation === 'softmax' ? softmax(x) : x;
}
function softmax(x: number[]): number[] {
  const m = Math.max(...x);
  const e = x.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

function randomNet(rand: () => number, shapes: FloatLayer['shape'][]): FloatLayer[] {
  return shapes.map((shape) => {
    const fanIn = shape.type === 'dense' ? shape.inSize : shape.type === 'depthwise_conv1d' ? shape.kernel : shape.channelsIn;
    const n = shape.type === 'dense' ? shape.inSize * shape.outSize : shape.type === 'depthwise_conv1d' ? shape.channelsIn * shape.kernel : shape.channelsIn * shape.channelsOut;
    return { shape, w: Array.from({ length: n }, () => gaussian(rand) * Math.sqrt(2 / fanIn)), b: Array.from({ length: shape.channelsOut }, () => 0.1 * gaussian(rand)) };
  });
}

/** Log-mel-like frames: a per-band level plus noise. */
function randomFeatures(rand: () => number): number[] {
  return Array.from({ length: F * CTX }, (_, j) => -8 + 4 * Math.sin(j % F) + 2 * gaussian(rand));
}

const range = (v: number[]) => [Math.min(0, ...v), Math.max(0, ...v)] as const;
function asymmetric(values: number[]): { scale: number; zeroPoint: number } {
  const [lo, hi] = range(values);
  const scale = f32(Math.max(hi - lo, 1e-6) / 255);
  return { scale, zeroPoint: Math.max(-128, Math.min(127, Math.round(-128 - lo / scale))) };
}

function quantizeNet(net: FloatLayer[], calibration: number[][]): ClassifierModel {
  const mean = Array.from({ length: F }, (_, k) => f32(calibration.flat().filter((_, j) => j % F === k).reduce((a, b) => a + b, 0) / (calibration.length * CTX)));
  const std = Array.from({ length: F }, (_, k) => Math.sqrt(calibration.flat().filter((_, j) => j % F === k).reduce((a, v) => a + (v - mean[k]!) ** 2, 0) / (calibration.length * CTX)));
  const normScale = std.map((s) => f32(1 / s));
  let acts = calibration.map((x) => x.map((v, j) => (v - mean[j % F]!) * normScale[j % F]!));
  const input = asymmetric(acts.flat());
  let sx = input.scale;
  const layers: Layer[] = net.map((layer, i) => {
    const last = i === net.length - 1;
    const per = layer.shape.channelsOut;
    const rows = layer.w.length / per;
    const weightScale = Array.from({ length: per }, (_, o) => f32(Math.max(1e-8, ...layer.w.slice(o * rows, (o + 1) * rows).map(Math.abs)) / 127));
    const weights = layer.w.map((w, n) => Math.max(-127, Math.min(127, Math.round(w / weightScale[Math.floor(n / rows)]!))));
    const bias = layer.b.map((b, o) => Math.round(b / (sx * weightScale[o]!)));
    acts = acts.map((x) => floatLayer(layer, x));
    const out = last ? { scale: 0, zeroPoint: 0 } : asymmetric(acts.flat());
    sx = out.scale;
    return { ...layer.shape, weights, bias, weightScale, outScale: out.scale, outZeroPoint: out.zeroPoint };
  });
  return {
    version: { major: 1, minor: 2, patch: 3 },
    features: {
      sampleRate: 16000, frameLength: 400, hopLength: 160, fftSize: 512, window: 'hann', melBands: F, fminHz: 50, fmaxHz: 8000,
      logFloor: f32(1e-10), mfccCount: 0, contextFrames: CTX, inferInterval: 5, normMean: mean, normScale,
    },
    input,
    classes: CLASSES.map((label) => ({ label, emergency: EMERGENCY.has(label), threshold: EMERGENCY.has(label) ? 0.75 : 0.5 })),
    layers,
    decision: { smoothingMs: 500, emergencyMinMs: 100, emergencyHoldMs: 2000, emergencyFadeMs: 20 },
  };
}

const dense = (inSize: number, outSize: number, activation: Layer['activation']): FloatLayer['shape'] =>
  ({ type: 'dense', activation, inSize, outSize, channelsIn: inSize, channelsOut: outSize, kernel: 1 });
const DENSE_NET = [dense(F * CTX, 64, 'relu'), dense(64, CLASSES.length, 'softmax')];
const CONV_NET: FloatLayer['shape'][] = [
  { type: 'depthwise_conv1d', activation: 'relu', inSize: F * CTX, outSize: F * 3, channelsIn: F, channelsOut: F, kernel: 3 },
  { type: 'pointwise_conv1d', activation: 'relu', inSize: F * 3, outSize: 16 * 3, channelsIn: F, channelsOut: 16, kernel: 1 },
  dense(48, CLASSES.length, 'softmax'),
];

function build(shapes: FloatLayer['shape'][], seed: number) {
  const rand = seeded(seed);
  const net = randomNet(rand, shapes);
  const calibration = Array.from({ length: 200 }, () => randomFeatures(rand));
  return { net, model: quantizeNet(net, calibration), rand };
}

const realistic = build(DENSE_NET, 1);
const BLOB = encodeModelBlob(realistic.model);

// ---- helpers for hostile blobs ----

const layout = new DataView(BLOB.buffer, BLOB.byteOffset);
const classAt = (i: number) => layout.getUint32(H.classTableOffset, true) + i * CLASS_RECORD_SIZE;
const layerAt = (i: number) => layout.getUint32(H.layerTableOffset, true) + i * LAYER_RECORD_SIZE;
const layerU32 = (i: number, field: number) => layout.getUint32(layerAt(i) + field, true);

function reseal(bytes: Uint8Array): Uint8Array {
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(bytes.length - 4, crc32(bytes.subarray(0, bytes.length - 4)), true);
  return bytes;
}
/** A copy of the realistic blob with `edit` applied and a fresh CRC, so only the edited rule fails. */
function edited(edit: (dv: DataView, bytes: Uint8Array) => void): Uint8Array {
  const bytes = BLOB.slice();
  edit(new DataView(bytes.buffer), bytes);
  return reseal(bytes);
}
function refused(t: Test, bytes: Uint8Array, name: ModelErrorName, what: string) {
  t.throws(() => decodeModelBlob(bytes), { name: 'ModelBlobError', code: MODEL_ERR[name] }, `${what}: ANC_ERR_MODEL_${name}`);
}
function withModel(edit: (m: ClassifierModel) => void): Uint8Array {
  const m = structuredClone(realistic.model);
  edit(m);
  return encodeModelBlob(m, { validate: false });
}

// ---- round trip ----

t.test('a realistic model round-trips and fits in 64 KiB', async (t) => {
  t.ok(BLOB.length <= 65536, `${BLOB.length} bytes`);
  t.equal(BLOB.length % 4, 0);
  const back = decodeModelBlob(BLOB);
  t.same(back, realistic.model, 'decode(encode(m)) = m');
  t.same(encodeModelBlob(back), BLOB, 'encode(decode(b)) = b');
  t.same(back.classes.filter((c) => c.emergency).map((c) => c.label), ['siren', 'alarm', 'horn']);
  const conv = build(CONV_NET, 2).model;
  t.same(decodeModelBlob(encodeModelBlob(conv)), conv, 'depthwise-separable model too');
});

t.test('CRC-32 is IEEE 802.3, native where Node has it', async (t) => {
  t.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  t.equal(crc32Portable(new TextEncoder().encode('123456789')), 0xcbf43926);
  t.equal(crc32IsNative, true, 'Node 20.20 has zlib.crc32');
  t.equal(crc32Portable(BLOB), crc32(BLOB));
});

t.test('the encoder refuses what it cannot write', async (t) => {
  t.throws(() => encodeModelBlob({ ...realistic.model, version: { major: -1, minor: 0, patch: 0 } }), TypeError, 'not a model');
  t.throws(() => withModel((m) => { m.layers[0]!.weights.pop(); }), { code: MODEL_ERR.SHAPE }, 'weight count');
  t.throws(() => withModel((m) => { m.layers[1]!.bias.push(0); }), { code: MODEL_ERR.SHAPE }, 'bias count');
  t.throws(() => withModel((m) => { m.features.normMean.pop(); }), { code: MODEL_ERR.FEATURES }, 'normalisation count');
  t.throws(() => withModel((m) => { m.classes[0]!.label = 'x'.repeat(33); }), { code: MODEL_ERR.LABEL }, 'label too long');
  t.throws(() => encodeModelBlob({ ...realistic.model, decision: { ...realistic.model.decision, emergencyFadeMs: 0 } }), { code: MODEL_ERR.DECISION }, 'validates its output');
});

// ---- every rule ----

t.test('envelope: length, magic, version, CRC', async (t) => {
  refused(t, new Uint8Array(0), 'LENGTH', 'empty');
  refused(t, BLOB.subarray(0, 99), 'LENGTH', 'shorter than header + CRC');
  refused(t, reseal(new Uint8Array(65540)), 'LENGTH', 'over 64 KiB');
  refused(t, reseal(Uint8Array.from([...BLOB, 0, 0, 0, 0])), 'LENGTH', 'total_length differs from the bytes given');
  refused(t, edited((dv) => dv.setUint32(H.totalLength, BLOB.length + 4, true)), 'LENGTH', 'total_length field wrong');
  const odd = reseal(Uint8Array.from([...BLOB, 0, 0]));
  new DataView(odd.buffer).setUint32(H.totalLength, odd.length, true);
  refused(t, reseal(odd), 'LENGTH', 'length not a multiple of 4');
  refused(t, edited((dv) => dv.setUint8(0, 0x42)), 'MAGIC', 'bad magic');
  refused(t, edited((dv) => dv.setUint16(H.formatVersion, 2, true)), 'VERSION', 'future version');
  refused(t, edited((dv) => dv.setUint16(H.formatVersion, 0, true)), 'VERSION', 'version 0');
  const flipped = BLOB.slice();
  flipped[500]! ^= 0x10;
  refused(t, flipped, 'CRC', 'a flipped weight bit');
  const badCrc = BLOB.slice();
  badCrc[badCrc.length - 1]! ^= 1;
  refused(t, badCrc, 'CRC', 'a flipped CRC bit');
  const both = BLOB.slice();
  both[0] = 0;
  refused(t, both, 'MAGIC', 'first failing rule wins (magic before CRC)');
});

t.test('reserved fields must be zero', async (t) => {
  refused(t, edited((dv) => dv.setUint16(H.flags, 1, true)), 'RESERVED', 'header flags');
  refused(t, edited((dv) => dv.setUint16(H.reserved0, 1, true)), 'RESERVED', 'header reserved0');
  refused(t, edited((dv) => dv.setUint32(H.reserved1, 1, true)), 'RESERVED', 'header reserved1');
  refused(t, edited((dv) => dv.setUint8(classAt(0) + C.flags, 2)), 'RESERVED', 'unknown class flag');
  refused(t, edited((dv) => dv.setUint16(classAt(0) + C.reserved, 1, true)), 'RESERVED', 'class reserved');
  for (const f of [L.reserved0, L.reserved1, L.reserved2]) refused(t, edited((dv) => dv.setUint8(layerAt(1) + f, 1)), 'RESERVED', `layer reserved @${f}`);
});

t.test('feature settings out of range', async (t) => {
  const cases: [string, (dv: DataView) => void][] = [
    ['sample rate 7999', (dv) => dv.setUint32(H.sampleRate, 7999, true)],
    ['sample rate 48001', (dv) => dv.setUint32(H.sampleRate, 48001, true)],
    ['frame length 15', (dv) => dv.setUint16(H.frameLength, 15, true)],
    ['hop 0', (dv) => dv.setUint16(H.hopLength, 0, true)],
    ['hop > frame', (dv) => dv.setUint16(H.hopLength, 401, true)],
    ['fft not a power of two', (dv) => dv.setUint16(H.fftSize, 500, true)],
    ['fft shorter than the frame', (dv) => dv.setUint16(H.fftSize, 256, true)],
    ['fft 4096', (dv) => dv.setUint16(H.fftSize, 4096, true)],
    ['fft 2048 (above the firmware FFT_MAX of 1024)', (dv) => dv.setUint16(H.fftSize, 2048, true)],
    ['window 3', (dv) => dv.setUint8(H.window, 3)],
    ['mel bands 0', (dv) => dv.setUint8(H.melBands, 0)],
    ['mel bands 129', (dv) => dv.setUint8(H.melBands, 129)],
    ['mel bands > fft / 2', (dv) => { dv.setUint16(H.fftSize, 64, true); dv.setUint16(H.frameLength, 64, true); dv.setUint16(H.hopLength, 32, true); }],
    ['fmin < 0', (dv) => dv.setFloat32(H.fminHz, -1, true)],
    ['fmin NaN', (dv) => dv.setFloat32(H.fminHz, NaN, true)],
    ['fmin = fmax', (dv) => dv.setFloat32(H.fminHz, 8000, true)],
    ['fmax above Nyquist', (dv) => dv.setFloat32(H.fmaxHz, 8001, true)],
    ['fmax Infinity', (dv) => dv.setFloat32(H.fmaxHz, Infinity, true)],
    ['log floor 0', (dv) => dv.setFloat32(H.logFloor, 0, true)],
    ['log floor NaN', (dv) => dv.setFloat32(H.logFloor, NaN, true)],
    ['log floor 2', (dv) => dv.setFloat32(H.logFloor, 2, true)],
    ['mfcc > mel bands', (dv) => dv.setUint8(H.mfccCount, F + 1)],
    ['context 0', (dv) => dv.setUint8(H.contextFrames, 0)],
    ['context 65', (dv) => dv.setUint8(H.contextFrames, 65)],
    ['infer interval 0', (dv) => dv.setUint16(H.inferInterval, 0, true)],
    ['infer interval 1025', (dv) => dv.setUint16(H.inferInterval, 1025, true)],
    ['norm mean NaN', (dv) => dv.setFloat32(dv.getUint32(H.normMeanOffset, true) + 8, NaN, true)],
    ['norm mean 2e6', (dv) => dv.setFloat32(dv.getUint32(H.normMeanOffset, true), 2e6, true)],
    ['norm scale 0', (dv) => dv.setFloat32(dv.getUint32(H.normScaleOffset, true), 0, true)],
    ['norm scale negative', (dv) => dv.setFloat32(dv.getUint32(H.normScaleOffset, true) + 4, -1, true)],
    ['norm scale Infinity', (dv) => dv.setFloat32(dv.getUint32(H.normScaleOffset, true) + 4, Infinity, true)],
  ];
  for (const [what, edit] of cases) refused(t, edited(edit), 'FEATURES', what);
});

t.test('counts, decision settings and thresholds out of range', async (t) => {
  refused(t, edited((dv) => dv.setUint16(H.classCount, 1, true)), 'COUNT', 'one class');
  refused(t, edited((dv) => dv.setUint16(H.classCount, 33, true)), 'COUNT', '33 classes');
  refused(t, edited((dv) => dv.setUint16(H.layerCount, 0, true)), 'COUNT', 'no layer');
  refused(t, edited((dv) => dv.setUint16(H.layerCount, 9, true)), 'COUNT', '9 layers');
  refused(t, edited((dv) => dv.setUint32(H.smoothingMs, 60001, true)), 'DECISION', 'smoothing');
  refused(t, edited((dv) => dv.setUint32(H.emergencyMinMs, 2001, true)), 'DECISION', 'emergency min duration');
  refused(t, edited((dv) => dv.setUint32(H.emergencyHoldMs, 60001, true)), 'DECISION', 'emergency hold');
  refused(t, edited((dv) => dv.setUint32(H.emergencyFadeMs, 0, true)), 'DECISION', 'fade 0');
  refused(t, edited((dv) => dv.setUint32(H.emergencyFadeMs, 1001, true)), 'DECISION', 'fade 1001');
  for (const v of [NaN, -0.1, 1.5, Infinity]) refused(t, edited((dv) => dv.setFloat32(classAt(9) + C.threshold, v, true)), 'DECISION', `threshold ${v}`);
});

t.test('offsets outside the blob, misaligned or overlapping', async (t) => {
  const len = BLOB.length;
  refused(t, edited((dv) => dv.setUint32(H.classTableOffset, 0, true)), 'OFFSET', 'class table inside the header');
  refused(t, edited((dv) => dv.setUint32(H.layerTableOffset, len, true)), 'OFFSET', 'layer table at the end');
  refused(t, edited((dv) => dv.setUint32(H.normMeanOffset, 0xfffffff0, true)), 'OFFSET', 'offset that would wrap a u32 sum');
  refused(t, edited((dv) => dv.setUint32(layerAt(0) + L.weightsOffset, len - 16, true)), 'OFFSET', 'weights running into the CRC');
  refused(t, edited((dv) => dv.setUint32(layerAt(1) + L.biasOffset, len, true)), 'OFFSET', 'bias past the end');
  refused(t, edited((dv) => dv.setUint32(H.classTableOffset, dv.getUint32(H.classTableOffset, true) + 4, true)), 'ALIGN', 'class table + 4');
  refused(t, edited((dv) => dv.setUint32(layerAt(0) + L.weightsOffset, layerU32(0, L.weightsOffset) + 1, true)), 'ALIGN', 'weights + 1');
  refused(t, edited((dv) => dv.setUint32(layerAt(0) + L.weightScaleOffset, layerU32(0, L.weightScaleOffset) + 8, true)), 'ALIGN', 'weight scales + 8');
  refused(t, edited((dv) => dv.setUint32(H.layerTableOffset, dv.getUint32(H.classTableOffset, true), true)), 'OVERLAP', 'layer table on the class table');
  refused(t, edited((dv) => dv.setUint32(H.normScaleOffset, dv.getUint32(H.normMeanOffset, true), true)), 'OVERLAP', 'norm scale on norm mean');
  refused(t, edited((dv) => dv.setUint32(layerAt(1) + L.weightsOffset, layerU32(0, L.weightsOffset), true)), 'OVERLAP', 'two layers share weights');
  refused(t, edited((dv) => dv.setUint32(layerAt(0) + L.biasOffset, layerU32(0, L.weightsOffset) + 16, true)), 'OVERLAP', 'bias inside the weights');
});

t.test('labels: length, the pattern ^[a-z][a-z0-9_-]{0,31}$, padding, duplicates', async (t) => {
  const label = (bytes: number[]) => edited((dv, b) => {
    b.fill(0, classAt(3) + C.label, classAt(3) + C.label + 32);
    b.set(bytes, classAt(3) + C.label);
    dv.setUint8(classAt(3) + C.labelLength, bytes.length);
  });
  const ascii = (s: string) => [...new TextEncoder().encode(s)];
  for (const ok of ['a', 'train_2', 'hvac-office', 'x'.repeat(32)]) t.doesNotThrow(() => decodeModelBlob(label(ascii(ok))), `"${ok}" is fine`);
  refused(t, label([]), 'LABEL', 'empty');
  refused(t, edited((dv) => dv.setUint8(classAt(3) + C.labelLength, 33)), 'LABEL', '33 bytes');
  refused(t, edited((dv) => dv.setUint8(classAt(3) + C.label + 30, 0x61)), 'LABEL', 'non-zero padding');
  const bad: [string, number[]][] = [
    ['upper case', ascii('Siren')], ['leading digit', ascii('2tone')], ['leading dash', ascii('-a')], ['leading underscore', ascii('_a')],
    ['space', ascii('a b')], ['dot', ascii('a.b')], ['UTF-8', ascii('sirène')], ['emoji', ascii('a🚨')],
    ['newline', [0x61, 0x0a]], ['NUL', [0x61, 0x00, 0x62]], ['DEL', [0x7f]], ['0xFF', [0x61, 0xff]],
  ];
  for (const [what, bytes] of bad) refused(t, label(bytes), 'LABEL', what);
  refused(t, label(ascii('quiet')), 'LABEL', 'duplicate');
});

t.test('layers: type, activation, sizes', async (t) => {
  const u8 = (i: number, f: number, v: number) => edited((dv) => dv.setUint8(layerAt(i) + f, v));
  const u16 = (i: number, f: number, v: number) => edited((dv) => dv.setUint16(layerAt(i) + f, v, true));
  refused(t, u8(0, L.type, 0), 'LAYER', 'type 0');
  refused(t, u8(0, L.type, 4), 'LAYER', 'type 4');
  refused(t, u8(0, L.activation, 3), 'LAYER', 'activation 3');
  refused(t, u8(0, L.activation, 2), 'LAYER', 'softmax before the last layer');
  refused(t, u8(1, L.activation, 1), 'LAYER', 'relu on the last layer');
  refused(t, u16(0, L.inSize, 0), 'LAYER', 'in_size 0');
  refused(t, u16(0, L.outSize, 2049), 'LAYER', 'out_size 2049');
  refused(t, u16(1, L.channelsOut, 0), 'LAYER', 'channels 0');
  refused(t, u16(0, L.kernel, 0), 'LAYER', 'kernel 0');
  refused(t, u16(0, L.kernel, 33), 'LAYER', 'kernel 33');
});

t.test('sizes that do not chain', async (t) => {
  const dense = (i: number, inSize: number, outSize: number) => edited((dv) => {
    for (const [f, v] of [[L.inSize, inSize], [L.outSize, outSize], [L.channelsIn, inSize], [L.channelsOut, outSize]] as const) dv.setUint16(layerAt(i) + f, v, true);
  });
  refused(t, edited((dv) => dv.setUint16(layerAt(0) + L.channelsIn, 100, true)), 'SHAPE', 'dense channels_in differs from in_size');
  refused(t, edited((dv) => dv.setUint16(layerAt(0) + L.kernel, 2, true)), 'SHAPE', 'dense kernel 2');
  refused(t, dense(0, 199, 64), 'SHAPE', 'first layer does not take 40 x 5 features');
  refused(t, dense(0, 200, 63), 'SHAPE', 'layer 0 out differs from layer 1 in');
  refused(t, dense(1, 64, 10), 'SHAPE', 'last layer out differs from class count');
  refused(t, edited((dv) => dv.setUint8(H.contextFrames, 4)), 'SHAPE', 'context frames change the input size');
  const conv = encodeModelBlob(build(CONV_NET, 2).model);
  const cdv = new DataView(conv.buffer);
  const convLayer = (i: number) => cdv.getUint32(H.layerTableOffset, true) + i * LAYER_RECORD_SIZE;
  const convEdit = (i: number, f: number, v: number) => { const b = conv.slice(); new DataView(b.buffer).setUint16(convLayer(i) + f, v, true); return reseal(b); };
  refused(t, convEdit(0, L.channelsOut, 39), 'SHAPE', 'depthwise channels_out differs from channels_in');
  refused(t, convEdit(0, L.channelsIn, 33), 'SHAPE', 'in_size not whole steps');
  refused(t, convEdit(0, L.kernel, 6), 'SHAPE', 'kernel longer than the steps');
  refused(t, convEdit(0, L.kernel, 2), 'SHAPE', 'depthwise out_size does not follow from the kernel');
  refused(t, convEdit(1, L.kernel, 2), 'SHAPE', 'pointwise kernel 2');
  refused(t, convEdit(1, L.channelsOut, 15), 'SHAPE', 'pointwise out_size does not follow');
});

t.test('cost bounds', async (t) => {
  refused(t, edited((dv) => { dv.setUint16(H.hopLength, 1, true); dv.setUint16(H.inferInterval, 1, true); }), 'COST', 'inference every sample');
  const big = withModel((m) => {
    m.features.melBands = 128;
    m.features.contextFrames = 16;
    m.features.normMean = Array(128).fill(0);
    m.features.normScale = Array(128).fill(1);
    const pw = { type: 'pointwise_conv1d', activation: 'relu', inSize: 2048, outSize: 2048, channelsIn: 128, channelsOut: 128, kernel: 1,
      weights: Array(128 * 128).fill(1), bias: Array(128).fill(0), weightScale: Array(128).fill(0.01), outScale: 0.1, outZeroPoint: 0 } as const;
    const out = { ...m.layers[1]!, inSize: 2048, channelsIn: 2048, weights: Array(2048 * 11).fill(1) };
    m.layers = [{ ...pw, weights: [...pw.weights], bias: [...pw.bias], weightScale: [...pw.weightScale] }, out];
  });
  t.ok(big.length <= 65536);
  refused(t, big, 'COST', '262144 + 22528 multiply-accumulates per inference');
});

t.test('quantisation parameters', async (t) => {
  const f = (at: () => number, v: number) => edited((dv) => dv.setFloat32(at(), v, true));
  const i = (at: () => number, v: number) => edited((dv) => dv.setInt32(at(), v, true));
  for (const v of [NaN, 0, -0.5, 1e10, Infinity]) {
    refused(t, f(() => H.inputScale, v), 'QUANT', `input scale ${v}`);
    refused(t, f(() => layerAt(0) + L.outScale, v), 'QUANT', `hidden out scale ${v}`);
    refused(t, f(() => layerU32(1, L.weightScaleOffset) + 4 * 10, v), 'QUANT', `weight scale ${v}`);
  }
  refused(t, i(() => H.inputZeroPoint, 128), 'QUANT', 'input zero point 128');
  refused(t, i(() => H.inputZeroPoint, -129), 'QUANT', 'input zero point -129');
  refused(t, i(() => layerAt(0) + L.outZeroPoint, 200), 'QUANT', 'hidden zero point 200');
  refused(t, f(() => layerAt(1) + L.outScale, 1), 'QUANT', 'last layer out scale set');
  refused(t, i(() => layerAt(1) + L.outZeroPoint, 3), 'QUANT', 'last layer zero point set');
  refused(t, i(() => layerU32(0, L.biasOffset), 2 ** 30 + 1), 'QUANT', 'bias above 2^30');
  refused(t, i(() => layerU32(0, L.biasOffset) + 4, -(2 ** 31)), 'QUANT', 'bias -2^31');
});

// ---- fuzz ----

t.test('seeded fuzz: only ModelBlobError, never another exception, never a hang', async (t) => {
  const rand = seeded(20251123);
  const conv = encodeModelBlob(build(CONV_NET, 2).model);
  let accepted = 0;
  let refusedCount = 0;
  const codes = new Set<number>();
  const attempt = (bytes: Uint8Array, what: string) => {
    const start = performance.now();
    try {
      const m = decodeModelBlob(bytes);
      accepted++;
      const features = Array.from({ length: m.features.normMean.length * m.features.contextFrames }, () => gaussian(rand) * 10);
      const r = inferModel(m, features);
      if (!r.logits.every(Number.isFinite)) t.fail(`${what}: accepted blob gave non-finite logits`);
    } catch (e) {
      if (!(e instanceof ModelBlobError)) { t.fail(`${what}: ${String(e)}`); return; }
      refusedCount++;
      codes.add(e.code);
    }
    if (performance.now() - start > 500) t.fail(`${what}: took ${performance.now() - start} ms`);
  };
  for (const base of [BLOB, conv]) {
    for (let n = 0; n < base.length; n += 1 + Math.floor(rand() * 97)) attempt(base.subarray(0, n), `truncated to ${n}`);
    for (let k = 0; k < 3000; k++) {
      const b = base.slice();
      const flips = 1 + Math.floor(rand() * 8);
      // bias the flips towards the header and tables, where the structure is
      for (let j = 0; j < flips; j++) { const at = Math.floor(rand() < 0.7 ? rand() * 600 : rand() * b.length); b[at]! ^= 1 << Math.floor(rand() * 8); }
      attempt(b, `bit flips ${k}`);
      attempt(reseal(b), `bit flips ${k}, resealed`);
    }
  }
  for (let k = 0; k < 2000; k++) {
    const b = Uint8Array.from({ length: Math.floor(rand() * 2048) }, () => Math.floor(rand() * 256));
    attempt(b, `random ${k}`);
    if (b.length >= 100) {
      // random bytes that pass the envelope, to reach the structural rules
      const dv = new DataView(b.buffer);
      const len = b.length - (b.length % 4);
      const c = b.subarray(0, len);
      dv.setUint32(H.magic, 0x4d434e41, true);
      dv.setUint16(H.formatVersion, 1, true);
      dv.setUint32(H.totalLength, len, true);
      attempt(reseal(c), `random enveloped ${k}`);
    }
  }
  t.ok(refusedCount > 10000, `${refusedCount} refused, ${accepted} accepted`);
  t.ok(codes.size >= 10, `codes seen: ${[...codes].sort((a, b) => b - a).join(' ')}`);
});

// ---- inference ----

t.test('int8 arithmetic, computed by hand: rounding half to even, saturation, ReLU floor, NaN input', async (t) => {
  const tiny: ClassifierModel = {
    ...structuredClone(realistic.model),
    features: { ...realistic.model.features, melBands: 2, contextFrames: 1, normMean: [0, 0], normScale: [1, 1] },
    input: { scale: 0.5, zeroPoint: 1 },
    classes: [{ label: 'a', emergency: false, threshold: 0.5 }, { label: 'b', emergency: true, threshold: 0.5 }],
    layers: [
      { ...dense(2, 2, 'relu'), weights: [3, 1, -1, -4], bias: [1, 8], weightScale: [0.5, 0.25], outScale: 0.5, outZeroPoint: -5 },
      { ...dense(2, 2, 'none'), weights: [127, -128, 10, 20], bias: [0, 100], weightScale: [0.25, 1], outScale: 0, outZeroPoint: 0 },
    ],
  };
  const model = decodeModelBlob(encodeModelBlob(tiny));
  // x = [1.25, -0.75]: /0.5 = [2.5, -1.5] -> half-even [2, -2] -> +1 = [3, -1]; x - z = [2, -2]
  // acc = [1 + 6 - 2, 8 - 2 + 8] = [5, 14]; m = [0.25/0.5, 0.125/0.5]; v = [2.5, 3.5] -> [2, 4] -> -5 = [-3, -1]
  // y - z = [2, 4]; acc = [254 - 512, 100 + 20 + 80]; logits = [-258 * 0.125, 200 * 0.5]
  t.same([...inferModel(model, [1.25, -0.75]).logits], [-32.25, 100]);
  // x = 1000 -> 127 (saturated), x - z = 126; acc = [505, -622]; v = [252.5, -155.5] -> [252, -156] -> [127 (sat), -5 (ReLU floor)]
  // y - z = [132, 0]; logits = [127 * 132 * 0.125, (100 + 1320) * 0.5]
  t.same([...inferModel(model, [1000, 1000]).logits], [2095.5, 710]);
  // x = -1000 -> -128; x - z = -129; acc = [-515, 653]; v = [-257.5, 163.25] -> [-5 (ReLU), 127 (sat)]
  t.same([...inferModel(model, [-1000, -1000]).logits], [-128 * 132 * 0.125, (100 + 20 * 132) * 0.5]);
  // NaN -> the input zero point (a zero feature); acc = bias = [1, 8]; v = [0.5, 2] -> [0, 2] -> [-5, -3]; y - z = [0, 2]
  const nan = inferModel(model, [NaN, NaN]);
  t.same([...nan.logits], [-256 * 0.125, 140 * 0.5]);
  t.equal(nan.class, 1);
  // Infinity saturates like 1000
  t.same([...inferModel(model, [Infinity, Infinity]).logits], [2095.5, 710]);
  t.throws(() => inferModel(model, [1]), RangeError, 'wrong feature count');
});

for (const [name, shapes, seed] of [['dense 200-64-11', DENSE_NET, 1], ['depthwise-separable', CONV_NET, 2]] as const) {
  t.test(`${name}: int8 inference against the float network`, async (t) => {
    const { net, model, rand } = build([...shapes], seed);
    let worst = 0;
    let agree = 0;
    const N = 300;
    for (let k = 0; k < N; k++) {
      const x = randomFeatures(rand);
      const normalised = x.map((v, j) => (v - model.features.normMean[j % F]!) * model.features.normScale[j % F]!);
      const ref = floatForward(net, normalised);
      const q = inferModel(model, x);
      worst = Math.max(worst, ...ref.map((p, o) => Math.abs(p - q.scores[o]!)));
      if (ref.indexOf(Math.max(...ref)) === q.class) agree++;
      const sum = q.scores.reduce((a, b) => a + b, 0);
      if (Math.abs(sum - 1) > 1e-5) t.fail(`scores sum to ${sum}`);
    }
    t.ok(worst <= 0.05, `max |p_int8 - p_float| = ${worst.toFixed(4)} <= 0.05`);
    t.ok(agree / N >= 0.95, `same class on ${agree}/${N}`);
  });
}

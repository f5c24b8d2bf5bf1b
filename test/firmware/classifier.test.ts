// The classifier in the firmware (ABI 1.1): loading a blob into the inactive slot, status fields,
// int8 inference bit-exact against inferModel, refused blobs (fuzzed) with the old model still
// classifying, a glitch-free swap, and the cost of a block with the front end running.
import t from 'tap';
import { performance } from 'node:perf_hooks';
import { loadFirmware, type Firmware } from '../../firmware/loader.ts';
import { MODEL_ERR, ModelBlobError, decodeModelBlob, encodeModelBlob, inferModel, type ClassifierModel } from '../../firmware/model-blob.ts';
import { H } from '../../firmware/model/blob-layout.ts';
import { crc32 } from '../../firmware/model/crc32.ts';
import { noisySignal, seeded, testModel } from './classifier-fixtures.ts';

const RATE = 48000;
const SIGNAL = noisySignal(RATE * 2, RATE);
const versionWord = (m: ClassifierModel) => (m.version.major << 16) | (m.version.minor << 8) | m.version.patch;

/** Feeds `signal` in blocks; calls `after` after every block. */
function run(fw: Firmware, signal: Float32Array, block: number, after: (i: number) => void = () => {}): Float32Array {
  const out = new Float32Array(signal.length);
  const err = new Float32Array(block);
  for (let i = 0; i + block <= signal.length; i += block) {
    fw.ref.set(signal.subarray(i, i + block));
    for (let k = 0; k < block; k++) err[k] = 0.5 * signal[i + k]!;
    fw.err.set(err);
    fw.processFrames(block);
    out.set(fw.out.subarray(0, block), i);
    after(i);
  }
  return out;
}

t.test('no model: status shows none; a valid blob loads and classifies', async (t) => {
  const fw = loadFirmware().init(RATE);
  const s0 = fw.status();
  t.equal(s0.abiVersion, 0x10002, 'ABI 1.2 (1.1 plus the emergency detector)');
  t.same([s0.noiseClass, s0.modelVersion, s0.featureFrames, s0.modelError, s0.emergencyState, s0.emergencyEvents], [-1, 0, 0, 0, 0, 0]);
  const model = testModel('dense', 1);
  fw.loadModel(encodeModelBlob(model));
  t.equal(fw.status().modelVersion, versionWord(model), 'model_version = 1.2.3');
  t.equal(fw.status().noiseClass, -1, 'no class before enough frames');
  run(fw, SIGNAL.subarray(0, RATE / 2), 64);
  const s = fw.status();
  t.ok(s.featureFrames >= 45, `${s.featureFrames} feature frames in 0.5 s`);
  t.ok(s.noiseClass >= 0 && s.noiseClass < 11, `class ${s.noiseClass}`);
  t.ok(s.confidence > 0 && s.confidence <= 1, `confidence ${s.confidence}`);
  fw.reset();
  t.equal(fw.status().modelVersion, versionWord(model), 'anc_reset keeps the model');
  fw.init(RATE);
  t.same([fw.status().noiseClass, fw.status().modelVersion], [-1, 0], 'anc_init forgets it');
  t.equal(fw.tryLoadModel(encodeModelBlob(testModel('dense', 1, { sampleRate: 44100 }))), MODEL_ERR.INCOMPATIBLE, '44.1 kHz does not divide 48 kHz');
  t.equal(fw.status().modelError, MODEL_ERR.INCOMPATIBLE, 'model_error records it');
  t.equal(loadFirmware().tryLoadModel(encodeModelBlob(model)), -1, 'before anc_init: ANC_ERR_NOT_INITIALIZED');
});

for (const kind of ['dense', 'conv'] as const) {
  for (const variant of ['scalar', 'simd'] as const) {
    t.test(`${kind} network (${variant}): logits bit-exact with inferModel, softmax within 1e-6`, async (t) => {
      const model = testModel(kind, 11);
      const decoded = decodeModelBlob(encodeModelBlob(model));
      const fw = loadFirmware({ variant }).init(RATE);
      fw.loadModel(encodeModelBlob(model));
      const { contextFrames: ctx, inferInterval } = model.features;
      const history: Float32Array[] = [];
      let inferences = 0;
      let mismatches = 0;
      let worstScore = 0;
      const classes = new Set<number>();
      // 480 ANC samples per hop: blocks of 240 complete at most one frame each
      run(fw, SIGNAL, 240, () => {
        const n = fw.status().featureFrames;
        if (n === history.length) return;
        history.push(fw.features());
        if (n < ctx || (n - ctx) % inferInterval !== 0) return;
        const want = inferModel(decoded, history.slice(-ctx).flatMap((f) => [...f]));
        const got = fw.scores();
        inferences++;
        for (let o = 0; o < want.logits.length; o++) {
          if (!Object.is(got.logits[o], want.logits[o])) mismatches++;
          worstScore = Math.max(worstScore, Math.abs(got.scores[o]! - want.scores[o]!));
        }
        classes.add(want.class);
      });
      t.ok(inferences > 50, `${inferences} inferences compared`);
      t.equal(mismatches, 0, 'every logit bit for bit');
      t.ok(worstScore <= 1e-6, `softmax within ${worstScore.toExponential(2)}`);
      if (kind === 'conv') t.ok(classes.size >= 2, `the signal moves the decision (${classes.size} classes)`);
    });
  }
}

/** The code decodeModelBlob gives (0 if it accepts), and what the firmware must return for it. */
function expectedCode(bytes: Uint8Array): number {
  try {
    const m = decodeModelBlob(bytes);
    return RATE % m.features.sampleRate === 0 ? 0 : MODEL_ERR.INCOMPATIBLE;
  } catch (e) {
    if (e instanceof ModelBlobError) return e.code;
    throw e;
  }
}
function reseal(b: Uint8Array): Uint8Array {
  const c = b.slice();
  if (c.length >= 8) new DataView(c.buffer).setUint32(c.length - 4 - (c.length % 4), 0); // keep the shape
  if (c.length >= 100 && c.length % 4 === 0) new DataView(c.buffer).setUint32(c.length - 4, crc32(c.subarray(0, c.length - 4)), true);
  return c;
}

t.test('corrupted, truncated and hostile blobs: the doc\'s codes, and the old model keeps classifying', async (t) => {
  const good = testModel('conv', 5);
  const blobs = [encodeModelBlob(good), encodeModelBlob(testModel('dense', 6))];
  const rand = seeded(99);
  const hostile: [string, Uint8Array][] = [];
  for (let i = 0; i < 300; i++) {
    const base = blobs[i % 2]!;
    const kind = i % 5;
    let b: Uint8Array = base.slice();
    if (kind === 0) { // bit flips, CRC left wrong: -35 unless the envelope breaks first
      for (let k = 0; k < 1 + (i % 4); k++) b[Math.floor(rand() * b.length)]! ^= 1 << Math.floor(rand() * 8);
    } else if (kind === 1) { // bit flips in the header or tables with a valid CRC: the structural rules
      for (let k = 0; k < 1 + (i % 3); k++) b[Math.floor(rand() * 512)]! ^= 1 << Math.floor(rand() * 8);
      b = reseal(b);
    } else if (kind === 2) { // truncation (length given and total_length as sent)
      b = b.subarray(0, Math.floor(rand() * b.length)).slice();
      if (i % 2 && b.length >= 100) { new DataView(b.buffer).setUint32(H.totalLength, b.length, true); b = reseal(b); }
    } else if (kind === 3) { // random bytes behind a valid magic, version and length
      b = Uint8Array.from({ length: 4 * Math.floor(25 + rand() * 2000) }, () => Math.floor(rand() * 256));
      const dv = new DataView(b.buffer);
      dv.setUint32(H.magic, 0x4d434e41, true);
      dv.setUint16(H.formatVersion, 1, true);
      dv.setUint32(H.totalLength, b.length, true);
      b = reseal(b);
    } else { // one header field set to a random 32-bit value, resealed
      const off = 4 * Math.floor(rand() * 24);
      new DataView(b.buffer).setUint32(off, Math.floor(rand() * 2 ** 32), true);
      b = reseal(b);
    }
    hostile.push([`#${i} kind ${kind}`, b]);
  }
  hostile.push(['65540 bytes', new Uint8Array(65540)], ['empty', new Uint8Array(0)]);

  // fw gets every blob; twin gets only the ones that are valid, so both must classify alike
  const fw = loadFirmware().init(RATE);
  const twin = loadFirmware().init(RATE);
  fw.loadModel(blobs[0]!);
  twin.loadModel(blobs[0]!);
  let refused = 0;
  let wrongCode = 0;
  let diverged = 0;
  const codes = new Set<number>();
  const slice = RATE / 20;
  hostile.forEach(([what, b], i) => {
    const want = expectedCode(b);
    const got = fw.tryLoadModel(b);
    if (got !== want) {
      wrongCode++;
      t.fail(`${what}: firmware ${got}, decoder ${want}`);
    }
    codes.add(got);
    if (got === 0) twin.loadModel(b);
    else refused++;
    const part = SIGNAL.subarray((i * slice) % (SIGNAL.length - slice), ((i * slice) % (SIGNAL.length - slice)) + slice);
    run(fw, part, 160);
    run(twin, part, 160);
    const [a, c] = [fw.status(), twin.status()];
    if (a.noiseClass !== c.noiseClass || a.confidence !== c.confidence || a.featureFrames !== c.featureFrames || a.modelVersion !== c.modelVersion) diverged++;
  });
  t.equal(wrongCode, 0, 'the firmware returns the decoder\'s code for every blob');
  t.ok(refused > 250, `${refused} of ${hostile.length} refused`);
  t.ok(codes.size >= 10, `codes seen: ${[...codes].sort((x, y) => x - y).join(' ')}`);
  t.equal(diverged, 0, 'after each refusal the running model classifies as if nothing had happened');
  t.ok(fw.status().noiseClass >= -1 && fw.status().featureFrames > 0, 'still classifying');
});

// The emergency detector is off here: a model's emergency classes confirming its tones is the one
// way a model reaches the audio path, by design (emergency-detector.test.ts), and SIGNAL's swept
// tone is siren-like. What is checked is that the classifier's own work never touches it.
t.test('a model swap mid-stream leaves the anti-noise bit-identical', async (t) => {
  const configure = (fw: Firmware) => fw.configure({ algorithm: 'fxlms', taps: 128, stepSize: 0.05, emergencyEnable: 0 }).setSecondaryPath([0, 0.8, 0.3, -0.1]);
  const plain = configure(loadFirmware().init(RATE));
  const swapped = configure(loadFirmware().init(RATE));
  const a = encodeModelBlob(testModel('dense', 21, {}, { major: 1, minor: 0, patch: 0 }));
  const b = encodeModelBlob(testModel('conv', 22, { sampleRate: 48000, frameLength: 1024, hopLength: 256, fftSize: 1024 }, { major: 2, minor: 0, patch: 0 }));
  swapped.loadModel(a);
  const versions: number[] = [];
  const want = run(plain, SIGNAL, 64);
  const got = run(swapped, SIGNAL, 64, (i) => {
    if (i === 64 * 500) swapped.loadModel(b);
    if (i === 64 * 700) t.equal(swapped.tryLoadModel(b.subarray(0, 200)), MODEL_ERR.LENGTH, 'a truncated blob mid-stream');
    if (i === 64 * 1000) swapped.loadModel(a);
    const v = swapped.status().modelVersion;
    if (versions.at(-1) !== v) versions.push(v);
  });
  t.same(versions, [0x10000, 0x20000, 0x10000], 'the models ran in turn');
  let same = true;
  for (let i = 0; i < want.length; i++) if (!Object.is(want[i], got[i])) same = false;
  t.ok(same, 'anti-noise identical sample for sample');
  t.same(plain.status().attenuationDb, swapped.status().attenuationDb, 'same ANC state');
});

t.test('cost: a block with the front end and the network stays bounded', async (t) => {
  // The classifier's time is measured as the difference it makes on a 1-tap LMS (whose own cost is
  // tiny, so the difference is stable), against the ANC's time for FxLMS at 256 taps, best of
  // several runs. The bench (npm run bench) prints the precise figure; this guards against a blow-up.
  const blob = encodeModelBlob(testModel('dense', 31));
  const time = (params: Parameters<Firmware['configure']>[0], withModel: boolean) => {
    let best = Infinity;
    for (let rep = 0; rep < 6; rep++) {
      const fw = loadFirmware().init(RATE).configure(params);
      if (withModel) fw.loadModel(blob);
      const t0 = performance.now();
      run(fw, SIGNAL, 64);
      best = Math.min(best, performance.now() - t0);
    }
    return best;
  };
  const light = { algorithm: 'lms', taps: 1 } as const;
  time(light, true);
  const classifier = Math.max(0, time(light, true) - time(light, false));
  const anc = time({ algorithm: 'fxlms', taps: 256 }, false);
  const share = classifier / anc;
  t.comment(`2 s at 48 kHz: ANC fxlms 256 taps ${anc.toFixed(1)} ms, features + inference ${classifier.toFixed(1)} ms (${(100 * share).toFixed(1)} %)`);
  t.ok(share < 0.5, 'the classifier costs less than half the ANC (target 10 %: see npm run bench)');
});

// The emergency detector (docs/firmware-abi.md, "Emergency detector"): detection at 0 dB SNR, the
// fade to transparency, one event per event, a smooth return, false triggers on long
// non-emergency audio, an ANC path that is unchanged while nothing is detected, and the
// classifier's emergency classes as confirmation. bench/emergency.ts measures the same on 120
// clips per class and an hour of audio; these sets are small (and the clip sets end at a
// deadline), and their bounds are the measured levels of the shipped tuning (issue 3's 99 % recall
// is not met yet; the bench's hour has one false trigger, the target's most).
import t from 'tap';
import { performance } from 'node:perf_hooks';
import { loadFirmware, PARAMS } from '../../firmware/loader.ts';
import { encodeModelBlob } from '../../firmware/model-blob.ts';
import { clipCase, clipSet, judgeClip, renderClip, runDetector } from '../../simulator/metrics/emergency-detection.ts';
import { renderLongMixture } from '../../simulator/scenes/long-mixture.ts';
import { createRandom } from '../../simulator/acoustics/random.ts';
import { background } from '../../simulator/scenes/background.ts';
import { testModel } from './classifier-fixtures.ts';

const RATE = 48000;
const LIGHT_ANC = { algorithm: 'lms', taps: 1 } as const;
const fw = loadFirmware();

t.test('parameters: enable, sensitivity, hold; ABI 1.2', async (t) => {
  fw.init(RATE);
  t.equal(fw.status().abiVersion, (1 << 16) | 2);
  t.equal(fw.getParam('emergencyEnable'), 1, 'on by default');
  t.equal(fw.getParam('emergencySensitivity'), 0.5);
  t.equal(fw.getParam('emergencyHoldMs'), 2000);
  t.equal(fw.setParamId(PARAMS.emergencyEnable, 0.5), -4);
  t.equal(fw.setParamId(PARAMS.emergencySensitivity, 2), -4);
  t.equal(fw.setParamId(PARAMS.emergencyHoldMs, NaN), -4);
  t.equal(fw.status().emergencyState, 0);
  t.equal(fw.status().emergencyEvents, 0);
});

// Up to 8 clips per class, one over each background class (seeds the bench does not use), as many
// as fit in CLASS_BUDGET_MS (at least 3): on a loaded machine the set shrinks instead of the test
// timing out. 0 dB is the SNR over each sound's first 200 ms, as in the bench. The clips the shipped
// tuning does not detect within 200 ms are listed: the test holds the tuning to at least its
// measured level (6/8 sirens, 7/8 alarms, 8/8 horns). 5004 (a two-tone siren whose fundamental is
// lost in a train's rumble, 299 ms) was within 200 ms before a lone high tone needed a fundamental
// at a third or a fifth of it, which on the bench's 120 clips per class gained more than it cost
// (the train's squeals no longer trigger); 5007 is a hi-lo siren in babble (235 ms).
const PER_CLASS = 8;
const FIRST_SEED = 5001;
const CLASS_BUDGET_MS = 20000;
const KNOWN_MISSES: Record<'siren' | 'alarm' | 'horn', number[]> = { siren: [5004, 5007], alarm: [5007], horn: [] };

for (const emergency of ['siren', 'alarm', 'horn'] as const) {
  t.test(`${emergency}: clips at 0 dB over each background`, async (t) => {
    const deadline = performance.now() + CLASS_BUDGET_MS;
    let fast = 0;
    let allowed = 0;
    let done = 0;
    for (const c of clipSet(emergency, PER_CLASS, 0, FIRST_SEED)) {
      if (done >= 3 && performance.now() > deadline) break;
      done++;
      if (KNOWN_MISSES[emergency].includes(c.seed)) allowed++;
      const r = judgeClip(renderClip(c), fw, { anc: LIGHT_ANC });
      t.equal(r.early, 0, `${c.background} seed ${c.seed}: no trigger on the lead-in`);
      if (r.latencySeconds === undefined || r.latencySeconds > 0.2) {
        t.comment(`${r.variant} over ${c.background} (seed ${c.seed}): ${r.latencySeconds === undefined ? 'missed' : `${(r.latencySeconds * 1000).toFixed(0)} ms`}`);
        continue;
      }
      fast++;
      t.ok(r.fadeSeconds !== undefined && r.fadeSeconds <= 0.05, `transparent within 50 ms: ${((r.fadeSeconds ?? 1) * 1000).toFixed(1)} ms`);
      t.equal(r.events, 1, 'one event');
    }
    t.comment(`${emergency}: ${fast}/${done} within 200 ms`);
    t.ok(fast >= done - allowed, `${fast}/${done} within 200 ms (at least the measured level: ${done - allowed})`);
  });
}

// The floor is learnt fast for the first 480 ms after anc_init, and only the tracks born in its
// first 40 ms are taken for the background's own tones: a sound that starts later, even within
// those 480 ms, is detected (it was taken for background, then detected 0.4-1.3 s late or not at
// all). +10 dB, over backgrounds with and without tones of their own; detection within 200 ms of
// the onset, or within 200 ms of the end of the 480 ms (0.7 s after init) for a horn's stack,
// which waits for the floor to settle.
t.test('a sound that starts shortly after anc_init is detected', async (t) => {
  let seed = 6001;
  for (const emergency of ['siren', 'alarm', 'horn'] as const) {
    for (const leadSeconds of [0.1, 0.2, 0.3, 0.45]) {
      for (const bg of ['quiet', 'office', 'machinery'] as const) {
        const c = renderClip({ emergency, background: bg, snrDb: 10, seed: seed++, leadSeconds, soundSeconds: 1.5 });
        const r = judgeClip(c, fw, { anc: LIGHT_ANC });
        const by = Math.max(c.onsetSeconds + 0.2, 0.7);
        const at = r.latencySeconds === undefined ? undefined : c.onsetSeconds + r.latencySeconds;
        t.equal(r.early, 0, `${c.variant} over ${bg} at ${leadSeconds} s (seed ${c.seed}): nothing before it`);
        t.ok(at !== undefined && at <= by, `${c.variant} over ${bg} from ${c.onsetSeconds.toFixed(2)} s (seed ${c.seed}): detected at ${at?.toFixed(3) ?? 'never'} s, by ${by.toFixed(2)} s`);
      }
    }
  }
});

t.test('the fade with the real ANC running (FxLMS), and one event', async (t) => {
  const r = clipCase({ emergency: 'alarm', background: 'office', seed: 1007, snrDb: 0 }, fw);
  t.ok(r.latencySeconds !== undefined && r.latencySeconds <= 0.2, `detected within 200 ms (${r.variant})`);
  t.ok(r.fadeSeconds !== undefined && r.fadeSeconds <= 0.05, `transparent within 50 ms: ${((r.fadeSeconds ?? 1) * 1000).toFixed(1)} ms`);
  t.equal(r.events, 1, 'one event');
});

t.test('ANC resumes after the hold without a step', async (t) => {
  const r = clipCase({ emergency: 'horn', background: 'quiet', seed: 1007, snrDb: 0 }, fw);
  t.ok(r.latencySeconds !== undefined, 'the horn is detected');
  // after the horn: 3 s of quiet background so the hold (2 s) runs out
  const tail = background('quiet', createRandom(5), 3 * RATE, RATE).samples;
  const run = runDetector(fw, tail, RATE);
  t.equal(r.run.detections.length, r.events);
  t.ok(run.detections.every((d) => d.startSeconds < 0.01), 'no new event (the one in progress may still hold)');
  t.equal(fw.status().emergencyState, 0, 'ended');
  const g = run.gain;
  let maxStep = 0;
  for (let i = 1; i < g.length; i++) maxStep = Math.max(maxStep, Math.abs(g[i]! - g[i - 1]!));
  // the one-pole ramp of ramp_ms (5 ms) moves at most 1 - exp(-1 / 240) per sample: 0.266 per 64-frame block
  t.ok(maxStep <= 0.27, `gain returns over the ramp, largest change per 64-frame block ${maxStep.toFixed(3)}`);
  t.ok(g[g.length - 1]! > 0.999, 'back to full gain');
  t.equal(fw.status().emergencyEvents, r.events, 'no event counted after the sound');
});

t.test('disabled: nothing detected, output as with the detector idle', async (t) => {
  fw.init(RATE);
  fw.setParam('emergencyEnable', 0);
  const x = background('traffic', createRandom(3), RATE, RATE).samples;
  const off = runDetector(fw, x, RATE);
  fw.init(RATE);
  const on = runDetector(fw, x, RATE);
  t.equal(off.detections.length, 0);
  t.equal(on.detections.length, 0);
  t.same(off.out, on.out, 'anti-noise bit-identical when nothing is detected');
});

t.test('false triggers on non-emergency long mixture', async (t) => {
  const seconds = 60;
  const { samples } = renderLongMixture({ seed: 11, seconds, sampleRate: RATE, eventsPerMinute: 0 });
  fw.init(RATE).configure(LIGHT_ANC);
  const run = runDetector(fw, samples, RATE, 256);
  const perHour = (run.detections.length * 3600) / seconds;
  t.comment(`false triggers: ${run.detections.length} in ${seconds} s = ${perHour.toFixed(1)} per hour`);
  t.ok(run.detections.length === 0, `none in ${seconds} s (measured: 0; a train's wheel squeal at 33 s triggered before the lone-tone onset test)`);
});

// Two coherent tones a harmonic apart trigger after 6 frames each (the partials of one source),
// but only if the lower is under 1.4 kHz: a train's wheel squeal at 1.7-2.1 kHz that swells over
// half a second grows its octave too, and that pair triggered (twice an hour of the long mixture).
// A siren's fundamental with its third harmonic, swelling alike, still does.
t.test('a swelling squeal with its octave does not trigger; a low tone with its third harmonic does', async (t) => {
  for (const [hz, harmonic, rampSeconds, triggers] of [[1900, 2, 0.6, false], [2100, 2, 0.4, false], [1700, 2, 1, false], [600, 3, 0.6, true]] as const) {
    const x = background('quiet', createRandom(3), 3 * RATE, RATE).samples;
    let power = 0;
    for (const v of x) power += v * v;
    const rms = Math.sqrt(power / x.length);
    for (let i = RATE; i < x.length; i++) {
      const s = (i - RATE) / RATE;
      const a = 2 * rms * Math.min(1, s / rampSeconds);
      x[i] += a * (Math.sin(2 * Math.PI * hz * s) + 0.5 * Math.sin(2 * Math.PI * harmonic * hz * s + 1));
    }
    fw.init(RATE).configure(LIGHT_ANC);
    const run = runDetector(fw, x, RATE);
    t.equal(run.detections.length > 0, triggers, `${hz} Hz with harmonic ${harmonic}, swelling over ${rampSeconds} s: ${triggers ? 'detected' : 'not detected'}`);
  }
});

// Models whose last layer ignores its input: one always reports the siren class (flagged
// emergency), the other always the quiet class.
function constantModel(classIndex: number): Uint8Array {
  const m = testModel('dense', 1);
  const last = m.layers[m.layers.length - 1]!;
  last.weights = last.weights.map(() => 0);
  last.bias = last.bias.map((_, i) => (i === classIndex ? 100000 : 0));
  return encodeModelBlob(m);
}

t.test('a confident emergency class from the classifier confirms the detector: earlier, never alone', async (t) => {
  const siren = constantModel(8);
  const quiet = constantModel(0);
  fw.init(RATE).loadModel(siren);
  runDetector(fw, new Float32Array(RATE / 2), RATE);
  t.equal(fw.status().noiseClass, 8, 'the model reports the siren class, an emergency class');
  const clip = renderClip({ emergency: 'siren', background: 'traffic', seed: 1007, snrDb: 0 });
  const alone = judgeClip(clip, fw, { anc: LIGHT_ANC });
  const confirmed = judgeClip(clip, fw, { anc: LIGHT_ANC, model: siren });
  const notEmergency = judgeClip(clip, fw, { anc: LIGHT_ANC, model: quiet });
  t.ok(alone.latencySeconds !== undefined && confirmed.latencySeconds !== undefined, 'detected with and without the model');
  t.ok(confirmed.latencySeconds! <= alone.latencySeconds! - 0.02, `confirmed ${(confirmed.latencySeconds! * 1000).toFixed(0)} ms, alone ${(alone.latencySeconds! * 1000).toFixed(0)} ms (3 frames of 8 ms fewer)`);
  t.same(notEmergency.run.detections, alone.run.detections, 'a non-emergency class changes nothing');
  // the classifier alone never triggers: noise with no tone in it, the model saying "siren" all along
  const noise = new Float32Array(5 * RATE);
  const random = createRandom(9);
  for (let i = 0; i < noise.length; i++) noise[i] = 0.1 * (random.uniform() * 2 - 1);
  fw.init(RATE).configure(LIGHT_ANC).loadModel(siren);
  const run = runDetector(fw, noise, RATE);
  t.equal(fw.status().noiseClass, 8, 'still reporting the emergency class');
  t.equal(run.detections.length, 0, 'no emergency without a tone');
});

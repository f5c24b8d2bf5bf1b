import t from 'tap';
import { createRandom } from '../../../simulator/acoustics/random.ts';
import { carHorn } from '../../../simulator/scenes/car-horn.ts';
import { envelopeDb, onOffRuns, powerDbAt } from './signal-probes.ts';

const fs = 48000;

/** Horns of the wanted variant, from the first seeds that give one. */
function hornsOf(variant: string, count: number) {
  const out = [];
  for (let seed = 1; out.length < count && seed < 200; seed++) {
    const h = carHorn(createRandom(seed), 3 * fs, fs);
    if (h.variant === variant) out.push({ seed, ...h });
  }
  return out;
}

/** The strongest frequency between lo and hi, 1 Hz steps. */
function peakHz(x: Float32Array, lo: number, hi: number): number {
  let best = lo;
  let bestDb = -Infinity;
  for (let hz = lo; hz <= hi; hz += 1) {
    const db = powerDbAt(x, hz, fs);
    if (db > bestDb) [best, bestDb] = [hz, db];
  }
  return best;
}

t.test('a two-tone horn sounds two notes around 400-500 Hz, each a rich harmonic stack', async (t) => {
  for (const h of hornsOf('horn-two-tone-long', 3)) {
    const x = h.samples.subarray(h.active[0].start + 2400, h.active[0].start + 26400); // 0.5 s into the blast
    const low = peakHz(x, 380, 445);
    const high = peakHz(x, 465, 530);
    t.ok(low >= 390 && low <= 440, `seed ${h.seed}: low note ${low} Hz`);
    t.ok(high >= 470 && high <= 525, `seed ${h.seed}: high note ${high} Hz`);
    for (const f of [low, high]) {
      for (const k of [2, 3, 4, 5, 6]) {
        const stand = powerDbAt(x, k * f, fs) - powerDbAt(x, (k + 0.5) * f, fs);
        t.ok(stand > 15, `seed ${h.seed}: harmonic ${k} of ${f} Hz stands ${stand.toFixed(0)} dB out`);
      }
    }
    // harmonics up in the 1.8-3.55 kHz band (ECE R28) carry real power, not a trace
    const f = low;
    const k = Math.round(2500 / f);
    t.ok(powerDbAt(x, k * f, fs) - powerDbAt(x, f, fs) > -20, `seed ${h.seed}: harmonic near 2.5 kHz within 20 dB of the fundamental`);
  }
});

t.test('short presses are toots of 0.1-0.3 s; a long press is one blast', async (t) => {
  for (const h of hornsOf('horn-two-tone-short', 4)) {
    const runs = onOffRuns(envelopeDb(h.samples, fs, 0.005), 0.005, 25).filter((r) => r.on);
    t.equal(runs.length, h.active.length, `seed ${h.seed}: ${runs.length} toots heard`);
    for (const r of runs) t.ok(r.seconds >= 0.09 && r.seconds <= 0.31, `seed ${h.seed}: toot of ${r.seconds.toFixed(3)} s`);
  }
  for (const h of hornsOf('horn-single-long', 2)) {
    t.equal(h.active.length, 1);
    const seconds = (h.active[0].end - h.active[0].start) / fs;
    t.ok(seconds >= 0.6 && seconds <= 2.5, `seed ${h.seed}: blast of ${seconds.toFixed(2)} s`);
  }
});

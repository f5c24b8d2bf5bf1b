// A car horn. Most cars carry a pair of electromagnetic disc horns tuned a minor third or so apart
// (typically a low note near 400-430 Hz and a high one near 480-520 Hz); some one horn. The
// armature slaps the diaphragm once a cycle, a buzz rich in harmonics, and UN ECE Regulation 28
// wants the loudness concentrated in 1.8-3.55 kHz, so the diaphragm and trumpet resonate there:
// the harmonic stack here rolls off slowly and is lifted by a resonance the seed places in that
// band. Presses are either a few short toots or one long blast, with the few milliseconds of
// attack and release of a horn's relay and diaphragm and a small pitch rise as the armature
// swings up to full stroke.
import type { Random } from '../acoustics/random.ts';
import type { SampleWindow } from '../metrics/sample-window.ts';
import { scaleToActiveRms } from './active-level.ts';
import { between, chance } from './draw.ts';
import type { EmergencySound } from './emergency-sound.ts';
import { harmonicTone, shapeEdges } from './harmonic-tone.ts';

/** Harmonic amplitudes of one disc horn at `hz`: a slow 1/k^p roll-off lifted around `resonanceHz`. */
export function hornHarmonics(hz: number, resonanceHz: number, lift: number, rolloff: number): number[] {
  return Array.from({ length: 16 }, (_, k) => ((1 + lift * Math.exp(-((((k + 1) * hz - resonanceHz) / 700) ** 2))) / (k + 1) ** rolloff));
}

/** Presses starting at sample 0: one long blast, or 1-3 short toots. */
export function drawPresses(random: Random, length: number, sampleRate: number): { presses: SampleWindow[]; long: boolean } {
  const at = (s: number) => Math.min(length, Math.round(s * sampleRate));
  if (chance(random, 0.5)) return { presses: [{ start: 0, end: at(between(random, 0.6, 2.5)) }], long: true };
  const presses: SampleWindow[] = [];
  let t = 0;
  const toots = 1 + Math.floor(random.uniform() * 3);
  for (let n = 0; n < toots && at(t) < length; n++) {
    const end = t + between(random, 0.1, 0.3);
    presses.push({ start: at(t), end: at(end) });
    t = end + between(random, 0.08, 0.25);
  }
  return { presses, long: false };
}

const ATTACK_SECONDS = 0.008;
const RELEASE_SECONDS = 0.025;

export function carHorn(random: Random, length: number, sampleRate: number): EmergencySound {
  const twoTone = chance(random, 0.7);
  const notes = twoTone ? [between(random, 395, 435), between(random, 475, 520)] : [between(random, 400, 510)];
  const resonance = between(random, 1800, 3400);
  const { presses, long } = drawPresses(random, length, sampleRate);
  const samples = new Float32Array(length);
  for (const hz of notes) {
    const amplitude = between(random, 0.7, 1);
    const harmonics = hornHarmonics(hz, resonance, between(random, 1, 3), between(random, 0.5, 0.9)).map((a) => a * amplitude);
    const contour = new Float64Array(length).fill(hz);
    for (const p of presses) for (let i = p.start; i < p.end; i++) contour[i] = hz * (1 - 0.03 * Math.exp(-(i - p.start) / (0.01 * sampleRate)));
    const tone = harmonicTone(contour, harmonics, sampleRate, between(random, 0, 2 * Math.PI));
    for (const p of presses) for (let i = p.start; i < p.end; i++) samples[i] += tone[i];
  }
  for (const p of presses) shapeEdges(samples, p.start, p.end, Math.round(ATTACK_SECONDS * sampleRate), Math.round(RELEASE_SECONDS * sampleRate));
  const variant = `horn-${twoTone ? 'two-tone' : 'single'}-${long ? 'long' : 'short'}`;
  return { samples: scaleToActiveRms(samples, presses, 0.1), variant, active: presses };
}

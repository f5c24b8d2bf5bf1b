// A smoke alarm sounding the temporal-3 ("T3") evacuation pattern of ISO 8201 and NFPA 72
// (ANSI S3.41): three 0.5 s pulses with 0.5 s gaps, then 1.5 s of silence, a 4 s cycle, each time
// within +-10 %. Residential alarms (UL 217, EN 14604) sound it with a piezo disc driven at its
// resonance, about 3.1 kHz and within 2.9-3.5 kHz; the square drive and the disc's nonlinearity
// add weaker 2nd and 3rd harmonics. Each seed draws its own timings within the tolerance, its own
// pitch and timbre, and a slight pitch droop over each pulse as the self-oscillating driver settles.
import type { Random } from '../acoustics/random.ts';
import type { SampleWindow } from '../metrics/sample-window.ts';
import { scaleToActiveRms } from './active-level.ts';
import { between } from './draw.ts';
import type { EmergencySound } from './emergency-sound.ts';
import { harmonicTone, shapeEdges } from './harmonic-tone.ts';

export interface Temporal3 {
  onSeconds: number;
  offSeconds: number;
  /** The silence after every third pulse. */
  pauseSeconds: number;
}

/** The nominal pattern, each interval scaled by its own factor within ISO 8201's +-10 %. */
export function drawTemporal3(random: Random): Temporal3 {
  return { onSeconds: 0.5 * between(random, 0.92, 1.08), offSeconds: 0.5 * between(random, 0.92, 1.08), pauseSeconds: 1.5 * between(random, 0.92, 1.08) };
}

/** The pulses of a T3 pattern starting with a pulse at sample 0, cut at `length`. */
export function temporal3Pulses(pattern: Temporal3, length: number, sampleRate: number): SampleWindow[] {
  const pulses: SampleWindow[] = [];
  let t = 0;
  for (let n = 0; ; n++) {
    const start = Math.round(t * sampleRate);
    if (start >= length) return pulses;
    pulses.push({ start, end: Math.min(length, Math.round((t + pattern.onSeconds) * sampleRate)) });
    t += pattern.onSeconds + (n % 3 === 2 ? pattern.pauseSeconds : pattern.offSeconds);
  }
}

const EDGE_SECONDS = 0.003; // piezo alarms start and stop within a few milliseconds

export function smokeAlarm(random: Random, length: number, sampleRate: number): EmergencySound {
  const pattern = drawTemporal3(random);
  const f0 = between(random, 2950, 3450);
  const harmonics = [1, between(random, 0.03, 0.2), between(random, 0.05, 0.3)];
  const droop = between(random, 0, 0.01);
  const pulses = temporal3Pulses(pattern, length, sampleRate);
  const hz = new Float64Array(length).fill(f0);
  for (const p of pulses) for (let i = p.start; i < p.end; i++) hz[i] = f0 * (1 - droop * (1 - Math.exp(-(i - p.start) / (0.1 * sampleRate))));
  const tone = harmonicTone(hz, harmonics, sampleRate, between(random, 0, 2 * Math.PI));
  const samples = new Float32Array(length);
  const edge = Math.round(EDGE_SECONDS * sampleRate);
  for (const p of pulses) {
    samples.set(tone.subarray(p.start, p.end), p.start);
    shapeEdges(samples, p.start, p.end, edge, edge);
  }
  return { samples: scaleToActiveRms(samples, pulses, 0.1), variant: 'smoke-t3', active: pulses };
}

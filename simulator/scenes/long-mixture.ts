// Long recordings for the detector's figures: minutes of changing environments with emergency
// sounds at known times (detection latency, recall), or with none (false triggers per hour).
// The audio is a run of segments of 20-60 s, each one environment, joined by 50 ms equal-power
// crossfades (the two sides are unrelated noise, so their powers add). Events sit inside a
// segment, at least a second clear of its ends, with gaps averaging 60 / eventsPerMinute seconds
// (and never under 3 s, so every event is a separate detection). Segments come out one at a
// time, so an hour of audio never has to be in memory at once.
import { createRandom, type Random } from '../acoustics/random.ts';
import { background } from './background.ts';
import { between, fork, pick } from './draw.ts';
import { emergencySound } from './emergency-sound.ts';
import { EMERGENCY_CLASSES, ENVIRONMENT_CLASSES, type EmergencyClass, type EnvironmentClass } from './scene-class.ts';
import { limitPeak, mixAtSnr } from './scene-mix.ts';

export interface LongMixtureOptions {
  seed: number;
  seconds: number;
  sampleRate: number;
  /** Mean emergency events per minute; 0 for pure non-emergency audio. */
  eventsPerMinute: number;
  /** Default [-5, 20]. */
  snrDbRange?: readonly [number, number];
  /** Default all; e.g. ['traffic'] for one environment throughout. */
  environments?: readonly EnvironmentClass[];
  /** Default all. */
  emergencies?: readonly EmergencyClass[];
  /** Default [20, 60]. */
  segmentSeconds?: readonly [number, number];
}

export interface SceneEvent {
  class: EmergencyClass;
  variant: string;
  /** Seconds from the start of the whole mixture. */
  onsetSeconds: number;
  offsetSeconds: number;
  snrDb: number;
  background: EnvironmentClass;
}

export interface MixtureSegment {
  startSeconds: number;
  background: EnvironmentClass;
  samples: Float32Array;
  events: SceneEvent[];
}

const CROSSFADE_SECONDS = 0.05;
const EDGE_CLEARANCE_SECONDS = 1;
const MIN_GAP_SECONDS = 3;
/** How long each class of event is rendered for; the sound's own pattern decides when it is active. */
const EVENT_SECONDS: Record<EmergencyClass, readonly [number, number]> = { siren: [3, 10], alarm: [4, 12], horn: [0.5, 3] };

/** Places events in a segment of `seconds` and mixes them into `samples` (the segment's background). */
function addEvents(samples: Float32Array, o: LongMixtureOptions, random: Random, environment: EnvironmentClass, startSeconds: number): SceneEvent[] {
  const events: SceneEvent[] = [];
  if (o.eventsPerMinute <= 0) return events;
  const meanGap = 60 / o.eventsPerMinute;
  const last = samples.length / o.sampleRate - EDGE_CLEARANCE_SECONDS;
  const [snrLo, snrHi] = o.snrDbRange ?? [-5, 20];
  let t = EDGE_CLEARANCE_SECONDS + random.uniform() * meanGap;
  for (;;) {
    const eventClass = pick(random, o.emergencies ?? EMERGENCY_CLASSES);
    const [lo, hi] = EVENT_SECONDS[eventClass];
    const duration = between(random, lo, hi);
    if (t + duration > last) return events;
    const snrDb = between(random, snrLo, snrHi);
    const onset = Math.round(t * o.sampleRate);
    const length = Math.round(duration * o.sampleRate);
    const sound = emergencySound(eventClass, fork(random), duration, o.sampleRate);
    const span = samples.subarray(onset, onset + length);
    const mix = mixAtSnr(span, sound, 0, snrDb, Infinity); // the segment's peak is limited as a whole, below
    span.set(mix.mixture);
    events.push({
      class: eventClass,
      variant: sound.variant,
      onsetSeconds: startSeconds + (onset + mix.active[0].start) / o.sampleRate,
      offsetSeconds: startSeconds + (onset + mix.active[mix.active.length - 1].end) / o.sampleRate,
      snrDb,
      background: environment,
    });
    t += duration + Math.max(MIN_GAP_SECONDS, -Math.log(1 - random.uniform()) * meanGap);
  }
}

export function* longMixture(o: LongMixtureOptions): Generator<MixtureSegment> {
  const random = createRandom(o.seed);
  const total = Math.round(o.seconds * o.sampleRate);
  const fade = Math.round(CROSSFADE_SECONDS * o.sampleRate);
  const [segLo, segHi] = o.segmentSeconds ?? [20, 60];
  let tail: Float32Array | undefined;
  for (let start = 0; start < total; ) {
    const segmentRandom = fork(random);
    let end = Math.min(total, start + Math.round(between(random, segLo, segHi) * o.sampleRate));
    if (total - end < segLo * o.sampleRate) end = total; // no stub of a segment at the end
    const environment = pick(segmentRandom, o.environments ?? ENVIRONMENT_CLASSES);
    const length = end - start + (end < total ? fade : 0);
    const bg = background(environment, fork(segmentRandom), length, o.sampleRate).samples;
    const events = addEvents(bg.subarray(0, end - start), o, fork(segmentRandom), environment, start / o.sampleRate);
    limitPeak([bg], bg); // scales the whole segment, events and all, so their SNRs hold
    if (tail) {
      for (let i = 0; i < fade; i++) {
        const x = (i + 0.5) / fade;
        bg[i] = bg[i] * Math.sin((Math.PI / 2) * x) + tail[i] * Math.cos((Math.PI / 2) * x);
      }
    }
    tail = bg.slice(end - start);
    yield { startSeconds: start / o.sampleRate, background: environment, samples: bg.slice(0, end - start), events };
    start = end;
  }
}

/** The whole mixture in memory (fine for minutes), its events and where each environment begins. */
export function renderLongMixture(o: LongMixtureOptions): { samples: Float32Array; events: SceneEvent[]; segments: { startSeconds: number; background: EnvironmentClass }[] } {
  const samples = new Float32Array(Math.round(o.seconds * o.sampleRate));
  const events: SceneEvent[] = [];
  const segments: { startSeconds: number; background: EnvironmentClass }[] = [];
  for (const s of longMixture(o)) {
    samples.set(s.samples, Math.round(s.startSeconds * o.sampleRate));
    events.push(...s.events);
    segments.push({ startSeconds: s.startSeconds, background: s.background });
  }
  return { samples, events, segments };
}

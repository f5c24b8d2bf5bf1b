// Runs the firmware's emergency detector over audio and reports what it did, for the detector's
// tests and bench/emergency.ts: when each emergency started (and its kind), when the anti-noise
// reached transparency, and the events counter. The error mic gets the same signal (the detector
// listens only to the reference mic), so the ANC runs as it would.
import { loadFirmware, type AlgorithmName, type Firmware, type ParamName } from '../../firmware/loader.ts';
import { createRandom } from '../acoustics/random.ts';
import { background } from '../scenes/background.ts';
import { emergencySound } from '../scenes/emergency-sound.ts';
import { mixAtSnr, snrOver } from '../scenes/scene-mix.ts';
import { shiftWindows } from '../scenes/active-level.ts';
import { ENVIRONMENT_CLASSES, type EmergencyClass, type EnvironmentClass } from '../scenes/scene-class.ts';

export interface Detection {
  /** Seconds from the start of the audio to the end of the block in which the state turned on. */
  startSeconds: number;
  endSeconds?: number;
  /** emergency_state while it was on: 1 siren, 2 alarm, 3 horn. */
  kind: number;
  /** When the status gain first read 0 after the start (transparency), if it did. */
  transparentSeconds?: number;
}

export interface DetectorRun {
  detections: Detection[];
  events: number;
  /** Status gain at the end of every block. */
  gain: Float32Array;
  /** Anti-noise out, every sample. */
  out: Float32Array;
}

export function runDetector(fw: Firmware, samples: Float32Array, sampleRate: number, block = 64): DetectorRun {
  const detections: Detection[] = [];
  const gain = new Float32Array(Math.ceil(samples.length / block));
  const out = new Float32Array(samples.length);
  let current: Detection | undefined;
  for (let i = 0, b = 0; i < samples.length; i += block, b++) {
    const n = Math.min(block, samples.length - i);
    const chunk = samples.subarray(i, i + n);
    fw.ref.set(chunk);
    fw.err.set(chunk);
    fw.processFrames(n);
    out.set(fw.out.subarray(0, n), i);
    const st = fw.status();
    gain[b] = st.gain;
    const t = (i + n) / sampleRate;
    if (st.emergencyState !== 0 && !current) {
      current = { startSeconds: t, kind: st.emergencyState };
      detections.push(current);
    }
    if (current && current.transparentSeconds === undefined && st.gain === 0) current.transparentSeconds = t;
    if (st.emergencyState === 0 && current) {
      current.endSeconds = t;
      current = undefined;
    }
  }
  return { detections, events: fw.status().emergencyEvents, gain, out };
}

export interface ClipCase {
  emergency: EmergencyClass;
  background: EnvironmentClass;
  snrDb: number;
  seed: number;
  sampleRate?: number;
  /** Seconds of background before the sound, default 3 (the detector learns its floor). */
  leadSeconds?: number;
  soundSeconds?: number;
  /**
   * What `snrDb` is measured over: 'onset' (default), the sound's active part within the first
   * 200 ms after its onset, the span a detection is judged on; 'whole', its whole active part.
   * They differ for a passing siren: over a whole clip whose closest approach comes late, a
   * "0 dB" siren often starts 3-13 dB below the background, and a detector judged within 200 ms of
   * that onset is tested at -3 to -13 dB, not at the stated SNR.
   */
  snrSpan?: 'onset' | 'whole';
}

/** A clip as rendered: the audio and where the sound starts, ready to run through any firmware. */
export interface RenderedClip extends ClipCase {
  samples: Float32Array;
  variant: string;
  onsetSeconds: number;
  /** SNR over the sound's active part within the first 200 ms after its onset, and over all of it. */
  onsetSnrDb: number;
  wholeSnrDb: number;
}

export interface ClipResult extends RenderedClip {
  /** First detection at or after the onset, minus the onset; undefined if none within the sound. */
  latencySeconds?: number;
  kind?: number;
  /** Detections before the onset (false triggers on the lead-in). */
  early: number;
  /** From detection to gain 0. */
  fadeSeconds?: number;
  events: number;
  run: DetectorRun;
}

const DETECTION_WINDOW_SECONDS = 0.2;

/** One emergency sound mixed into a background at `snrDb`, after a lead-in of background alone. */
export function renderClip(c: ClipCase): RenderedClip {
  const rate = c.sampleRate ?? 48000;
  const random = createRandom(c.seed);
  const lead = Math.round((c.leadSeconds ?? 3) * rate);
  const soundLength = Math.round((c.soundSeconds ?? 3) * rate);
  const bg = background(c.background, random, lead + soundLength, rate).samples;
  const sound = emergencySound(c.emergency, random, soundLength / rate, rate);
  const onset = shiftWindows(sound.active, 0, sound.active[0].start + Math.round(DETECTION_WINDOW_SECONDS * rate));
  const mix = mixAtSnr(bg.subarray(lead), c.snrSpan === 'whole' ? sound : { ...sound, active: onset }, 0, c.snrDb);
  const samples = new Float32Array(lead + soundLength);
  samples.set(bg.subarray(0, lead));
  // mixAtSnr may scale the mix as a whole to keep its peak; apply the same to the lead-in
  const k = mix.background.length && bg[lead] !== 0 ? mix.background[0] / bg[lead] : 1;
  for (let i = 0; i < lead; i++) samples[i] *= k;
  samples.set(mix.mixture, lead);
  const onsetSnrDb = snrOver(mix.signal, mix.background, onset);
  const wholeSnrDb = snrOver(mix.signal, mix.background, sound.active);
  return { ...c, samples, variant: sound.variant, onsetSeconds: (lead + onset[0].start) / rate, onsetSnrDb, wholeSnrDb };
}

export interface JudgeOptions {
  /** ANC parameters: the detector listens only to the reference mic, so an evaluation may run a 1-tap LMS to spend its time on the detector. */
  anc?: Partial<Record<ParamName, number | AlgorithmName>>;
  /** A model blob to run beside the detector (its emergency classes confirm the detector's tones). */
  model?: Uint8Array;
}

/** Runs a rendered clip from anc_init. */
export function judgeClip(clip: RenderedClip, fw: Firmware, options: JudgeOptions = {}): ClipResult {
  const rate = clip.sampleRate ?? 48000;
  fw.init(rate).configure(options.anc ?? {});
  if (options.model) fw.loadModel(options.model);
  const run = runDetector(fw, clip.samples, rate);
  const early = run.detections.filter((d) => d.startSeconds < clip.onsetSeconds).length;
  const hit = run.detections.find((d) => d.startSeconds >= clip.onsetSeconds);
  return {
    ...clip,
    latencySeconds: hit ? hit.startSeconds - clip.onsetSeconds : undefined,
    kind: hit?.kind,
    early,
    fadeSeconds: hit?.transparentSeconds !== undefined ? hit.transparentSeconds - hit.startSeconds : undefined,
    events: run.events,
    run,
  };
}

export function clipCase(c: ClipCase, fw: Firmware = loadFirmware()): ClipResult {
  return judgeClip(renderClip(c), fw);
}

/**
 * The evaluation set of one emergency class: `count` clips at `snrDb`, seeds first, first + 1, ...,
 * each over the next background class in turn, so every environment gets its share.
 */
export function clipSet(emergency: EmergencyClass, count: number, snrDb: number, firstSeed = 1): ClipCase[] {
  return Array.from({ length: count }, (_, i) => ({ emergency, background: ENVIRONMENT_CLASSES[i % ENVIRONMENT_CLASSES.length]!, snrDb, seed: firstSeed + i }));
}

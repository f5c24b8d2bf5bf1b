// A combustion engine revving up: harmonics (orders) of the firing frequency, which follows an RPM
// ramp. Phases are integrated sample by sample, so the tones glide without clicks as the RPM moves.

export interface EngineRunup {
  rpmFrom: number;
  rpmTo: number;
  /** Seconds the ramp takes from the start of the run; the RPM then holds. */
  rampSeconds: number;
  /** Default 4; a four-stroke engine fires every other revolution in each cylinder. */
  cylinders?: number;
  /** Amplitude of each harmonic of the firing frequency, fundamental first. */
  harmonics: readonly number[];
}

/** Firing frequency in Hz of a four-stroke engine at `rpm`. */
export function firingHz(rpm: number, cylinders = 4): number {
  return (rpm / 60) * (cylinders / 2);
}

/** The RPM at sample `i`. */
export function rpmAt(spec: EngineRunup, i: number, sampleRate: number): number {
  const progress = Math.min(1, i / (spec.rampSeconds * sampleRate));
  return spec.rpmFrom + (spec.rpmTo - spec.rpmFrom) * progress;
}

export function engineRunup(spec: EngineRunup, length: number, sampleRate: number): Float32Array {
  const out = new Float32Array(length);
  let phase = 0; // of the firing frequency; harmonic k runs at k times it
  for (let i = 0; i < length; i++) {
    let v = 0;
    for (let k = 0; k < spec.harmonics.length; k++) v += spec.harmonics[k] * Math.sin((k + 1) * phase);
    out[i] = v;
    phase += (2 * Math.PI * firingHz(rpmAt(spec, i, sampleRate), spec.cylinders)) / sampleRate;
    if (phase > 2 * Math.PI) phase -= 2 * Math.PI;
  }
  return out;
}

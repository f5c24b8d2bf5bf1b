// Struck resonant modes: the ring of a gong, the clank of a wheel over a rail joint, the click of
// a key. Each mode is a two-pole resonator that decays exponentially at its own rate; the strikes
// drive every mode at once, so a new strike adds to the ringing of the old ones as in a real body.

export interface Mode {
  hz: number;
  /** Peak of the mode's response to a unit strike. */
  amplitude: number;
  /** Time to decay by 60 dB. */
  t60Seconds: number;
}

/** The response of `modes` to strikes of `strength[n]` at sample `strikes[n]`; modes above 0.45 fs are left out. */
export function ringModes(modes: readonly Mode[], strikes: readonly number[], strength: readonly number[], length: number, sampleRate: number): Float32Array {
  const out = new Float32Array(length);
  const drive = new Float64Array(length);
  strikes.forEach((at, n) => {
    if (at >= 0 && at < length) drive[at] += strength[n];
  });
  for (const m of modes) {
    if (m.hz > 0.45 * sampleRate) continue;
    const w = (2 * Math.PI * m.hz) / sampleRate;
    const r = 10 ** (-3 / (m.t60Seconds * sampleRate)); // amplitude falls 60 dB in t60
    const c1 = 2 * r * Math.cos(w);
    const c2 = -r * r;
    const g = m.amplitude * Math.sin(w); // the impulse response is r^n sin((n+1)w) / sin(w); this makes its peak the amplitude
    let y1 = 0;
    let y2 = 0;
    for (let i = 0; i < length; i++) {
      const y = c1 * y1 + c2 * y2 + drive[i];
      y2 = y1;
      y1 = y;
      out[i] += g * y;
    }
  }
  return out;
}

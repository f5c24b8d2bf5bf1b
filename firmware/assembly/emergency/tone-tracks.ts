import { FE_FFT, FFT_MAX, TWIDDLE, EMG_FLOOR, EMG_MAX_TRACKS } from "../memory-map";
import { spectrumAt, PART_RE, PART_IM } from "../features/real-fft";
import { EmergencyState, ToneTrack, toneTrack } from "./detector-state";

// Tone tracks: what tells a siren, an alarm or a horn from noise is that it is a *tone*, one that
// goes on from frame to frame with its phase advancing exactly as its frequency says. Noise (a
// babble formant, a rattling machine) makes spectral peaks too, but their phase is random from one
// frame to the next. Per frame, each new narrowband peak gets its frequency from the ratio of its
// two largest bins (exact for a Hann-windowed sinusoid: delta = (2a - 1) / (1 + a)) and its phase
// from the spectrum centred on the frame's middle sample (X_k times (-1)^k, which for a tone is the
// phase at that sample whatever bin the tone falls in, so a sweeping siren keeps its phase
// from bin to bin). A track follows each peak; its phase must turn by 2 pi f_avg H / n over the
// hop H (f_avg the mean of the two frames' frequencies, in bins): `run` counts the frames in a
// row where it did (noise passes a frame's test with a probability of acos(coherence) / pi, about
// one in four, so ten in a row happen about once in a million tries).

// scratch in FE_FFT, after the packed spectrum (at most 256 complex values = 2 KiB)
export const POW: usize = FE_FFT + 2048; // f32[EMG_MAX_BINS + 4] power per bin
const PEAK_BIN: usize = FE_FFT + 2400; // f32[MAX_PEAKS] interpolated frequency, bins
const PEAK_RE: usize = PEAK_BIN + 128; // f32[MAX_PEAKS] unit phasor of the centred spectrum
const PEAK_IM: usize = PEAK_RE + 128;
const PEAK_POW: usize = PEAK_IM + 128; // f32[MAX_PEAKS] three-bin power
const PEAK_NEW: usize = PEAK_POW + 128; // f32[MAX_PEAKS] power over the floor around it
export const MAX_PEAKS: i32 = 32; // a u32 of claimed peaks
// Hysteresis: a peak up to this much under the novelty threshold (5 dB) continues a track that is
// already coherent (run of WEAK_CONTINUE_RUN or more) but starts none. A weak siren's partial dips
// under the threshold now and then in noise; without this its track was dropped and its run lost.
// Only coherent tracks: noise tracks kept alive by weak peaks would hold the few track slots.
const CONTINUE_BELOW: f32 = 3.16;
const WEAK_CONTINUE_RUN: i32 = 2;

const SHARPNESS: f32 = 4; // a peak's power over its neighbours' 3 bins away
const MATCH_BINS: f32 = 1.5; // a peak continues a track within this of its predicted frequency (plus half its slope)
const MAX_MISSED: i32 = 2; // frames without a peak before a track is dropped
const JUMP: f32 = 8; // a peak 9 dB louder than its track's last frame starts the track anew
const FLOOR_MIN: f32 = 1e-14;
// Tracks born in the first frames after init (about 40 ms) are the background's own tones; later ones,
// even while the floor is still being learnt, may be an emergency that has just begun.
const BACKGROUND_FRAMES: u32 = 5;

// cos(2 pi i / FFT_MAX) for any i, from the twiddle table (half a period)
@inline export function cosAt(i: i32): f32 {
  const j = i & (FFT_MAX - 1);
  const h = FFT_MAX >> 1;
  return j < h ? load<f32>(TWIDDLE + (<usize>j << 3)) : -load<f32>(TWIDDLE + (<usize>(j - h) << 3));
}

@inline export function powAt(k: i32): f32 {
  return load<f32>(POW + (<usize>k << 2));
}
@inline export function floorAt(k: i32): f32 {
  return load<f32>(EMG_FLOOR + (<usize>k << 2));
}

// The frame's narrowband peaks that are new to the band (above the floor of their own bin and of
// both neighbours, so a background tone that glides slowly never counts as new; weaker ones only
// continue tracks) and sharp.
// Returns how many (at most MAX_PEAKS, strongest kept first by scanning order).
function findPeaks(e: EmergencyState): i32 {
  const n = e.fftSize;
  let count = 0;
  for (let k = e.binLo; k <= e.binHi && count < MAX_PEAKS; k++) {
    const p = powAt(k);
    const pl = powAt(k - 1);
    const pr = powAt(k + 1);
    if (p < pl || p <= pr) continue;
    if (p < SHARPNESS * Mathf.min(powAt(k - 3), powAt(k + 3))) continue;
    const around = Mathf.max(floorAt(k), Mathf.max(floorAt(k - 1), floorAt(k + 1)));
    if (p * CONTINUE_BELOW < e.novelty * around) continue;
    // frequency from the two largest bins (Hann: exact for one sinusoid)
    const right = pr >= pl;
    const a = Mathf.sqrt((right ? pr : pl) / Mathf.max(p, FLOOR_MIN));
    const delta = Mathf.min(<f32>0.5, Mathf.max(<f32>0, (2 * a - 1) / (1 + a)));
    const o = <usize>count << 2;
    store<f32>(PEAK_BIN + o, <f32>k + (right ? delta : -delta));
    // the spectrum centred on the frame's middle sample: X_k (-1)^k
    const sign: f32 = (k & 1) != 0 ? -1 : 1;
    const mag = Mathf.sqrt(Mathf.max(p, FLOOR_MIN));
    store<f32>(PEAK_RE + o, (sign * spectrumAt(k, n, PART_RE)) / mag);
    store<f32>(PEAK_IM + o, (sign * spectrumAt(k, n, PART_IM)) / mag);
    store<f32>(PEAK_POW + o, pl + p + pr);
    store<f32>(PEAK_NEW + o, p / Mathf.max(around, FLOOR_MIN));
    count++;
  }
  return count;
}

// Continues the tracks with this frame's peaks, starts new ones, drops the lost. Returns the
// track with the longest coherent run (-1 if none) among those not born in the background's first frames.
export function updateTracks(e: EmergencyState): i32 {
  const count = findPeaks(e);
  let claimed: u32 = 0;
  const hopRatio = <f32>e.sinceFrame / <f32>e.fftSize;
  for (let i = 0; i < EMG_MAX_TRACKS; i++) {
    const t = toneTrack(i);
    if (t.age == 0) continue;
    const predicted = t.bin + t.slope;
    let best = -1;
    let bestDist: f32 = MATCH_BINS + <f32>0.5 * Mathf.abs(t.slope);
    const weakOk = t.run >= WEAK_CONTINUE_RUN;
    for (let j = 0; j < count; j++) {
      if (claimed & (<u32>1 << j) || (!weakOk && load<f32>(PEAK_NEW + (<usize>j << 2)) < e.novelty)) continue;
      const d = Mathf.abs(load<f32>(PEAK_BIN + (<usize>j << 2)) - predicted);
      if (d <= bestDist) {
        bestDist = d;
        best = j;
      }
    }
    if (best < 0) {
      t.run >>= 1;
      t.re = 0; // no phase to compare with after a gap
      t.im = 0;
      if (++t.missed > MAX_MISSED) t.age = 0;
      continue;
    }
    claimed |= <u32>1 << best;
    const o = <usize>best << 2;
    const f = load<f32>(PEAK_BIN + o);
    const re = load<f32>(PEAK_RE + o);
    const im = load<f32>(PEAK_IM + o);
    if (t.re != 0 || t.im != 0) {
      // the phase turned by arg(Z_t conj Z_{t-1}); a tone turns by 2 pi f_avg H / n
      const dr = re * t.re + im * t.im;
      const di = im * t.re - re * t.im;
      const turns = <f32>0.5 * (f + t.bin) * hopRatio;
      const idx = <i32>((turns - Mathf.floor(turns)) * <f32>FFT_MAX + <f32>0.5);
      const c = dr * cosAt(idx) + di * cosAt(idx - (FFT_MAX >> 2));
      t.run = c >= e.coherence ? t.run + 1 : t.run >> 1;
    }
    const power = load<f32>(PEAK_POW + o);
    if (power > JUMP * t.power && t.onsetPower >= 0) {
      // a new sound on the same frequency (an alarm where a wheel squeals): its own onset and run
      t.age = 0;
      t.run = 0;
    }
    t.slope += <f32>0.5 * (f - t.bin - t.slope);
    t.bin = f;
    t.re = re;
    t.im = im;
    t.power = power;
    if (t.age == 1 && t.onsetPower >= 0) t.onsetPower = t.power;
    t.missed = 0;
    t.age = min(t.age + 1, 1 << 20);
  }
  // new tracks for the peaks no track took: a free slot, else the weakest track with no run
  for (let j = 0; j < count; j++) {
    if (claimed & (<u32>1 << j) || load<f32>(PEAK_NEW + (<usize>j << 2)) < e.novelty) continue;
    let slot = -1;
    for (let i = 0; i < EMG_MAX_TRACKS && slot < 0; i++) if (toneTrack(i).age == 0) slot = i;
    if (slot < 0) {
      let weakest: f32 = Infinity;
      for (let i = 0; i < EMG_MAX_TRACKS; i++) {
        const t = toneTrack(i);
        if (t.run <= 1 && t.power < weakest) {
          weakest = t.power;
          slot = i;
        }
      }
    }
    if (slot < 0) continue;
    const t = toneTrack(slot);
    const o = <usize>j << 2;
    t.age = 1;
    t.bin = load<f32>(PEAK_BIN + o);
    t.slope = 0;
    t.re = load<f32>(PEAK_RE + o);
    t.im = load<f32>(PEAK_IM + o);
    t.power = load<f32>(PEAK_POW + o);
    t.run = 0;
    t.missed = 0;
    t.onsetPower = e.frames <= BACKGROUND_FRAMES ? -1 : 0; // there from the start: the background's own tone
  }
  let best = -1;
  let bestRun = 0;
  for (let i = 0; i < EMG_MAX_TRACKS; i++) {
    const t = toneTrack(i);
    if (t.age != 0 && t.onsetPower >= 0 && t.run > bestRun) {
      bestRun = t.run;
      best = i;
    }
  }
  return best;
}

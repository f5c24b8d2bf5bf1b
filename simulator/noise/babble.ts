// Multi-talker babble (a café, an open office): several speech-like voices summed. Each voice is
// noise through its own three formant resonances, tilted like a voice's spectrum, and switched on
// and off at syllable rate; the sum is what makes babble hard to cancel (broadband, non-stationary).
import { designBiquad, filterBiquads } from '../acoustics/biquad.ts';
import type { Random } from '../acoustics/random.ts';
import { whiteNoise } from './colored-noise.ts';
import { mixInto, withRms } from './level.ts';

const SYLLABLES_PER_SECOND = 4; // the syllable rate of conversational speech in most languages

export function babble(talkers: number, rms: number, length: number, sampleRate: number, random: Random): Float32Array {
  const out = new Float32Array(length);
  const between = (lo: number, hi: number) => lo + (hi - lo) * random.uniform();
  for (let v = 0; v < talkers; v++) {
    const voice = filterBiquads(
      [
        designBiquad({ type: 'peaking', hz: between(300, 800), q: 4, gainDb: 15 }, sampleRate), // F1
        designBiquad({ type: 'peaking', hz: between(900, 2300), q: 5, gainDb: 12 }, sampleRate), // F2
        designBiquad({ type: 'peaking', hz: between(2300, 3200), q: 6, gainDb: 9 }, sampleRate), // F3
        designBiquad({ type: 'lowpass', hz: 1000, q: 0.5 }, sampleRate), // glottal tilt
        designBiquad({ type: 'highpass', hz: between(80, 160) }, sampleRate), // no voice below its pitch
      ],
      whiteNoise(length, 1, random),
    );
    // syllables of random length and loudness with short pauses, raised-cosine shaped
    let i = 0;
    while (i < length) {
      const span = Math.round((between(0.6, 1.4) * sampleRate) / SYLLABLES_PER_SECOND);
      const voiced = random.uniform() < 0.8 ? between(0.3, 1) : 0;
      for (let k = 0; k < span && i + k < length; k++) voice[i + k] *= voiced * Math.sin((Math.PI * k) / span) ** 2;
      i += span;
    }
    mixInto(out, voice);
  }
  return withRms(out, rms);
}

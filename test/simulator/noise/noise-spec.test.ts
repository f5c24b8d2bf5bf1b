import t from 'tap';
import { join } from 'node:path';
import { rmsOf } from '../../../simulator/noise/level.ts';
import { generateNoise, looped, type NoiseSpec } from '../../../simulator/noise/noise-spec.ts';
import { writeWav } from '../../../simulator/wav.ts';
import { spectrumDb } from './spectrum.ts';

const fs = 48000;
const dir = t.testdir();

t.test('every kind gives finite, deterministic signals of the right length at the right level', async (t) => {
  const specs: NoiseSpec[] = [
    { kind: 'tones', tones: [{ hz: 200, amplitude: 0.3 }] },
    { kind: 'engine-runup', rpmFrom: 1500, rpmTo: 4500, rampSeconds: 1, harmonics: [0.1, 0.05] },
    { kind: 'white', rms: 0.1 },
    { kind: 'pink', rms: 0.1 },
    { kind: 'brown', rms: 0.1 },
    { kind: 'band', rms: 0.1, lowHz: 100, highHz: 1000 },
    { kind: 'babble', rms: 0.1, talkers: 4 },
    { kind: 'cabin', rms: 0.1 },
    { kind: 'hvac', rms: 0.1 },
    { kind: 'road', rms: 0.1 },
  ];
  for (const spec of specs) {
    const a = generateNoise(spec, fs / 2, fs, 3).source;
    t.equal(a.length, fs / 2, spec.kind);
    t.ok(a.every(Number.isFinite), `${spec.kind} finite`);
    t.equal(a.join(), generateNoise(spec, fs / 2, fs, 3).source.join(), `${spec.kind} replays`);
    if ('rms' in spec) t.ok(Math.abs(rmsOf(a) - spec.rms) < 1e-6, `${spec.kind} level`);
  }
});

t.test('a tone peaks at its frequency', async (t) => {
  const x = generateNoise({ kind: 'tones', tones: [{ hz: 200, amplitude: 0.3 }] }, fs, fs, 1).source;
  t.ok(spectrumDb(x, 200, fs) - spectrumDb(x, 300, fs) > 60);
});

const FINE = 32768; // 1.5 Hz bins, to tell a tone from the broadband beside it

t.test('environments put their energy where they should', async (t) => {
  const cabin = generateNoise({ kind: 'cabin', rms: 0.1 }, 2 * fs, fs, 1).source;
  t.ok(spectrumDb(cabin, 93, fs, FINE) - spectrumDb(cabin, 108, fs, FINE) > 10, 'engine tone stands out');
  t.ok(spectrumDb(cabin, 100, fs) - spectrumDb(cabin, 2000, fs) > 20, 'dominant at low frequencies');
  const hvac = generateNoise({ kind: 'hvac', rms: 0.1 }, 2 * fs, fs, 1).source;
  t.ok(spectrumDb(hvac, 140, fs, FINE) - spectrumDb(hvac, 125, fs, FINE) > 10, 'blade-pass tone');
  t.ok(spectrumDb(hvac, 60, fs) - spectrumDb(hvac, 1000, fs) > 30, 'rumble below 200 Hz');
  const road = generateNoise({ kind: 'road', rms: 0.1 }, 2 * fs, fs, 1).source;
  t.ok(spectrumDb(road, 500, fs) - spectrumDb(road, 4000, fs) > 20, 'broadband stops near 1 kHz');
  t.ok(spectrumDb(road, 220, fs, FINE) - spectrumDb(road, 235, fs, FINE) > 6, 'tyre cavity tone');
  const babble = generateNoise({ kind: 'babble', rms: 0.1, talkers: 6 }, 4 * fs, fs, 1).source;
  t.ok(spectrumDb(babble, 600, fs) - spectrumDb(babble, 40, fs) > 20, 'no voice below its pitch');
  t.ok(spectrumDb(babble, 600, fs) - spectrumDb(babble, 8000, fs) > 20, 'speech band');
  // syllable-rate modulation: 50 ms block powers vary much more than for steady noise
  const blockDb = Array.from({ length: 80 }, (_, b) => 10 * Math.log10(rmsOf(babble.subarray(b * 2400, (b + 1) * 2400)) ** 2));
  t.ok(Math.max(...blockDb) - Math.min(...blockDb) > 6, 'non-stationary');
});

t.test('a WAV file is read, resampled and looped; samples are looped with gain', async (t) => {
  const path = join(dir, 'noise.wav');
  writeWav(path, 24000, [Float32Array.from([0, 1])]);
  t.same(Array.from(generateNoise({ kind: 'wav', path, gain: 2 }, 5, fs, 1).source), [0, 1, 2, 0, 1]);
  t.same(Array.from(generateNoise({ kind: 'samples', samples: Float32Array.from([1, 2, 3]), gain: 0.5 }, 4, fs, 1).source), [0.5, 1, 1.5, 0.5]);
  t.same(Array.from(looped(new Float32Array(0), 3)), [0, 0, 0]);
});

import t from 'tap';
import { steadyStateWindow } from '../../simulator/metrics/sample-window.ts';
import { attenuationDb, meanPower } from '../../simulator/metrics/signal-power.ts';
import { welchSpectrum, fftSizeFor } from '../../simulator/metrics/welch-spectrum.ts';
import { THIRD_OCTAVE_BANDS, bandPowers } from '../../simulator/metrics/third-octave-bands.ts';
import { compareBands, worstBand } from '../../simulator/metrics/band-attenuation.ts';
import { convergenceCurve, convergenceSeconds } from '../../simulator/metrics/convergence.ts';
import { measureRun } from '../../simulator/metrics/run-metrics.ts';
import { sine, syntheticTrace, whiteNoise } from './synthetic-trace.ts';

const FS = 48000;

/** residual = d scaled by a gain that follows `gainDb(seconds)`. */
function shaped(d: Float32Array, gainDb: (seconds: number) => number): Float32Array {
  return d.map((v, n) => v * 10 ** (gainDb(n / FS) / 20));
}

t.test('steady-state window: last quarter, moved past a path change when it fits', async (t) => {
  const d = new Float32Array(4 * FS);
  t.same(steadyStateWindow({ sampleRate: FS, disturbance: d, lastPathChange: 0 }), { start: 3 * FS, end: 4 * FS });
  t.same(steadyStateWindow({ sampleRate: FS, disturbance: d, lastPathChange: 1 * FS }), { start: 3 * FS, end: 4 * FS });
  t.same(steadyStateWindow({ sampleRate: FS, disturbance: d, lastPathChange: 2.5 * FS }), { start: 3.5 * FS, end: 4 * FS });
  // one second after the change would leave nothing to measure: keep the plain window
  t.same(steadyStateWindow({ sampleRate: FS, disturbance: d, lastPathChange: 3.5 * FS }), { start: 3 * FS, end: 4 * FS });
});

t.test('power and attenuation', async (t) => {
  t.equal(meanPower([1, -1, 1, -1]), 1);
  t.equal(meanPower([3, 4, 0], 0, 2), 12.5);
  t.equal(attenuationDb(1, 0.01), 20);
  t.equal(attenuationDb(0.01, 1), -20);
  t.equal(attenuationDb(0, 0), 0, 'silence against silence is 0 dB, not NaN');
});

t.test('Welch spectrum: a sine lands in its bin and keeps its power', async (t) => {
  const x = sine(FS, 1000, FS, 0.5);
  const spectrum = welchSpectrum(x, { start: 0, end: x.length }, FS);
  t.equal(spectrum.psd.length, 4097);
  t.equal(spectrum.binHz, FS / 8192);
  let peak = 0;
  for (let k = 1; k < spectrum.psd.length; k++) if (spectrum.psd[k] > spectrum.psd[peak]) peak = k;
  t.ok(Math.abs(peak * spectrum.binHz - 1000) <= spectrum.binHz, `peak at ${peak * spectrum.binHz} Hz`);
  const total = spectrum.psd.reduce((a, b) => a + b, 0) * spectrum.binHz;
  t.ok(Math.abs(total / 0.125 - 1) < 0.02, `integrated power ${total} ~ 0.125`);
  t.equal(fftSizeFor(3000), 2048, 'a short window gets a shorter FFT');
});

t.test('third-octave bands: IEC centres, and white noise fills them in proportion to width', async (t) => {
  t.equal(THIRD_OCTAVE_BANDS.length, 27);
  t.equal(THIRD_OCTAVE_BANDS[0].hz, 20);
  t.equal(THIRD_OCTAVE_BANDS[17].centreHz, 1000);
  t.equal(THIRD_OCTAVE_BANDS.at(-1)!.hz, 8000);
  t.ok(Math.abs(THIRD_OCTAVE_BANDS[1].lowHz - THIRD_OCTAVE_BANDS[0].highHz) < 1e-9, 'bands tile');
  const x = whiteNoise(4 * FS, 7);
  const powers = bandPowers(welchSpectrum(x, { start: 0, end: x.length }, FS));
  const density = meanPower(x) / (FS / 2);
  for (const [i, band] of THIRD_OCTAVE_BANDS.entries()) {
    const expected = density * (band.highHz - band.lowHz);
    // low bands hold few bins, so their estimates scatter more
    t.ok(Math.abs(10 * Math.log10(powers[i] / expected)) < (band.hz < 100 ? 2.5 : 1), `${band.hz} Hz band`);
  }
});

t.test('band attenuation: an amplified band is the worst band; empty bands are not counted', async (t) => {
  const d = whiteNoise(2 * FS, 3);
  const tone = sine(d.length, 500, FS, 0.1);
  const residual = d.map((v, n) => 0.1 * v + tone[n]);
  const window = { start: 0, end: d.length };
  const bands = compareBands(bandPowers(welchSpectrum(d, window, FS)), bandPowers(welchSpectrum(residual, window, FS)));
  const worst = worstBand(bands)!;
  t.equal(worst.hz, 500);
  // white noise power in the 500 Hz band is 1/3 * (115.8 / 24000); the tone adds 0.005 on top of 1%
  t.ok(worst.gainDb > 3 && worst.gainDb < 8, `500 Hz band amplified by ${worst.gainDb} dB`);
  t.ok(bands.every((b) => b.counted));
  const elsewhere = bands.find((b) => b.hz === 2000)!;
  t.ok(Math.abs(elsewhere.attenuationDb - 20) < 0.5, 'the rest is attenuated by 20 dB');

  const toneOnly = sine(2 * FS, 200, FS);
  const hiss = whiteNoise(toneOnly.length, 9).map((v) => v * 1e-4);
  const after = toneOnly.map((v, n) => 0.01 * v + hiss[n]);
  const toneBands = compareBands(bandPowers(welchSpectrum(toneOnly, window, FS)), bandPowers(welchSpectrum(after, window, FS)));
  const high = toneBands.find((b) => b.hz === 8000)!;
  t.ok(high.attenuationDb < 0, 'the hiss does show in an empty band');
  t.notOk(high.counted, 'but an empty band is not counted');
  t.ok(worstBand(toneBands)!.gainDb < -30, `worst counted band ${worstBand(toneBands)!.gainDb} dB`);
  t.equal(worstBand(compareBands(new Float64Array(27), new Float64Array(27))), null, 'silence has no worst band');
});

t.test('convergence: attenuation ramping to 40 dB over 1 s converges near 0.95 s', async (t) => {
  const d = whiteNoise(3 * FS, 5);
  const ramp = (s: number) => -40 * Math.min(1, s);
  const curve = convergenceCurve(d, shaped(d, ramp), FS);
  t.equal(curve.startSeconds.length, 60);
  t.ok(Math.abs(curve.attenuationDb[0] - 1) < 0.3, 'first block: ~1 dB (mid-block of the ramp)');
  t.ok(Math.abs(curve.attenuationDb[59] - 40) < 0.01);
  const seconds = convergenceSeconds(curve, 40)!;
  t.ok(seconds >= 0.9 && seconds <= 1.0, `converged at ${seconds} s`);

  const relapse = convergenceCurve(d, shaped(d, (s) => (s > 2.5 ? 0 : ramp(s))), FS);
  t.equal(convergenceSeconds(relapse, 40), null, 'falling back at the end means not converged');

  // swinging by up to 6 dB after getting there is the noise, not a relapse; more is a relapse
  const wander = convergenceCurve(d, shaped(d, (s) => (s > 2 && s < 2.5 ? -35 : ramp(s))), FS);
  t.ok(Math.abs(convergenceSeconds(wander, 40)! - seconds) < 1e-9, 'a 5 dB dip later does not undo convergence');
  const lost = convergenceCurve(d, shaped(d, (s) => (s > 2 && s < 2.5 ? -30 : ramp(s))), FS);
  const again = convergenceSeconds(lost, 40)!;
  t.ok(again > 2.5, `a 10 dB relapse does: converged only after it, at ${again} s`);

  // a path change at 1.5 s undoes the cancellation; time counts from the change
  const change = convergenceCurve(d, shaped(d, (s) => (s < 1.5 ? ramp(s) : -40 * Math.min(1, (s - 1.5) / 0.5))), FS);
  const after = convergenceSeconds(change, 40, 1.5)!;
  t.ok(after >= 0.45 && after <= 0.55, `re-converged ${after} s after the change`);
});

t.test('convergence is judged on the smoothed curve, so block-to-block swings do not hide it', async (t) => {
  const d = whiteNoise(3 * FS, 13);
  // converged at once, but one 50 ms block in five is 13 dB worse: 6 dB below the mean
  const swinging = shaped(d, (s) => (Math.floor(s / 0.05) % 5 === 0 ? -22 : -35));
  const curve = convergenceCurve(d, swinging, FS);
  const steady = attenuationDb(meanPower(d), meanPower(swinging));
  t.ok(Math.min(...curve.attenuationDb) < steady - 3, 'the raw blocks dip out of tolerance');
  t.equal(curve.smoothingBlocks, 5);
  t.ok(curve.smoothedDb.every((v) => v >= steady - 3), 'the smoothed curve does not');
  t.equal(convergenceSeconds(curve, steady), 0.05);
});

t.test('measureRun puts the figures together on the steady-state window', async (t) => {
  const d = whiteNoise(4 * FS, 11);
  const trace = syntheticTrace({ disturbance: d, residual: shaped(d, (s) => -30 * Math.min(1, s / 0.5)) });
  const m = measureRun(trace);
  t.same(m.window, { start: 3 * FS, end: 4 * FS });
  t.ok(Math.abs(m.attenuationDb - 30) < 1e-3);
  t.ok(m.bands.every((b) => Math.abs(b.attenuationDb - 30) < 0.01));
  t.ok(Math.abs(m.worstBand!.gainDb + 30) < 0.01);
  t.ok(m.convergenceSeconds! >= 0.45 && m.convergenceSeconds! <= 0.55, `converged at ${m.convergenceSeconds}`);
});

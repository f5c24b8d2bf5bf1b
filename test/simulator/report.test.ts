import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildReport, type RunReport } from '../../simulator/report/run-report.ts';
import { renderRunPlot } from '../../simulator/report/run-plot.ts';
import { writeRunOutputs } from '../../simulator/report/run-outputs.ts';
import { runSummary } from '../../simulator/report/run-summary.ts';
import { gridFrequencies, logSpectrumDb } from '../../simulator/report/log-spectrum.ts';
import { niceTicks } from '../../simulator/report/svg-chart.ts';
import { welchSpectrum } from '../../simulator/metrics/welch-spectrum.ts';
import { firFilter } from '../../simulator/optimum/fir-filter.ts';
import { readWav } from '../../simulator/wav.ts';
import { QUIET_STATUS, syntheticTrace, whiteNoise } from './synthetic-trace.ts';

const FS = 48000;

/**
 * A run whose controller converges to 20 dB in 0.3 s against a disturbance a 32-tap controller
 * could cancel almost completely, and whose path changed at 1 s.
 */
function run() {
  const x = whiteNoise(3 * FS, 21);
  const path = [0, 0, 0.5, 0.25, -0.1];
  const d = Float32Array.from(firFilter(path, firFilter([0, 0, 0, 0.7, -0.2], x)), (v) => -v);
  const residual = d.map((v, n) => v * 10 ** (-Math.min(1, n / (0.3 * FS))));
  return syntheticTrace({
    disturbance: d,
    residual,
    reference: x,
    errorMic: residual,
    secondaryPath: Float32Array.from(path),
    lastPathChange: FS,
    status: { ...QUIET_STATUS, recoveries: 2 },
  });
}

t.test('the report holds the verdict, the bands, the curve and the spectra', async (t) => {
  const report = buildReport(run(), { scenario: 'synthetic', algorithm: 'fxlms', description: 'a test' });
  t.match(report, { scenario: 'synthetic', algorithm: 'fxlms', description: 'a test', variant: null, seconds: 3, taps: 32 });
  t.same(report.window, { startSeconds: 2.25, endSeconds: 3 });
  t.equal(report.pathChangeSeconds, 1);
  t.ok(Math.abs(report.attenuationDb - 20) < 0.01);
  t.ok(report.optimumDb > 80, `optimum ${report.optimumDb}`);
  t.equal(report.gapDb, Math.round((report.optimumDb - report.attenuationDb) * 100) / 100);
  // the synthetic residual never relapses after the change, so it is converged from the start of it
  t.equal(report.convergenceMs, 50);
  t.ok(Math.abs(report.worstBandGainDb! + 20) < 0.1);
  t.equal(report.bands.length, 27);
  t.ok(report.bands.every((b) => b.counted && b.optimumDb > 60 && Math.abs(b.attenuationDb - 20) < 0.1));
  t.equal(report.firmware.recoveries, 2);
  t.equal(report.convergence.startSeconds.length, 60);
  t.equal(report.convergence.smoothedDb.length, 60);
  t.equal(report.spectrum.hz[0], 20);
  t.equal(report.spectrum.hz.at(-1), 20000);
  t.equal(report.spectrum.optimumDb.length, report.spectrum.hz.length);
  t.same(JSON.parse(JSON.stringify(report)), report, 'plain JSON: no NaN, no Infinity');
});

t.test('the summary line', async (t) => {
  const base = { attenuationDb: 37.21, optimumDb: 39.04, gapDb: 1.83, convergenceMs: 180, worstBandGainDb: 0.4, worstBandHz: 31.5 };
  t.equal(runSummary(base), 'achieved 37.2 dB, optimum 39.0 dB (gap 1.8 dB), converged in 180 ms, worst band +0.4 dB at 31.5 Hz');
  t.equal(
    runSummary({ ...base, convergenceMs: null, worstBandGainDb: -12, worstBandHz: 200 }),
    'achieved 37.2 dB, optimum 39.0 dB (gap 1.8 dB), did not converge, worst band -12.0 dB at 200 Hz',
  );
});

t.test('log spectrum grid: 24 points an octave from 20 Hz to 20 kHz, white noise flat', async (t) => {
  const hz = gridFrequencies(FS);
  t.equal(hz.length, 241);
  t.ok(Math.abs(hz[24] - 40) < 1e-9);
  t.equal(gridFrequencies(16000).at(-1), 8000, 'capped at Nyquist');
  const x = whiteNoise(4 * FS, 3);
  const levels = logSpectrumDb(welchSpectrum(x, { start: 0, end: x.length }, FS), hz);
  const expected = 10 * Math.log10(1 / 3 / (FS / 2));
  t.ok(levels.every((v) => Math.abs(v - expected) < 2), 'every point within 2 dB of the true density');
});

t.test('nice ticks', async (t) => {
  t.same(niceTicks(0, 2, 10), [0, 0.2, 0.4, 0.6, 0.8, 1, 1.2, 1.4, 1.6, 1.8, 2]);
  t.same(niceTicks(-23, 47), [-20, 0, 20, 40]);
  t.same(niceTicks(-23, 47, 10), [-20, -10, 0, 10, 20, 30, 40]);
});

t.test('the plot: two panels, every series drawn, markers, legend', async (t) => {
  const report = buildReport(run(), { scenario: 'a<b', algorithm: 'fxlms' });
  const svg = renderRunPlot(report);
  t.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  t.notMatch(svg, /NaN|Infinity|undefined/);
  t.equal(svg.match(/<polyline /g)?.length, 6, 'three spectra, the block and smoothed curves and the optimum line');
  t.match(svg, /a&lt;b \/ fxlms/, 'text is escaped');
  for (const text of ['Frequency (Hz)', 'Time (s)', 'Attenuation (dB)', 'Wiener optimum', 'path change', 'converged', '1k']) {
    t.ok(svg.includes(`>${text}`), text);
  }
  t.equal(svg.match(/clipPath id="([^"]+)"/g)?.length, 2);
  t.equal(renderRunPlot(report), svg, 'deterministic');
});

t.test('writeRunOutputs writes the report, both WAVs and the plot', async (t) => {
  const trace = run();
  const report: RunReport = buildReport(trace, { scenario: 'synthetic', algorithm: 'fxlms' });
  const dir = join(t.testdir(), 'nested', 'out');
  const files = writeRunOutputs(dir, report, trace);
  t.same(files.map((f) => f.slice(dir.length + 1)), ['report.json', 'error-before.wav', 'error-after.wav', 'plot.svg']);
  t.ok(files.every((f) => existsSync(f)));
  t.same(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')), report);
  const before = readWav(join(dir, 'error-before.wav'));
  t.equal(before.sampleRate, FS);
  t.same(before.channels[0], trace.disturbance);
  t.same(readWav(join(dir, 'error-after.wav')).channels[0], trace.residual);
  t.equal(readFileSync(join(dir, 'plot.svg'), 'utf8'), renderRunPlot(report));
});

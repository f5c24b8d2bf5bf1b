// plot.svg: the spectra before and after (and the optimum's) and the convergence curve of a run.
import type { RunReport } from './run-report.ts';
import { runSummary } from './run-summary.ts';
import { escapeXml, niceTicks, renderPanel, type ChartMarker } from './svg-chart.ts';

const WIDTH = 960;
const PANEL_HEIGHT = 380;
const HEADER = 54;

const COLORS = { before: '#4a6fa5', after: '#d1495b', blocks: '#eeaab4', optimum: '#2a9d5c' };

const FREQUENCY_TICKS = [20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000].map((value) => ({
  value,
  label: value >= 1000 ? `${value / 1000}k` : `${value}`,
}));

export function renderRunPlot(report: RunReport): string {
  const { spectrum, convergence } = report;
  const topHz = spectrum.hz.at(-1) ?? 20000;
  const levels = [...spectrum.disturbanceDb, ...spectrum.residualDb];
  const top = Math.ceil(Math.max(...levels) / 10) * 10 + 10;
  // a tone's spectrum falls to the floor between lines: show 120 dB below the top at most
  const bottom = Math.max(Math.floor(Math.min(...levels, ...spectrum.optimumDb) / 10) * 10, top - 120);
  const spectra = renderPanel(
    {
      title: `Error-mic spectrum, steady state (${report.window.startSeconds}-${report.window.endSeconds} s)`,
      xLabel: 'Frequency (Hz)',
      yLabel: 'Power spectral density (dB re FS²/Hz)',
      xScale: 'log',
      xRange: [spectrum.hz[0], topHz],
      yRange: [bottom, top],
      xTicks: FREQUENCY_TICKS.filter((t) => t.value <= topHz),
      yTicks: niceTicks(bottom, top),
      series: [
        { label: 'ANC off (disturbance)', color: COLORS.before, x: spectrum.hz, y: spectrum.disturbanceDb },
        { label: `ANC on, ${report.algorithm}`, color: COLORS.after, x: spectrum.hz, y: spectrum.residualDb },
        { label: 'Wiener optimum', color: COLORS.optimum, dashed: true, x: spectrum.hz, y: spectrum.optimumDb },
      ],
    },
    { x: 0, y: HEADER, width: WIDTH, height: PANEL_HEIGHT },
    'spectra',
  );

  const times = convergence.startSeconds.map((s) => s + convergence.blockMs / 2000);
  const curveLow = Math.min(0, ...convergence.attenuationDb);
  // an optimum far above anything achieved (a pure tone's) would flatten the curve: it is cut off
  // then, and its legend entry still gives the figure
  const curveHigh = Math.min(Math.max(report.optimumDb, ...convergence.attenuationDb), Math.max(...convergence.attenuationDb) + 20);
  const yLow = Math.floor(curveLow / 5) * 5 - 5;
  const yHigh = Math.ceil(curveHigh / 5) * 5 + 5;
  const markers: ChartMarker[] = [];
  if (report.pathChangeSeconds !== null) markers.push({ x: report.pathChangeSeconds, label: 'path change' });
  if (report.convergenceMs !== null) {
    markers.push({ x: (report.pathChangeSeconds ?? 0) + report.convergenceMs / 1000, label: 'converged' });
  }
  const curve = renderPanel(
    {
      title: `Convergence (attenuation per ${convergence.blockMs} ms block, and over ${convergence.smoothingMs} ms)`,
      xLabel: 'Time (s)',
      yLabel: 'Attenuation (dB)',
      xScale: 'linear',
      xRange: [0, report.seconds],
      yRange: [yLow, yHigh],
      xTicks: niceTicks(0, report.seconds, 10).map((value) => ({ value, label: `${value}` })),
      yTicks: niceTicks(yLow, yHigh),
      series: [
        { label: `per ${convergence.blockMs} ms block`, color: COLORS.blocks, x: times, y: convergence.attenuationDb },
        { label: `achieved (${report.attenuationDb.toFixed(1)} dB steady)`, color: COLORS.after, x: times, y: convergence.smoothedDb },
        { label: `Wiener optimum (${report.optimumDb.toFixed(1)} dB)`, color: COLORS.optimum, dashed: true, x: [0, report.seconds], y: [report.optimumDb, report.optimumDb] },
      ],
      markers,
    },
    { x: 0, y: HEADER + PANEL_HEIGHT, width: WIDTH, height: PANEL_HEIGHT },
    'convergence',
  );

  const height = HEADER + 2 * PANEL_HEIGHT;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}">`,
    `<rect width="${WIDTH}" height="${height}" fill="#fafafa"/>`,
    `<text x="64" y="24" font-family="Helvetica, Arial, sans-serif" font-size="17" font-weight="bold" fill="#222">${escapeXml(`${report.scenario} / ${report.algorithm}`)}</text>`,
    `<text x="64" y="44" font-family="Helvetica, Arial, sans-serif" font-size="13" fill="#444">${runSummary(report)}</text>`,
    spectra,
    curve,
    '</svg>',
    '',
  ].join('\n');
}

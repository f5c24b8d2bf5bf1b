// One line-chart panel drawn as plain SVG: axes, grid, labelled ticks, series, legend.

export interface ChartSeries {
  label: string;
  color: string;
  dashed?: boolean;
  x: readonly number[];
  y: readonly number[];
}

export interface ChartMarker {
  x: number;
  label: string;
}

export interface ChartPanel {
  title: string;
  xLabel: string;
  yLabel: string;
  xScale: 'linear' | 'log';
  xRange: [number, number];
  yRange: [number, number];
  xTicks: readonly { value: number; label: string }[];
  yTicks: readonly number[];
  series: readonly ChartSeries[];
  /** Vertical lines with a label, e.g. a path change. */
  markers?: readonly ChartMarker[];
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fixed = (v: number) => v.toFixed(1);

/** Ticks at 1, 2 or 5 times a power of ten, about `count` of them across [low, high]. */
export function niceTicks(low: number, high: number, count = 6): number[] {
  const raw = (high - low) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let i = Math.ceil(low / step); i * step <= high + step * 1e-9; i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

/**
 * The panel as an SVG group inside `box` (the box includes room for the axis labels); `id` must
 * be unique within the document (it names the panel's clip path).
 */
export function renderPanel(panel: ChartPanel, box: Box, id: string): string {
  const plot = { x: box.x + 64, y: box.y + 30, width: box.width - 84, height: box.height - 78 };
  const [x0, x1] = panel.xScale === 'log' ? panel.xRange.map(Math.log10) : panel.xRange;
  const [y0, y1] = panel.yRange;
  const px = (v: number) => plot.x + (((panel.xScale === 'log' ? Math.log10(v) : v) - x0) / (x1 - x0)) * plot.width;
  const py = (v: number) => plot.y + plot.height - ((v - y0) / (y1 - y0)) * plot.height;
  const clip = `${id}-plot-area`;
  const out: string[] = [`<g font-family="Helvetica, Arial, sans-serif" font-size="12" fill="#222">`];
  out.push(`<clipPath id="${clip}"><rect x="${fixed(plot.x)}" y="${fixed(plot.y)}" width="${fixed(plot.width)}" height="${fixed(plot.height)}"/></clipPath>`);
  out.push(`<text x="${fixed(plot.x)}" y="${fixed(box.y + 18)}" font-size="15" font-weight="bold">${escapeXml(panel.title)}</text>`);
  out.push(`<rect x="${fixed(plot.x)}" y="${fixed(plot.y)}" width="${fixed(plot.width)}" height="${fixed(plot.height)}" fill="#fff" stroke="#888"/>`);
  for (const tick of panel.xTicks) {
    const x = fixed(px(tick.value));
    out.push(`<line x1="${x}" y1="${fixed(plot.y)}" x2="${x}" y2="${fixed(plot.y + plot.height)}" stroke="#e3e3e3"/>`);
    out.push(`<text x="${x}" y="${fixed(plot.y + plot.height + 16)}" text-anchor="middle">${escapeXml(tick.label)}</text>`);
  }
  for (const tick of panel.yTicks) {
    const y = fixed(py(tick));
    out.push(`<line x1="${fixed(plot.x)}" y1="${y}" x2="${fixed(plot.x + plot.width)}" y2="${y}" stroke="#e3e3e3"/>`);
    out.push(`<text x="${fixed(plot.x - 6)}" y="${y}" text-anchor="end" dominant-baseline="middle">${tick}</text>`);
  }
  out.push(`<text x="${fixed(plot.x + plot.width / 2)}" y="${fixed(box.y + box.height - 8)}" text-anchor="middle">${escapeXml(panel.xLabel)}</text>`);
  const yMid = plot.y + plot.height / 2;
  out.push(`<text x="${fixed(box.x + 16)}" y="${fixed(yMid)}" text-anchor="middle" transform="rotate(-90 ${fixed(box.x + 16)} ${fixed(yMid)})">${escapeXml(panel.yLabel)}</text>`);
  out.push(`<g clip-path="url(#${clip})" fill="none" stroke-width="1.6" stroke-linejoin="round">`);
  (panel.markers ?? []).forEach((marker, i) => {
    const x = fixed(px(marker.x));
    out.push(`<line x1="${x}" y1="${fixed(plot.y)}" x2="${x}" y2="${fixed(plot.y + plot.height)}" stroke="#999" stroke-dasharray="2 3"/>`);
    // labels stacked upwards so markers close together stay readable
    out.push(`<text x="${fixed(px(marker.x) + 4)}" y="${fixed(plot.y + plot.height - 6 - 15 * i)}" fill="#666" stroke="none">${escapeXml(marker.label)}</text>`);
  });
  for (const s of panel.series) {
    const points = s.x.map((x, i) => `${fixed(px(x))},${fixed(py(s.y[i]))}`).join(' ');
    out.push(`<polyline points="${points}" stroke="${s.color}"${s.dashed ? ' stroke-dasharray="7 4"' : ''}/>`);
  }
  out.push('</g>');
  out.push(legend(panel.series, plot));
  out.push('</g>');
  return out.join('\n');
}

function legend(series: readonly ChartSeries[], plot: Box): string {
  const width = 14 + 34 + Math.max(...series.map((s) => s.label.length)) * 6.6;
  const x = plot.x + plot.width - width - 8;
  const y = plot.y + 8;
  const rows = series.map((s, i) => {
    const row = y + 14 + i * 18;
    return (
      `<line x1="${fixed(x + 8)}" y1="${fixed(row)}" x2="${fixed(x + 36)}" y2="${fixed(row)}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="7 4"' : ''}/>` +
      `<text x="${fixed(x + 42)}" y="${fixed(row)}" dominant-baseline="middle">${escapeXml(s.label)}</text>`
    );
  });
  return [`<rect x="${fixed(x)}" y="${fixed(y)}" width="${fixed(width)}" height="${series.length * 18 + 10}" fill="#fff" fill-opacity="0.9" stroke="#bbb"/>`, ...rows].join('\n');
}

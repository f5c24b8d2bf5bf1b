// A recording's report as text: what `anc classify` prints, and `anc-sim run --noise` after its verdict.
import type { RecordingReport } from './recording-report.ts';

const seconds = (t: number) => `${t.toFixed(2).padStart(8)} s`;

/** One line per class segment, emergency and missed labelled emergency, in time order; then the totals. */
export function formatRecordingReport(c: RecordingReport): string {
  const lines: [number, string][] = c.segments.map((s) => [s.start, `${s.class ?? '-'}${s.emergency ? ' (emergency)' : ''}  ${s.meanConfidence.toFixed(2)}`]);
  for (const e of c.emergencies) {
    const end = e.end === null ? 'still on at the end' : `until ${e.end.toFixed(2)} s`;
    const latency = e.latencyMs === null ? e.note : `${e.latencyMs.toFixed(0)} ms after the labelled onset at ${e.label!.onset.toFixed(2)} s`;
    lines.push([e.start, `EMERGENCY ${e.kind} ${end}; ${latency}`]);
  }
  for (const l of c.missed) lines.push([l.onset, `MISSED labelled ${l.class}`]);
  const out = lines.sort((a, b) => a[0] - b[0]).map(([t, text]) => `${seconds(t)}  ${text}`);
  const total = c.decisions.length;
  const shares = Object.entries(c.summary).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k === 'null' ? 'none' : k} ${((100 * n) / total).toFixed(0)} %`);
  out.push(`${c.file}: ${c.seconds.toFixed(2)} s, ${total} decisions; ${shares.join(', ')}; mostly ${c.dominant ?? 'no class'}; ${c.emergencies.length} emergenc${c.emergencies.length === 1 ? 'y' : 'ies'}`);
  return out.join('\n');
}

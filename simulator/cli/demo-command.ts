// `anc-sim demo` (npm start): a short tour that says in plain words what the simulator does.
import { join } from 'node:path';
import { firmwarePath } from '../../firmware/loader.ts';
import { writeRunOutputs } from '../report/run-outputs.ts';
import { runSummary } from '../report/run-summary.ts';
import { getScenario } from '../scenarios/index.ts';
import { judgeRun } from './judged-run.ts';

export interface DemoOptions {
  /** Where each run's outputs go, one folder per run; default out/demo. */
  out?: string;
  /** Length of each run; default 2 s. */
  seconds?: number;
}

export const DEMO_SCENARIOS = ['tone', 'engine-runup'] as const;

/** Runs the demo, telling `say` each step; returns the folders written. */
export function demoCommand(say: (line: string) => void, options: DemoOptions = {}): string[] {
  const seconds = options.seconds ?? 2;
  const out = options.out ?? join('out', 'demo');
  say('ANC simulator demo.');
  say(`The firmware is the WebAssembly module a headset runs (${firmwarePath('scalar')}); the simulator feeds it`);
  say('microphone samples from a virtual ear cup, one sample at a time, and plays its anti-noise back.');
  const dirs: string[] = [];
  DEMO_SCENARIOS.forEach((name, i) => {
    const scenario = getScenario(name);
    say('');
    say(`${i + 1}. Scenario "${scenario.name}": ${scenario.description}`);
    say(`   Simulating ${seconds} s at 48 kHz with the ${scenario.algorithm} algorithm...`);
    const { trace, report } = judgeRun(scenario, { seconds });
    say(`   With ANC off the ear hears the noise; with ANC on, ${report.attenuationDb.toFixed(1)} dB less of it`);
    say(`   (measured over the last ${(report.window.endSeconds - report.window.startSeconds).toFixed(2)} s, once the filter has settled).`);
    say(`   The best fixed filter of the same length, computed offline from the same recording (the Wiener`);
    say(
      report.gapDb >= 0
        ? `   optimum), would reach ${report.optimumDb.toFixed(1)} dB: the algorithm is ${report.gapDb.toFixed(1)} dB short of it.`
        : `   optimum), would reach ${report.optimumDb.toFixed(1)} dB: adapting as it goes, the algorithm beats it by ${(-report.gapDb).toFixed(1)} dB.`,
    );
    say(`   Verdict: ${runSummary(report)}.`);
    const dir = join(out, `${scenario.name}-${scenario.algorithm}`);
    writeRunOutputs(dir, report, trace);
    say(`   Wrote ${dir}/: report.json (all figures), error-before.wav and error-after.wav (listen to both),`);
    say('   and plot.svg (spectra before and after, and how fast the attenuation built up).');
    dirs.push(dir);
  });
  say('');
  say('Next: "anc-sim list" shows every scenario, "anc-sim suite" runs them all, and');
  say('"anc-sim run --scenario cabin --noise your-recording.wav" tries your own noise.');
  return dirs;
}

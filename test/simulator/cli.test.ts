import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from '../../simulator/cli/run-command.ts';
import { formatSuiteTable, suiteCommand } from '../../simulator/cli/suite-command.ts';
import { listText } from '../../simulator/cli/list-command.ts';
import { demoCommand } from '../../simulator/cli/demo-command.ts';
import { parseAlgorithm, parseAlgorithmList, parseSeconds, parseVariant } from '../../simulator/cli/option-values.ts';
import { getScenario, SCENARIOS } from '../../simulator/scenarios/index.ts';
import { writeWav } from '../../simulator/wav.ts';
import { sine } from './synthetic-trace.ts';

const BIN = fileURLToPath(new URL('../../bin/anc-sim.js', import.meta.url));
const anc = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60000 });

t.test('anc-sim run --json prints the report and writes the outputs', async (t) => {
  const out = join(t.testdir(), 'tone');
  const result = anc('run', '--scenario', 'tone', '--seconds', '2', '--json', '--out', out);
  t.equal(result.status, 0, result.stderr);
  const report = JSON.parse(result.stdout);
  t.match(report, { scenario: 'tone', algorithm: 'fxlms', seconds: 2, variant: 'scalar' });
  for (const field of ['attenuationDb', 'optimumDb', 'gapDb', 'worstBandGainDb']) t.type(report[field], 'number', field);
  t.ok(report.attenuationDb > 20, `tone attenuated by ${report.attenuationDb} dB`);
  t.ok(report.convergenceMs === null || typeof report.convergenceMs === 'number');
  t.equal(report.bands.length, 27);
  for (const file of ['report.json', 'error-before.wav', 'error-after.wav', 'plot.svg']) t.ok(existsSync(join(out, file)), file);
});

t.test('anc-sim run with an unknown scenario: one clear line, exit 1', async (t) => {
  const result = anc('run', '--scenario', 'no-such-place');
  t.equal(result.status, 1);
  t.equal(result.stdout, '');
  t.equal(result.stderr.trim().split('\n').length, 1, 'one line, no stack trace');
  t.match(result.stderr, /^anc-sim: unknown scenario "no-such-place": one of tone, /);
});

t.test('run: a recording replaces the noise; missing and broken files are clear errors', async (t) => {
  const dir = t.testdir({ 'broken.wav': 'RIFF but not really' });
  const wav = join(dir, 'hum.wav');
  writeWav(wav, 44100, [sine(44100, 120, 44100, 0.2)]);
  const { report, dir: out } = runCommand({ scenario: 'tone', noise: wav, seconds: 0.5, out: join(dir, 'out') });
  t.match(report.description, /Noise replaced by .*hum\.wav/);
  t.equal(out, join(dir, 'out'));
  t.ok(report.attenuationDb > 10, `a 120 Hz hum from a file attenuated by ${report.attenuationDb} dB`);
  t.throws(() => runCommand({ scenario: 'tone', noise: join(dir, 'absent.wav') }), /noise file not found: .*absent\.wav/);
  t.throws(() => runCommand({ scenario: 'tone', noise: join(dir, 'broken.wav') }), /cannot read noise file .*broken\.wav as WAV/);
  t.throws(() => runCommand({ scenario: 'tone', algorithm: 'magic' }), /unknown algorithm "magic": one of lms, /);
});

t.test('option values', async (t) => {
  t.equal(parseAlgorithm('nlms'), 'nlms');
  t.same(parseAlgorithmList('fxlms, nlms,fxlms'), ['fxlms', 'nlms']);
  t.throws(() => parseAlgorithmList('fxlms,bogus'), /unknown algorithm "bogus"/);
  t.equal(parseSeconds('2.5'), 2.5);
  for (const bad of ['0', '-1', 'abc', '1e9']) t.throws(() => parseSeconds(bad), /--seconds/);
  t.equal(parseVariant('scalar'), 'scalar');
  t.throws(() => parseVariant('gpu'), /unknown firmware variant "gpu"/);
});

t.test('suite: each scenario with its own algorithm and the extra ones, as a table', async (t) => {
  const scenarios = [getScenario('tone'), getScenario('ideal-plant')];
  const seen: string[] = [];
  const rows = suiteCommand({ scenarios, algorithms: ['nlms', 'rls'], seconds: 0.5, onRow: (r) => seen.push(`${r.scenario}/${r.algorithm}`) });
  t.same(seen, ['tone/fxlms', 'tone/nlms', 'tone/rls', 'ideal-plant/nlms', 'ideal-plant/rls']);
  t.same(rows.map((r) => `${r.scenario}/${r.algorithm}`), seen);
  t.ok(rows.filter((r) => r.algorithm === 'rls').every((r) => r.taps === 32), 'RLS runs with the taps it supports');
  const table = formatSuiteTable(rows).split('\n');
  t.equal(table.length, 2 + rows.length);
  t.match(table[0], /^scenario\s+algorithm\s+taps\s+achieved dB\s+optimum dB\s+gap dB\s+converged ms\s+worst band dB$/);
  t.match(table[2], new RegExp(`^tone\\s+fxlms\\s+32\\s+${rows[0].attenuationDb.toFixed(1)}\\s`));
});

t.test('list names every scenario and algorithm', async (t) => {
  const text = listText();
  for (const s of SCENARIOS) t.match(text, new RegExp(`^  ${s.name}\\s+${s.algorithm}`, 'm'));
  t.match(text, /Algorithms: lms, nlms, /);
});

t.test('demo runs tone and engine-runup and says what it does', async (t) => {
  const lines: string[] = [];
  const dirs = demoCommand((line) => lines.push(line), { out: t.testdir(), seconds: 0.5 });
  t.equal(dirs.length, 2);
  t.ok(dirs.every((d) => existsSync(join(d, 'plot.svg'))));
  const text = lines.join('\n');
  t.match(text, /Scenario "tone"/);
  t.match(text, /Scenario "engine-runup"/);
  t.match(text, /Wiener/);
  t.match(text, /Verdict: achieved /);
});

t.test('an unreadable noise file through the command line is one clear line too', async (t) => {
  const dir = t.testdir();
  writeFileSync(join(dir, 'x.wav'), 'not audio');
  const result = anc('run', '--scenario', 'tone', '--noise', join(dir, 'x.wav'), '--out', dir);
  t.equal(result.status, 1);
  t.match(result.stderr, /^anc-sim: cannot read noise file .* as WAV: .*\n$/);
});

// The anc-sim command line: parses arguments, calls the commands, prints. Nothing else lives here.
import { basename } from 'node:path';
import { Command } from 'commander';
import { formatRecordingReport } from '../../host/training/recording-text.ts';
import { runSummary } from '../report/run-summary.ts';
import { demoCommand } from './demo-command.ts';
import { deviceCommand } from './device-command.ts';
import { fleetCommand } from './fleet-command.ts';
import { scenesCommand } from './scenes-command.ts';
import { listText } from './list-command.ts';
import { parseAlgorithmList, parseSeconds, parseVariant } from './option-values.ts';
import { RECORDING_SCENARIO, runCommand } from './run-command.ts';
import { formatSuiteTable, suiteCommand } from './suite-command.ts';

const print = (text: string) => process.stdout.write(`${text}\n`);

// output piped into `head` and the like: a closed pipe means the reader has seen enough
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(0);
});

/** Runs a command; a failure is one line on stderr and exit code 1, never a stack trace. */
function guarded<A extends unknown[]>(command: (...args: A) => void): (...args: A) => void {
  return (...args) => {
    try {
      command(...args);
    } catch (error) {
      process.stderr.write(`anc-sim: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    }
  };
}

const program = new Command('anc-sim').description('Acoustic simulator for the ANC firmware: run scenarios and judge the result.');

program
  .command('run')
  .description('run one scenario and write report.json, error-before.wav, error-after.wav and plot.svg; with --noise, also what the classifier and emergency detector made of the recording')
  .option('--scenario <name>', `scenario name (see "anc-sim list"); default ${RECORDING_SCENARIO} with --noise, else required`)
  .option('--algorithm <name>', "algorithm (default: the scenario's)")
  .option('--noise <file.wav>', "a recording that replaces the scenario's noise, and is classified")
  .option('--model <file.ancm>', 'model blob the recording is classified with (default: models/default.ancm)')
  .option('--seconds <s>', "run length (default: the scenario's)")
  .option('--out <dir>', 'output directory (default: out/<scenario>-<algorithm>)')
  .option('--variant <scalar|simd>', 'firmware build to run', 'scalar')
  .option('--json', 'print only the report JSON')
  .action(
    guarded((options: { scenario?: string; algorithm?: string; noise?: string; model?: string; seconds?: string; out?: string; variant: string; json?: boolean }) => {
      const { report, dir, files } = runCommand({
        scenario: options.scenario,
        algorithm: options.algorithm,
        noise: options.noise,
        model: options.model,
        seconds: options.seconds === undefined ? undefined : parseSeconds(options.seconds),
        out: options.out,
        variant: parseVariant(options.variant),
      });
      if (options.json) return print(JSON.stringify(report, null, 2));
      print(`${report.scenario} / ${report.algorithm} (${report.seconds} s, ${report.taps} taps): ${runSummary(report)}`);
      if (report.classification) print(formatRecordingReport(report.classification));
      print(`wrote ${dir}/: ${files.map((f) => basename(f)).join(', ')}`);
    }),
  );

program
  .command('suite')
  .description('run every scenario with its own algorithm (and any given) and print a table')
  .option('--algorithms <a,b,...>', 'also run each scenario with these algorithms')
  .option('--seconds <s>', "run length (default: each scenario's)")
  .option('--variant <scalar|simd>', 'firmware build to run', 'scalar')
  .option('--json', 'print the rows as a JSON array')
  .action(
    guarded((options: { algorithms?: string; seconds?: string; variant: string; json?: boolean }) => {
      const rows = suiteCommand({
        algorithms: options.algorithms === undefined ? undefined : parseAlgorithmList(options.algorithms),
        seconds: options.seconds === undefined ? undefined : parseSeconds(options.seconds),
        variant: parseVariant(options.variant),
        onRow: options.json ? undefined : (row) => process.stderr.write(`  ${row.scenario} / ${row.algorithm} done\n`),
      });
      print(options.json ? JSON.stringify(rows, null, 2) : formatSuiteTable(rows));
    }),
  );

program
  .command('list')
  .description('list the scenarios and algorithms')
  .action(guarded(() => print(listText())));

program
  .command('demo')
  .description('a short guided run of the tone and engine-runup scenarios')
  .action(guarded(() => void demoCommand(print)));

program.addCommand(deviceCommand());
program.addCommand(fleetCommand());
program.addCommand(scenesCommand());

await program.parseAsync(process.argv);

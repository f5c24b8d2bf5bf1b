// `anc` command line: parses arguments, calls a command function, prints its result.
// No logic here beyond that; each command is a function in its own file, testable without spawning.
// Part B adds its device commands (ports, info, flash, verify, rollback, confirm, calibrate,
// monitor, config) to buildProgram() the same way.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { CliError, toCliError } from './cli-error.ts';
import { ExitCode } from './exit-codes.ts';
import { formatInspect, runInspect } from './inspect.ts';
import { runKeygen } from './keygen.ts';
import { runPack } from './pack.ts';
import { runSign } from './sign.ts';
import type { PortLister } from '../commands/ports.ts';
import { addDeviceCommands } from './device-commands.ts';
import { openSerial, type OpenTransport } from './device-session.ts';
import { runClassify } from './classify.ts';
import { formatRecordingReport } from '../training/recording-text.ts';
import { runTrain } from './train.ts';
import { DEFAULT_EPOCHS } from '../training/train-model.ts';
import { formatReport } from '../training/training-report.ts';
import { parseHidden, type HiddenLayer } from '../training/network-layout.ts';

export interface CliIo {
  stdout(line: string): void;
  stderr(line: string): void;
  env: Record<string, string | undefined>;
  /** How device commands open --port (default: node-serialport); tests pass an in-memory pair. */
  openTransport?: OpenTransport;
  listPorts?: PortLister;
  /** Progress bars only when stdout is a terminal. */
  isTTY?: boolean;
  /** Ends `anc monitor`. */
  stopSignal?: AbortSignal;
  /** Where progress bars draw (default stderr, so stdout stays the command's result). */
  progressStream?: NodeJS.WritableStream;
}

const processIo: CliIo = {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
  isTTY: !!process.stdout.isTTY,
  stopSignal: (() => {
    const ac = new AbortController();
    process.once('SIGINT', () => ac.abort());
    return ac.signal;
  })(),
};

function integer(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected an integer ${min}..${max}`);
    }
    return n;
  };
}
const list = (value: string): string[] => value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
function hiddenLayers(value: string): HiddenLayer[] {
  try {
    return parseHidden(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

/** Reproducible builds: SOURCE_DATE_EPOCH (seconds) fixes the manifest's created time. */
function createdFrom(env: CliIo['env']): Date | undefined {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch === undefined) return undefined;
  if (!/^\d+$/.test(epoch)) throw new CliError(ExitCode.usage, 'usage', `SOURCE_DATE_EPOCH must be whole seconds since 1970, got '${epoch}'`);
  return new Date(Number(epoch) * 1000);
}

export function buildProgram(io: CliIo, report: (exitCode: number) => void): Command {
  const program = new Command('anc')
    .description('ANC Platform host tool: signed update bundles, flashing and calibration')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s.trimEnd()), writeErr: (s) => io.stderr(s.trimEnd()), outputError: () => {} })
    .showHelpAfterError(false);

  // Every command prints either human text or one JSON object per line (--json).
  const run = <T extends object>(name: string, json: boolean, fn: () => T, human: (r: T) => string): void => {
    try {
      const result = fn();
      io.stdout(json ? JSON.stringify({ ok: true, command: name, ...result }) : human(result));
      report(ExitCode.ok);
    } catch (e) {
      fail(io, name, json, toCliError(e));
      report(toCliError(e).exitCode);
    }
  };
  const runAsync = async <T extends object>(name: string, json: boolean, fn: () => Promise<T>, human: (r: T) => string): Promise<void> => {
    try {
      const result = await fn();
      io.stdout(json ? JSON.stringify({ ok: true, command: name, ...result }) : human(result));
      report(ExitCode.ok);
    } catch (e) {
      fail(io, name, json, toCliError(e));
      report(toCliError(e).exitCode);
    }
  };
  const jsonOption = () => new Option('--json', 'print one JSON object per line, for scripts');

  program
    .command('keygen')
    .description('create an Ed25519 signing key pair (anc-signing.key, mode 0600, and anc-signing.pub)')
    .requiredOption('--out <dir>', 'directory for the key files')
    .option('--force', 'replace existing key files')
    .addOption(jsonOption())
    .action((o: { out: string; force?: boolean; json?: boolean }) =>
      run('keygen', !!o.json, () => runKeygen({ outDir: o.out, force: o.force }), (r) =>
        `wrote ${r.privateKey} (keep it secret) and ${r.publicKey}, key id ${r.keyId}`),
    );

  program
    .command('pack')
    .description('pack artifacts into an update bundle (signed if --key is given)')
    .option('--firmware <file>', 'firmware module (.wasm)')
    .option('--model <file>', 'model blob (repeatable)', collect)
    .option('--config <file>', 'default configuration (.json)')
    .requiredOption('--version <semver>', 'bundle version, e.g. 1.2.3')
    .requiredOption('--hardware <list>', 'compatible hardware revisions, comma-separated', list)
    .requiredOption('--counter <n>', 'anti-rollback counter', integer(0, 0xffffffff))
    .option('--segment-size <bytes>', 'segment size for hashing and flashing', integer(256, 1 << 20))
    .option('--key <file>', 'private key to sign with (anc-signing.key)')
    .requiredOption('--out <file>', 'bundle file to write (.ancb)')
    .addOption(jsonOption())
    .action((o: { firmware?: string; model?: string[]; config?: string; version: string; hardware: string[]; counter: number; segmentSize?: number; key?: string; out: string; json?: boolean }) =>
      run('pack', !!o.json, () => runPack({ firmware: o.firmware, models: o.model, config: o.config, version: o.version, hardware: o.hardware, counter: o.counter, segmentSize: o.segmentSize, keyPath: o.key, out: o.out, created: createdFrom(io.env) }), (r) =>
        `wrote ${r.out}: ${r.kind} ${r.version}, counter ${r.counter}, ${r.artifacts} artifact(s), ${r.size} bytes, ${r.signed ? `signed by ${r.keyId}` : 'unsigned (sign with `anc sign`)'}`),
    );

  program
    .command('sign')
    .description('sign a packed bundle')
    .argument('<bundle>', 'bundle file')
    .requiredOption('--key <file>', 'private key (anc-signing.key)')
    .option('--out <file>', 'write the signed bundle here instead of in place')
    .addOption(jsonOption())
    .action((bundle: string, o: { key: string; out?: string; json?: boolean }) =>
      run('sign', !!o.json, () => runSign({ bundle, keyPath: o.key, out: o.out }), (r) => `signed ${r.out} with key ${r.keyId}`),
    );

  program
    .command('inspect')
    .description('print a bundle and check it: structure and hashes always, signature with --key')
    .argument('<bundle>', 'bundle file')
    .option('--key <file>', 'trusted public key (repeatable)', collect)
    .option('--hardware <revision>', 'also check that the bundle fits this hardware revision')
    .option('--min-counter <n>', 'also check anti-rollback against this device counter', integer(0, 0xffffffff))
    .addOption(jsonOption())
    .action((bundle: string, o: { key?: string[]; hardware?: string; minCounter?: number; json?: boolean }) =>
      run('inspect', !!o.json, () => runInspect({ bundle, keyPaths: o.key, hardwareRevision: o.hardware, minCounter: o.minCounter }), formatInspect),
    );

  program
    .command('train')
    .description('train the noise classifier on a folder of WAV files per class (or a scene dataset) and write a model blob')
    .argument('<dir>', 'dataset: <dir>/<class>/*.wav, or the output of `anc-sim scenes` (labels.json splits)')
    .requiredOption('--out <file>', 'model blob to write (.ancm)')
    .option('--report <file>', 'write the training report (JSON) here')
    .option('--seed <n>', 'seed of the splits, initial weights and batches', integer(0, 0xffffffff), 1)
    .option('--epochs <n>', 'most epochs (early stopping on the validation loss)', integer(1, 10000), DEFAULT_EPOCHS)
    .option('--hidden <layers>', 'hidden layers, comma-separated: 64 (dense), pw32 (pointwise), dw5 (depthwise kernel 5), dw (depthwise over all steps); default pw24,dw5,pw24,dw', hiddenLayers)
    .addOption(jsonOption())
    .action((dir: string, o: { out: string; report?: string; seed: number; epochs: number; hidden?: HiddenLayer[]; json?: boolean }) =>
      run('train', !!o.json, () => runTrain({
        dir, out: o.out, report: o.report, seed: o.seed, epochs: o.epochs, hidden: o.hidden,
        onProgress: o.json ? undefined : (e) => {
          if (e.stage === 'epoch') io.stderr(`epoch ${e.epoch.epoch}: train loss ${e.epoch.trainLoss.toFixed(3)}, validation loss ${e.epoch.validationLoss.toFixed(3)}, accuracy ${(100 * e.epoch.validationAccuracy).toFixed(1)} %`);
          else if (e.done === e.total) io.stderr(`features of ${e.total} clips computed by the firmware`);
        },
      }), (r) => `wrote ${r.out} (${r.blobBytes} bytes)${r.report ? ` and ${r.report}` : ''}\n${formatReport(r.summary)}`),
    );

  program
    .command('classify')
    .description("run a recording through the firmware with a model loaded: the classifier's decisions over time and every emergency with its detection latency")
    .argument('<file>', 'WAV file (its rate a whole multiple of the model\'s, e.g. 16 or 48 kHz)')
    .option('--model <file>', 'model blob (default: models/default.ancm)')
    .addOption(jsonOption())
    .action((file: string, o: { model?: string; json?: boolean }) =>
      run('classify', !!o.json, () => runClassify(file, o.model), formatRecordingReport),
    );

  addDeviceCommands(program, { stdout: io.stdout, env: io.env, openTransport: io.openTransport ?? openSerial, listPorts: io.listPorts, isTTY: !!io.isTTY, stopSignal: io.stopSignal, progressStream: io.progressStream, runAsync });
  return program;
}

function fail(io: CliIo, command: string, json: boolean, e: CliError): void {
  if (json) io.stdout(JSON.stringify({ ok: false, command, exitCode: e.exitCode, error: { code: e.code, message: e.message } }));
  else io.stderr(`anc: ${e.message}`);
}

/** Runs the CLI on `args` (without node and script) and returns the exit code. */
export async function main(args: string[], io: CliIo = processIo): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = buildProgram(io, (c) => (exitCode = c));
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help asked for exits 0; help shown because no command was given exits 1 (usage).
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return e.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
      const message = `${e.message.replace(/^error: /, '')} (see anc --help)`;
      fail(io, args[0] ?? '', args.includes('--json'), new CliError(ExitCode.usage, 'usage', message));
      return ExitCode.usage;
    }
    fail(io, args[0] ?? '', args.includes('--json'), toCliError(e));
    return toCliError(e).exitCode;
  }
  return exitCode;
}

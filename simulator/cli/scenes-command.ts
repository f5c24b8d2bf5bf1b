// `anc-sim scenes`: renders the seeded scene dataset the classifier trains on (simulator/scenes/),
// and optionally long mixtures for detection latency and false-trigger counts. Argument parsing and
// output only. Mount with program.addCommand(scenesCommand()).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { writeDataset } from '../scenes/dataset-writer.ts';
import { renderLongMixture } from '../scenes/long-mixture.ts';
import { parseSceneClass } from '../scenes/scene-class.ts';
import { writeWav } from '../wav.ts';

const number = (what: string, ok: (n: number) => boolean) => (text: string) => {
  const n = Number(text);
  if (!(Number.isFinite(n) && ok(n))) throw new InvalidArgumentError(`${what}, not "${text}"`);
  return n;
};

/** "-5,20" into [-5, 20]. */
export function parseSnrRange(text: string): [number, number] {
  const parts = text.split(',').map(Number);
  if (parts.length !== 2 || !parts.every(Number.isFinite) || parts[0] > parts[1]) throw new InvalidArgumentError(`an SNR range "low,high" in dB, not "${text}"`);
  return [parts[0], parts[1]];
}

export interface ScenesCommandOptions {
  out: string;
  seed: number;
  clips: number;
  seconds: number;
  snr: [number, number];
  rate: number;
  classes?: string;
  pcm16?: boolean;
  splitFolders?: boolean;
  long?: number;
  eventsPerMinute: number;
}

/** What `anc-sim scenes` does, callable from tests; returns the lines it would print. */
export function runScenes(o: ScenesCommandOptions, progress: (line: string) => void = () => {}): string[] {
  const classes = o.classes?.split(',').map((c) => parseSceneClass(c.trim()));
  const options = { seed: o.seed, clipsPerClass: o.clips, clipSeconds: o.seconds, snrDbRange: o.snr, sampleRate: o.rate, ...(classes ? { classes } : {}) };
  let n = 0;
  const labels = writeDataset(o.out, options, {
    format: o.pcm16 ? 'pcm16' : 'float32',
    splitFolders: o.splitFolders,
    onClip: () => {
      if (++n % 50 === 0) progress(`  ${n} clips`);
    },
  });
  const lines = [`wrote ${labels.clips.length} clips of ${labels.classes.length} classes (${o.seconds} s at ${o.rate} Hz) and labels.json to ${o.out}`];
  if (o.long !== undefined) {
    const dir = join(o.out, 'long');
    mkdirSync(dir, { recursive: true });
    const mixtures = { emergency: o.eventsPerMinute, 'non-emergency': 0 };
    for (const [name, eventsPerMinute] of Object.entries(mixtures)) {
      const m = renderLongMixture({ seed: o.seed + 1, seconds: o.long, sampleRate: o.rate, eventsPerMinute, snrDbRange: o.snr });
      writeWav(join(dir, `${name}.wav`), o.rate, [m.samples], o.pcm16 ? 'pcm16' : 'float32');
      writeFileSync(join(dir, `${name}.json`), `${JSON.stringify({ seconds: o.long, sampleRate: o.rate, segments: m.segments, events: m.events }, null, 2)}\n`);
      lines.push(`wrote ${dir}/${name}.wav (${o.long} s, ${m.events.length} events)`);
    }
  }
  return lines;
}

export function scenesCommand(print: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Command {
  return new Command('scenes')
    .description('render the seeded, labelled scene dataset (<out>/<class>/<n>.wav + labels.json) the classifier trains on')
    .option('--out <dir>', 'output directory', 'data/scenes')
    .option('--seed <n>', 'dataset seed', number('a non-negative integer', (n) => Number.isInteger(n) && n >= 0), 1)
    .option('--clips <n>', 'clips per class', number('a positive integer', (n) => Number.isInteger(n) && n > 0), 50)
    .option('--seconds <s>', 'clip length', number('seconds between 0.1 and 60', (n) => n >= 0.1 && n <= 60), 2)
    .option('--snr <low,high>', 'SNR range of emergency clips, dB', parseSnrRange, [-5, 20] as [number, number])
    .option('--rate <hz>', 'sample rate', number('16000 to 96000 Hz', (n) => Number.isInteger(n) && n >= 16000 && n <= 96000), 48000)
    .option('--classes <a,b,...>', 'only these classes')
    .option('--pcm16', 'write 16-bit PCM instead of 32-bit float')
    .option('--split-folders', 'write <out>/<split>/<class>/<n>.wav instead of <out>/<class>/<n>.wav')
    .option('--long <seconds>', 'also write long/emergency.wav and long/non-emergency.wav of this length', number('seconds between 10 and 3600', (n) => n >= 10 && n <= 3600))
    .option('--events-per-minute <n>', 'mean emergency events per minute in long/emergency.wav', number('a positive number', (n) => n > 0), 4)
    .action((o: ScenesCommandOptions) => {
      for (const line of runScenes(o, (l) => process.stderr.write(`${l}\n`))) print(line);
    });
}

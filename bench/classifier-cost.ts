// The classifier's share of the firmware's time at 48 kHz: the time the front end and the network
// of the committed default model (models/default.ancm) add to a 1-tap LMS (whose own cost is tiny,
// so the difference is stable), against the ANC's time for FxLMS at 256 taps, in both builds. The
// front end alone (the same settings with the network never run) splits the two. The issue's
// target is at most 10 %.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadFirmware, type FirmwareVariant, type ParamName } from '../firmware/loader.ts';
import { decodeModelBlob } from '../firmware/model-blob.ts';
import { featureProbeBlob } from '../host/training/feature-settings.ts';
import { noisySignal } from '../test/firmware/classifier-fixtures.ts';
import { BLOCK, SAMPLE_RATE } from './workload.ts';

export const DEFAULT_MODEL_PATH = fileURLToPath(new URL('../models/default.ancm', import.meta.url));

export interface ClassifierCost {
  variant: FirmwareVariant;
  model: string;
  /** microseconds per second of audio */
  ancMicros: number;
  classifierMicros: number;
  share: number;
}

type Params = Partial<Record<ParamName, number | 'lms' | 'fxlms'>>;

const CHUNK_SECONDS = 0.1;

/**
 * One firmware per configuration, warmed up past the network's first context, then fed the signal
 * a tenth of a second at a time (5 hops of the default front end: the same frames and inferences
 * in every chunk), configurations in turn; the fastest chunk of each, per second of audio. Short
 * chunks find the moments a loaded machine leaves the process alone; a long run never does.
 */
function timeChunks(variant: FirmwareVariant, runs: [Params, Uint8Array | undefined][], signal: Float32Array, chunks: number): number[] {
  const chunk = Math.round(CHUNK_SECONDS * SAMPLE_RATE);
  const warm = signal.subarray(0, 5 * chunk);
  const firmwares = runs.map(([params, blob]) => {
    const fw = loadFirmware({ variant }).init(SAMPLE_RATE).configure(params);
    if (blob) fw.loadModel(blob);
    fw.process(warm, warm, BLOCK);
    return fw;
  });
  const best = runs.map(() => Infinity);
  for (let n = 0; n < chunks; n++) {
    const at = ((5 + n) * chunk) % (signal.length - chunk + 1);
    const part = signal.subarray(at - (at % chunk), at - (at % chunk) + chunk);
    firmwares.forEach((fw, i) => {
      const t0 = performance.now();
      fw.process(part, part, BLOCK);
      best[i] = Math.min(best[i]!, (performance.now() - t0) * 1000);
    });
  }
  return best.map((b) => b / CHUNK_SECONDS);
}

/** A short description of a blob: its layers and front end. */
function describe(blob: Uint8Array): string {
  const m = decodeModelBlob(blob);
  const f = m.features;
  const layers = m.layers.map((l) => (l.type === 'dense' ? `dense ${l.outSize}` : l.type === 'pointwise_conv1d' ? `pw ${l.channelsOut}` : `dw k${l.kernel}`)).join(', ');
  return `${layers}; ${f.mfccCount || f.melBands} ${f.mfccCount ? 'MFCC' : 'log-mel'} x ${f.contextFrames} at ${f.sampleRate / 1000} kHz, hop ${(1000 * f.hopLength) / f.sampleRate} ms, infer every ${f.inferInterval} hops`;
}

export function classifierCost(quick: boolean, modelPath = DEFAULT_MODEL_PATH): ClassifierCost[] {
  const signal = noisySignal(SAMPLE_RATE * 4, SAMPLE_RATE);
  const blob = new Uint8Array(readFileSync(modelPath));
  const { normMean: _mean, normScale: _scale, ...frontEnd } = decodeModelBlob(blob).features;
  // the most hops the format allows between inferences: the network never runs in these runs
  const probe = featureProbeBlob({ ...frontEnd, inferInterval: 1024 }, 2);
  const light: Params = { algorithm: 'lms', taps: 1 };
  const models: [string, Uint8Array][] = [[`default model (${describe(blob)})`, blob], ['its front end alone', probe]];
  const out: ClassifierCost[] = [];
  for (const variant of ['scalar', 'simd'] as const) {
    const [anc, bare, ...withModel] = timeChunks(variant, [[{ algorithm: 'fxlms', taps: 256 }, undefined], [light, undefined], ...models.map(([, b]): [Params, Uint8Array] => [light, b])], signal, quick ? 100 : 400);
    models.forEach(([model], i) => {
      const classifierMicros = Math.max(0, withModel[i]! - bare!);
      out.push({ variant, model, ancMicros: anc!, classifierMicros, share: classifierMicros / anc! });
    });
  }
  return out;
}

// `node --import tsx bench/classifier-cost.ts [model.ancm]`: this measurement alone (npm run bench
// runs it after the ANC table); a model other than the default can be priced before it ships.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const c of classifierCost(false, process.argv[2] ?? DEFAULT_MODEL_PATH)) {
    console.log(`${c.variant.padEnd(6)} ${c.model}: ${(c.classifierMicros / 1000).toFixed(2)} ms per audio second, ${(100 * c.share).toFixed(1)} % of the ANC's ${(c.ancMicros / 1000).toFixed(2)} ms (target <= 10 %)`);
  }
}

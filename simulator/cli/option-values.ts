// Checking the values given on the command line, with messages that say what would do.
import { ALGORITHMS, type AlgorithmName, type FirmwareVariant } from '../../firmware/loader.ts';

export function parseAlgorithm(name: string): AlgorithmName {
  if (!(ALGORITHMS as readonly string[]).includes(name)) {
    throw new Error(`unknown algorithm "${name}": one of ${ALGORITHMS.join(', ')}`);
  }
  return name as AlgorithmName;
}

/** A comma-separated list of algorithms, e.g. "fxlms,nlms". */
export function parseAlgorithmList(list: string): AlgorithmName[] {
  return [...new Set(list.split(',').map((s) => s.trim()).filter(Boolean).map(parseAlgorithm))];
}

export function parseSeconds(text: string): number {
  const seconds = Number(text);
  if (!(Number.isFinite(seconds) && seconds > 0 && seconds <= 600)) {
    throw new Error(`--seconds must be a number of seconds above 0 and at most 600, not "${text}"`);
  }
  return seconds;
}

const VARIANTS: readonly FirmwareVariant[] = ['scalar', 'simd'];

export function parseVariant(name: string): FirmwareVariant {
  if (!(VARIANTS as readonly string[]).includes(name)) throw new Error(`unknown firmware variant "${name}": scalar or simd`);
  return name as FirmwareVariant;
}

// Deterministic random numbers for fuzz tests: a failure reproduces from its seed. The generator
// is the simulator's (mulberry32); this adds the integer and byte helpers the fuzzers want.
import { createRandom } from '../../simulator/acoustics/random.ts';

export interface Rng {
  next(): number;
  int(maxExclusive: number): number;
  bytes(n: number): Uint8Array;
}

export function seededRandom(seed: number): Rng {
  const { uniform: next } = createRandom(seed);
  return {
    next,
    int: (max) => Math.floor(next() * max),
    bytes: (n) => Uint8Array.from({ length: n }, () => Math.floor(next() * 256)),
  };
}

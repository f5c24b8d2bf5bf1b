// Drawing a scene's parameters from a seeded stream: every "random but realistic" choice in
// simulator/scenes/ goes through these, so one seed fixes a whole clip bit for bit.
import { createRandom, type Random } from '../acoustics/random.ts';

/** Uniform in [lo, hi). */
export function between(random: Random, lo: number, hi: number): number {
  return lo + (hi - lo) * random.uniform();
}

/** Uniform in dB between loDb and hiDb, returned as a linear amplitude factor. */
export function amplitudeDb(random: Random, loDb: number, hiDb: number): number {
  return 10 ** (between(random, loDb, hiDb) / 20);
}

export function chance(random: Random, p: number): boolean {
  return random.uniform() < p;
}

export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.min(items.length - 1, Math.floor(random.uniform() * items.length))];
}

/** An independent stream seeded from `random`: a part drawn from it never shifts its siblings' draws. */
export function fork(random: Random): Random {
  return createRandom(Math.floor(random.uniform() * 2 ** 32));
}

/**
 * A 32-bit seed from several integers (dataset seed, class, clip number), mixed with the
 * murmur3 finaliser so neighbouring inputs give unrelated streams.
 */
export function seedFor(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

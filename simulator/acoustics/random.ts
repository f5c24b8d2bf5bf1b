// Seeded randomness, so a scenario replays bit for bit: the same seed gives the same noise,
// sensor hiss and headset variation on every machine.

export interface Random {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal (mean 0, variance 1). */
  gaussian(): number;
}

/** mulberry32: 32 bits of state, fast, and good enough for audio noise (not for cryptography). */
export function createRandom(seed: number): Random {
  let a = seed >>> 0;
  let spare: number | undefined;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    uniform,
    gaussian() {
      if (spare !== undefined) {
        const g = spare;
        spare = undefined;
        return g;
      }
      // Box-Muller yields two independent normals per pair of uniforms; keep the second
      const r = Math.sqrt(-2 * Math.log(1 - uniform()));
      const phi = 2 * Math.PI * uniform();
      spare = r * Math.sin(phi);
      return r * Math.cos(phi);
    },
  };
}

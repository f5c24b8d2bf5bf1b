// No input makes the module trap or emit NaN/Inf, for every algorithm and both builds.
import t from 'tap';
import { loadFirmware, ALGORITHMS, type FirmwareVariant } from '../../firmware/loader.ts';

const FS = 48000;
const BLOCK = 64;

function seeded(seed: number) {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

const SPECIAL = [NaN, Infinity, -Infinity, 1, -1, 0, 1e30, -1e30, 3.4e38, 1e-45, -0];

const inputs: Record<string, (n: number, rand: () => number) => number> = {
  silence: () => 0,
  dc: () => 1,
  'negative dc': () => -1,
  'full-scale square': (n) => (Math.floor(n / 24) % 2 ? 1 : -1),
  'full-scale square, Nyquist': (n) => (n % 2 ? 1 : -1),
  nan: () => NaN,
  infinity: (n) => (n % 3 ? Infinity : -Infinity),
  'random specials': (_n, r) => SPECIAL[Math.floor(r() * SPECIAL.length)]!,
  'random floats': (_n, r) => (r() - 0.5) * 10 ** Math.floor(r() * 12 - 6),
};

for (const variant of ['scalar', 'simd'] as FirmwareVariant[]) {
  for (const algorithm of ALGORITHMS) {
    t.test(`${variant} ${algorithm}: hostile inputs`, async (t) => {
      const fw = loadFirmware({ variant }).init(FS);
      fw.setSecondaryPath([0, 0.5, 0.3, -0.2]).configure({ algorithm, taps: algorithm === 'rls' ? 16 : 64, stepSize: 0.5 });
      const rand = seeded(7);
      let n = 0;
      for (const [name, refGen] of Object.entries(inputs)) {
        for (const [errName, errGen] of Object.entries(inputs)) {
          for (let b = 0; b < 3; b++) {
            for (let k = 0; k < BLOCK; k++, n++) {
              fw.ref[k] = refGen(n, rand);
              fw.err[k] = errGen(n, rand);
            }
            fw.processFrames(BLOCK);
            for (let k = 0; k < BLOCK; k++) {
              const y = fw.out[k]!;
              if (!Number.isFinite(y) || Math.abs(y) > 1) {
                t.fail(`ref ${name}, err ${errName}: output ${y}`);
                return;
              }
            }
          }
        }
      }
      const s = fw.status();
      t.ok(s.sanitized > 0, 'non-finite and out-of-range samples were counted');
      t.ok(Number.isFinite(s.coefNorm) && Number.isFinite(s.attenuationDb), 'status stays finite');
      // and the module still works afterwards
      fw.reset();
      fw.ref.fill(0.1);
      fw.err.fill(0.1);
      t.equal(fw.processFrames(BLOCK), BLOCK);
    });
  }
}

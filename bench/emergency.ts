// Emergency detector figures (issue 3 targets: recall >= 99 % at 0 dB SNR, detection within
// 200 ms, fade within 50 ms, <= 1 false trigger per hour): every emergency class over every
// background at 0 dB, a few seeds each, and a stretch of non-emergency long mixture.
// node --import tsx bench/emergency.ts [seeds] [falseTriggerSeconds]
import { clipCase, runDetector } from '../simulator/metrics/emergency-detection.ts';
import { loadFirmware } from '../firmware/loader.ts';
import { EMERGENCY_CLASSES, ENVIRONMENT_CLASSES } from '../simulator/scenes/scene-class.ts';
import { renderLongMixture } from '../simulator/scenes/long-mixture.ts';

const seeds = Number(process.argv[2] ?? 3);
const ftSeconds = Number(process.argv[3] ?? 600);
const fw = loadFirmware();
const KIND = { siren: 1, alarm: 2, horn: 3 } as const;
console.log('class   background  n  recall@200ms  detected  median_ms  max_ms  kind_ok  fade_max_ms');
for (const e of EMERGENCY_CLASSES) {
  for (const b of ENVIRONMENT_CLASSES) {
    const lat: number[] = [];
    let fast = 0, kindOk = 0, fade = 0;
    for (let s = 1; s <= seeds; s++) {
      const r = clipCase({ emergency: e, background: b, snrDb: 0, seed: s * 1000 + 7 }, fw);
      if (r.latencySeconds === undefined) continue;
      lat.push(r.latencySeconds * 1000);
      if (r.latencySeconds <= 0.2) fast++;
      if (r.kind === KIND[e]) kindOk++;
      fade = Math.max(fade, (r.fadeSeconds ?? 0) * 1000);
    }
    lat.sort((a, b) => a - b);
    const med = lat.length ? lat[Math.floor(lat.length / 2)]!.toFixed(0) : '-';
    const max = lat.length ? lat[lat.length - 1]!.toFixed(0) : '-';
    console.log(`${e.padEnd(7)} ${b.padEnd(11)} ${String(seeds).padStart(2)}  ${((100 * fast) / seeds).toFixed(0).padStart(10)} %  ${String(lat.length).padStart(8)}  ${med.padStart(9)}  ${max.padStart(6)}  ${String(kindOk).padStart(7)}  ${fade.toFixed(1).padStart(11)}`);
  }
}
const { samples } = renderLongMixture({ seed: 11, seconds: ftSeconds, sampleRate: 48000, eventsPerMinute: 0 });
fw.init(48000);
const run = runDetector(fw, samples, 48000, 256);
console.log(`false triggers: ${run.detections.length} in ${ftSeconds} s of non-emergency long mixture = ${((run.detections.length * 3600) / ftSeconds).toFixed(1)} per hour`);

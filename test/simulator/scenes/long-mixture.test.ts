import t from 'tap';
import { longMixture, renderLongMixture } from '../../../simulator/scenes/long-mixture.ts';
import { PEAK_LIMIT } from '../../../simulator/scenes/scene-mix.ts';
import { envelopeDb } from './signal-probes.ts';

const fs = 16000;
const o = { seed: 3, seconds: 150, sampleRate: fs, eventsPerMinute: 6, segmentSeconds: [20, 40] as const };

t.test('events sit at known, separate times inside one environment each', async (t) => {
  const m = renderLongMixture(o);
  t.equal(m.samples.length, 150 * fs);
  t.ok(m.events.length >= 5, `${m.events.length} events in 150 s`);
  t.ok(m.segments.length >= 4 && m.segments[0].startSeconds === 0);
  for (const [i, e] of m.events.entries()) {
    t.ok(e.offsetSeconds > e.onsetSeconds, `event ${i} has a length`);
    if (i > 0) t.ok(e.onsetSeconds - m.events[i - 1].offsetSeconds >= 3, `event ${i} starts at least 3 s after the last`);
    const seg = [...m.segments].reverse().find((s) => s.startSeconds <= e.onsetSeconds)!;
    t.equal(seg.background, e.background, `event ${i} is labelled with its environment`);
    // at high enough SNR the event is audible in the level: louder while it sounds than the second before
    if (e.snrDb > 10) {
      const env = envelopeDb(m.samples.subarray(Math.round((e.onsetSeconds - 1) * fs), Math.round(e.offsetSeconds * fs)), fs, 0.25);
      t.ok(Math.max(...env.slice(4)) > Math.max(...env.slice(0, 4)) + 3, `event ${i} (${e.class}, ${e.snrDb.toFixed(1)} dB) stands out`);
    }
  }
  t.ok(m.samples.every((v) => Math.abs(v) <= PEAK_LIMIT + 1e-7), 'never clips');
});

t.test('pure non-emergency audio has no events; streaming equals rendering', async (t) => {
  const quiet = { ...o, eventsPerMinute: 0, seconds: 60 };
  const m = renderLongMixture(quiet);
  t.same(m.events, []);
  let at = 0;
  let same = true;
  for (const seg of longMixture(quiet)) {
    t.equal(seg.startSeconds * fs, at);
    for (let i = 0; i < seg.samples.length; i++) same &&= seg.samples[i] === m.samples[at + i];
    at += seg.samples.length;
  }
  t.equal(at, 60 * fs);
  t.ok(same, 'segments concatenate to the rendered mixture');
});

t.test('environments change without a click: the crossfade keeps the boundary no louder than the segments', async (t) => {
  const m = renderLongMixture({ ...o, eventsPerMinute: 0, seconds: 90, environments: ['office', 'aircraft'] });
  for (const s of m.segments.slice(1)) {
    const at = Math.round(s.startSeconds * fs);
    const env = envelopeDb(m.samples.subarray(at - fs, at + fs), fs, 0.01);
    const edge = Math.max(...env.slice(95, 106));
    t.ok(edge <= Math.max(...env.slice(0, 90), ...env.slice(110)) + 1, `boundary at ${s.startSeconds.toFixed(1)} s`);
  }
});

import t from 'tap';
import { TELEMETRY_LIMITS, TELEMETRY_SEGMENT_MS, segmentStart, validateTelemetryBatch } from '../../../fleet/telemetry/telemetry-batch.ts';

const now = 1_750_000_000_000;
const ctx = { deviceId: 'hs-1', now };
const sample = (over: Record<string, unknown> = {}) => ({ t: now - 1000, attenuationDb: 18.5, errorPower: 0.002, recoveries: 0, ...over });

t.test('a good batch becomes one row with the topic device id and the samples as sent', async (t) => {
  const samples = [sample(), sample({ t: now - 900, noiseClass: 'engine', noiseConfidence: 0.9, battery: 73, intensity: 1, emergencies: 2 })];
  const result = validateTelemetryBatch({ v: 1, samples }, ctx);
  t.same(result, { ok: true, rows: [{ deviceId: 'hs-1', segment: segmentStart(now - 1000), samples }] });
  t.equal(segmentStart(now - 1000), Math.floor((now - 1000) / TELEMETRY_SEGMENT_MS) * TELEMETRY_SEGMENT_MS);
  const edge = validateTelemetryBatch({ v: 1, samples: [sample({ t: now - TELEMETRY_LIMITS.maxAgeMs }), sample({ t: now + TELEMETRY_LIMITS.maxFutureMs })] }, ctx);
  t.ok(edge.ok, 'the window edges are inside');
});

t.test('a batch spanning minutes becomes one row per minute, samples in the order sent', async (t) => {
  const minute = segmentStart(now) - 5 * TELEMETRY_SEGMENT_MS;
  const at = (offset: number) => sample({ t: minute + offset });
  const result = validateTelemetryBatch({ v: 1, samples: [at(59_999), at(60_000), at(1), at(185_000), at(60_500)] }, ctx);
  t.same(result, {
    ok: true,
    rows: [
      { deviceId: 'hs-1', segment: minute, samples: [at(59_999), at(1)] },
      { deviceId: 'hs-1', segment: minute + 60_000, samples: [at(60_000), at(60_500)] },
      { deviceId: 'hs-1', segment: minute + 180_000, samples: [at(185_000)] },
    ],
  });
});

t.test('bad batches are refused with a reason', async (t) => {
  const cases: Array<[unknown, RegExp]> = [
    [null, /Expected object/],
    ['{"v":1}', /Expected object/],
    [[], /Expected object/],
    [{ samples: [sample()] }, /\/v/],
    [{ v: 2, samples: [sample()] }, /\/v/],
    [{ v: 1 }, /samples/],
    [{ v: 1, samples: [] }, /samples/],
    [{ v: 1, samples: Array.from({ length: TELEMETRY_LIMITS.maxSamples + 1 }, () => sample()) }, /samples/],
    [{ v: 1, samples: [sample()], deviceId: 'hs-2' }, /Unexpected property/],
    [{ v: 1, samples: [sample({ extra: 1 })] }, /Unexpected property/],
    [{ v: 1, samples: [sample({ t: 1.5 })] }, /\/samples\/0\/t/],
    [{ v: 1, samples: [sample({ t: '2025-01-01' })] }, /\/samples\/0\/t/],
    [{ v: 1, samples: [sample({ attenuationDb: '18' })] }, /attenuationDb/],
    [{ v: 1, samples: [sample({ attenuationDb: 500 })] }, /attenuationDb/],
    [{ v: 1, samples: [sample({ errorPower: -1 })] }, /errorPower/],
    [{ v: 1, samples: [sample({ recoveries: -1 })] }, /recoveries/],
    [{ v: 1, samples: [sample({ battery: 101 })] }, /battery/],
    [{ v: 1, samples: [sample({ noiseClass: 'Engine Noise' })] }, /noiseClass/],
    [{ v: 1, samples: [sample({ noiseClass: 'x'.repeat(40) })] }, /noiseClass/],
    [{ v: 1, samples: [sample({ attenuationDb: null })] }, /attenuationDb/],
    [{ v: 1, samples: [sample({ errorPower: Number.NaN })] }, /errorPower/],
    [{ v: 1, samples: [sample(), sample({ t: now - TELEMETRY_LIMITS.maxAgeMs - 1 })] }, /\/samples\/1\/t: older/],
    [{ v: 1, samples: [sample({ t: now + TELEMETRY_LIMITS.maxFutureMs + 1 })] }, /future/],
    [JSON.parse('{"v":1,"samples":[{"t":1,"attenuationDb":1,"errorPower":0,"recoveries":0,"__proto__":{"x":1}}]}'), /Unexpected property/],
    [JSON.parse('{"v":1,"samples":[],"constructor":{}}'), /./],
  ];
  for (const [payload, pattern] of cases) {
    const result = validateTelemetryBatch(payload, ctx);
    t.equal(result.ok, false, JSON.stringify(payload)?.slice(0, 120));
    if (!result.ok) t.match(result.reason, pattern);
  }
});

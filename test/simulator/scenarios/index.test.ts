import t from 'tap';
import { getScenario, SCENARIOS } from '../../../simulator/scenarios/index.ts';
import { runScenario } from '../../../simulator/world.ts';

t.test('the suite has the agreed scenarios, unique kebab-case names and sane settings', async (t) => {
  const names = SCENARIOS.map((s) => s.name);
  for (const name of ['tone', 'engine-runup', 'cabin', 'hvac', 'road', 'babble', 'wind', 'path-change', 'sec-path-error', 'ideal-plant']) {
    t.ok(names.includes(name), name);
  }
  t.equal(new Set(names).size, names.length);
  for (const s of SCENARIOS) {
    t.match(s.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    t.ok(s.description.length > 10 && s.seconds > 1 && s.sensorSnrDb > 0, s.name);
  }
  t.equal(getScenario('ideal-plant').algorithm, 'nlms');
  t.equal(getScenario('sec-path-error').secondaryPathError, 0.1);
});

t.test('an unknown name is a clear error listing the names', async (t) => {
  t.throws(() => getScenario('concert'), /unknown scenario "concert": one of tone, engine-runup, .*ideal-plant/);
});

t.test('every scenario runs: finite traces of the right length', async (t) => {
  for (const s of SCENARIOS) {
    const trace = runScenario(s, { seconds: 0.1 });
    const ok = [trace.disturbance, trace.residual, trace.reference, trace.errorMic, trace.antiNoise].every(
      (x) => x.length === 4800 && x.every(Number.isFinite),
    );
    t.ok(ok, s.name);
    t.ok(trace.secondaryPath.length > 3 && trace.taps === (s.params.taps ?? 256), `${s.name} path and taps`);
  }
});

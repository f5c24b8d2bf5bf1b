// The stepped world is runWorld cut into ticks: from power-up it feeds the module the same
// samples, so the module ends in the same state; and a headset's settings are read back from
// the module it runs.
import t from 'tap';
import { loadFirmware } from '../../../firmware/loader.ts';
import { HeadsetSettings } from '../../../simulator/fleet/headset-settings.ts';
import { SteppedAcoustics } from '../../../simulator/fleet/stepped-acoustics.ts';
import { getScenario } from '../../../simulator/scenarios/index.ts';
import { runScenario } from '../../../simulator/world.ts';

t.test('100 ms steps over one noise loop match runScenario', async (t) => {
  const scenario = { ...getScenario('tone'), seconds: 0.5 };
  const whole = runScenario(scenario);
  const fw = loadFirmware();
  const stepped = new SteppedAcoustics(fw, { scenario, loopSeconds: 0.5 });
  for (let i = 0; i < 5; i++) stepped.stepSeconds(0.1);
  const s = fw.status();
  t.equal(s.samples, whole.status.samples);
  t.ok(Math.abs(s.attenuationDb - whole.status.attenuationDb) < 0.01, `${s.attenuationDb} vs ${whole.status.attenuationDb} dB`);
  // and it keeps going past the loop's end
  stepped.stepSeconds(0.3);
  t.ok(Number.isFinite(fw.status().attenuationDb));
});

t.test('settings apply to the module and refusals are reported, not thrown', async (t) => {
  const fw = loadFirmware();
  new SteppedAcoustics(fw, { scenario: getScenario('cabin') }); // 256 taps
  const settings = new HeadsetSettings(fw, { firmwareVersion: '1.2.3' });
  t.match(settings.current(), { ancMode: 'anc', algorithm: 'fxlms', intensity: 1, firmwareVersion: '1.2.3' });
  const outcome = settings.apply({ intensity: 0.3, ancMode: 'off', algorithm: 'rls', eq: [] });
  t.same(outcome.reported, { intensity: 0.3, ancMode: 'off' });
  t.equal(outcome.refused[0]?.field, 'algorithm', 'RLS with 256 taps is refused by the module');
  t.same(outcome.unsupported, ['eq']);
  t.equal(fw.getParam('bypass'), 1, 'off bypasses the module');
  t.equal(settings.current().algorithm, 'fxlms', 'still reports what runs');
});

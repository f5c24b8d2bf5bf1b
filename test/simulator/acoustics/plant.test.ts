import t from 'tap';
import { join } from 'node:path';
import { peakIndex, responseAt } from '../../../simulator/acoustics/impulse-response.ts';
import { PATH_TAPS, PLANT_PRESETS, plantFromWav, plantPaths, type PlantPreset } from '../../../simulator/acoustics/plant.ts';
import { writeWav } from '../../../simulator/wav.ts';

const fs = 48000;
const db = (h: Float32Array, hz: number) => 20 * Math.log10(responseAt(h, hz, fs).magnitude);
const firstArrival = (h: Float32Array) => h.findIndex((v) => Math.abs(v) > 1e-3 * Math.max(...h.map(Math.abs)));

t.test('every preset has causal paths of the stated length, noise later than anti-noise', async (t) => {
  for (const preset of PLANT_PRESETS) {
    const { primary, secondary } = plantPaths(preset);
    t.equal(primary.length, PATH_TAPS);
    t.equal(secondary.length, PATH_TAPS);
    // the firmware's anti-noise also spends 1 block + 1 DAC + 1 ADC sample on the way
    const margin = firstArrival(primary) - (firstArrival(secondary) + 3);
    t.ok(margin >= 2, `${preset}: broadband cancellation is causal with ${margin} samples to spare`);
  }
});

t.test('the closed cup isolates like one: a few dB at low frequencies, about -22 dB above 1-2 kHz', async (t) => {
  const { primary, secondary } = plantPaths('earcup-closed');
  t.equal(peakIndex(primary), 8);
  t.ok(db(primary, 100) > -5 && db(primary, 100) < 0, `${db(primary, 100)} dB at 100 Hz`);
  t.ok(db(primary, 2000) < -20 && db(primary, 2000) > -25, `${db(primary, 2000)} dB at 2 kHz`);
  t.ok(peakIndex(secondary) >= 2 && peakIndex(secondary) <= 4);
  t.ok(db(secondary, 8000) < db(secondary, 1000) - 2, 'speaker rolls off at the top');
});

t.test('a leaky seal lets noise in and costs the speaker its bass; a shifted cup changes a few dB', async (t) => {
  const closed = plantPaths('earcup-closed');
  const leaky = plantPaths('earcup-leaky');
  t.ok(db(leaky.primary, 1000) > db(closed.primary, 1000) + 8);
  t.ok(db(leaky.secondary, 60) < db(closed.secondary, 60) - 10);
  const shifted = plantPaths('earcup-shifted');
  for (const hz of [100, 1000]) {
    const change = Math.abs(db(shifted.secondary, hz) - db(closed.secondary, hz));
    t.ok(change > 1 && change < 6, `secondary moves ${change.toFixed(1)} dB at ${hz} Hz`);
  }
});

t.test('the ideal plant is pure delays', async (t) => {
  const { primary, secondary } = plantPaths('ideal');
  t.equal(secondary[1], 1);
  t.equal(secondary.reduce((s, v) => s + Math.abs(v), 0), 1);
  t.equal(primary[8], 0.5);
});

t.test('unknown presets are refused; measured paths load from WAV', async (t) => {
  t.throws(() => plantPaths('nope' as PlantPreset), /unknown plant preset "nope": one of earcup-closed/);
  const dir = t.testdir();
  writeWav(join(dir, 'p.wav'), fs, [Float32Array.from([0, 0, 0.5])]);
  writeWav(join(dir, 's.wav'), fs, [Float32Array.from([0, 1])]);
  const plant = plantFromWav(join(dir, 'p.wav'), join(dir, 's.wav'));
  t.same(Array.from(plant.primary), [0, 0, 0.5]);
  t.same(Array.from(plant.secondary), [0, 1]);
});

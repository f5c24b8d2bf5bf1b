// The standard scenarios: one per kind of noise a headset meets, plus the hard cases of the plant
// (a headset that moves, a miscalibrated model, an ideal plant for the plain LMS family).
// Parameters are chosen so each converges within a second on the default plant.
import type { Scenario } from './scenario.ts';

const SNR_DB = 40;

export const SUITE: readonly Scenario[] = [
  {
    name: 'tone',
    description: 'A steady 200 Hz hum, the easiest case: FxLMS should remove it almost entirely.',
    seconds: 4,
    algorithm: 'fxlms',
    params: { taps: 32, stepSize: 0.03 },
    sensorSnrDb: SNR_DB,
    noise: { kind: 'tones', tones: [{ hz: 200, amplitude: 0.3 }] },
  },
  {
    name: 'engine-runup',
    description: 'A four-cylinder engine revving from 1500 to 4500 rpm: firing harmonics from 50 to 600 Hz that the filter must track.',
    seconds: 4,
    algorithm: 'fxlms',
    params: { taps: 128, stepSize: 0.05 },
    sensorSnrDb: SNR_DB,
    noise: { kind: 'engine-runup', rpmFrom: 1500, rpmTo: 4500, rampSeconds: 4, harmonics: [0.1, 0.05, 0.03, 0.015] },
  },
  {
    name: 'cabin',
    description: 'Aircraft cabin: broadband rumble below 500 Hz with engine tones.',
    seconds: 4,
    algorithm: 'fxlms',
    params: { taps: 256, stepSize: 0.05 },
    sensorSnrDb: SNR_DB,
    noise: { kind: 'cabin', rms: 0.2 },
  },
  {
    name: 'hvac',
    description: 'Air conditioning: duct rumble below 200 Hz and fan blade-pass tones.',
    seconds: 4,
    algorithm: 'fxlms',
    params: { taps: 256, stepSize: 0.05 },
    sensorSnrDb: SNR_DB,
    noise: { kind: 'hvac', rms: 0.2 },
  },
  {
    name: 'road',
    description: 'Car road noise: tyre/road broadband 50-1000 Hz, tyre cavity and driveline tones.',
    seconds: 4,
    algorithm: 'fxlms',
    params: { taps: 256, stepSize: 0.05 },
    sensorSnrDb: SNR_DB,
    noise: { kind: 'road', rms: 0.2 },
  },
  {
    name: 'babble',
    description: 'Six talkers at once: broadband, non-stationary, mostly above the band ANC handles best.',
    seconds: 4,
    algorithm: 'fxlms',
    params: { taps: 256, stepSize: 0.05 },
    sensorSnrDb: SNR_DB,
    noise: { kind: 'babble', rms: 0.1, talkers: 6 },
  },
  {
    name: 'wind',
    description: 'Wind turbulence at each mic, unrelated between them: the honest result is about 0 dB, and ANC must not make it worse.',
    seconds: 4,
    algorithm: 'fxlms',
    params: { taps: 256, stepSize: 0.003, leakage: 0.0003 }, // leakage keeps the weights from wandering on noise nothing predicts
    sensorSnrDb: SNR_DB,
    noise: { kind: 'wind', rms: 0.1 },
  },
  {
    name: 'path-change',
    description: 'Road noise; after 2 s the headset shifts on the head and both paths change by a few dB.',
    seconds: 4,
    algorithm: 'fxlms',
    params: { taps: 256, stepSize: 0.05 },
    sensorSnrDb: SNR_DB,
    noise: { kind: 'road', rms: 0.2 },
    pathChange: { atSeconds: 2, plant: 'earcup-shifted' },
  },
  {
    name: 'sec-path-error',
    description: 'Cabin noise with a secondary-path model 10 % off (||S^ - S|| / ||S|| = 0.1), as a rough calibration leaves it.',
    seconds: 4,
    algorithm: 'fxlms',
    params: { taps: 256, stepSize: 0.05 },
    sensorSnrDb: SNR_DB,
    noise: { kind: 'cabin', rms: 0.2 },
    secondaryPathError: 0.1,
  },
  {
    name: 'ideal-plant',
    description: 'No cup and a speaker that is a pure one-sample delay: plain NLMS needs no secondary-path model here.',
    seconds: 4,
    algorithm: 'nlms',
    params: { taps: 64, stepSize: 0.05 },
    sensorSnrDb: SNR_DB,
    noise: { kind: 'band', rms: 0.2, lowHz: 50, highHz: 1000 },
    plant: 'ideal',
  },
];

// The front end the trained model asks the firmware for (docs/model-format.md, "Features"), and a
// feature-only blob that makes the firmware run exactly that front end before any network exists.
import { encodeModelBlob, type ClassifierModel, type FeatureSettings } from '../../firmware/model-blob.ts';

/** Front-end settings without the normalisation, which comes from the training data. */
export type FrontEnd = Omit<FeatureSettings, 'normMean' | 'normScale'>;

/**
 * 32 log-mel bands at 16 kHz, 32 ms frames every 20 ms; the network sees 20 frames (0.41 s) and
 * runs every 5 hops (10 inferences a second). 16 kHz divides 16, 32 and 48 kHz ANC rates.
 */
export const DEFAULT_FRONT_END: FrontEnd = {
  sampleRate: 16000,
  frameLength: 512,
  hopLength: 320,
  fftSize: 512,
  window: 'hann',
  melBands: 32,
  fminHz: 50,
  fmaxHz: 8000,
  logFloor: Math.fround(1e-10),
  mfccCount: 0,
  contextFrames: 20,
  inferInterval: 5,
};

export const featureCount = (fe: FrontEnd): number => fe.mfccCount || fe.melBands;

/**
 * A valid blob with `fe` and a 1-layer network of zeros: loaded into the firmware it makes the
 * front end compute the frames, which is all feature extraction needs.
 */
export function featureProbeBlob(fe: FrontEnd, classCount: number): Uint8Array {
  const F = featureCount(fe);
  const inSize = F * fe.contextFrames;
  const model: ClassifierModel = {
    version: { major: 0, minor: 0, patch: 0 },
    features: { ...fe, normMean: new Array<number>(F).fill(0), normScale: new Array<number>(F).fill(1) },
    input: { scale: 1, zeroPoint: 0 },
    classes: Array.from({ length: classCount }, (_, i) => ({ label: `c${i}`, emergency: false, threshold: 0 })),
    layers: [{
      type: 'dense', activation: 'softmax', inSize, outSize: classCount, channelsIn: inSize, channelsOut: classCount, kernel: 1,
      weights: new Array<number>(inSize * classCount).fill(0), bias: new Array<number>(classCount).fill(0),
      weightScale: new Array<number>(classCount).fill(1), outScale: 0, outZeroPoint: 0,
    }],
    decision: { smoothingMs: 0, emergencyMinMs: 0, emergencyHoldMs: 0, emergencyFadeMs: 1 },
  };
  return encodeModelBlob(model);
}

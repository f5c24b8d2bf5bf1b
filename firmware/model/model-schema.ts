// The decoded model blob as TypeBox schemas: what `decodeModelBlob` returns and `encodeModelBlob`
// takes. The schemas describe shape and storage width (what fits each field of the layout); the
// format's rules (ranges, chaining, offsets) are the decoder's, so they carry error codes.
// Floats are stored as f32: decode(encode(m)) returns every float rounded to f32.
import { Type, type Static } from '@sinclair/typebox';
import { ACTIVATIONS, LAYER_TYPES, WINDOWS } from './blob-layout.ts';

const u8 = Type.Integer({ minimum: 0, maximum: 0xff });
const u16 = Type.Integer({ minimum: 0, maximum: 0xffff });
const u32 = Type.Integer({ minimum: 0, maximum: 0xffffffff });
const i32 = Type.Integer({ minimum: -(2 ** 31), maximum: 2 ** 31 - 1 });
const i8 = Type.Integer({ minimum: -128, maximum: 127 });
const f32 = Type.Number();

export const ModelVersion = Type.Object({ major: u16, minor: u16, patch: u16 }, { additionalProperties: false });
export type ModelVersion = Static<typeof ModelVersion>;

export const FeatureSettings = Type.Object(
  {
    /** Rate the front end runs at, Hz (the firmware decimates the ANC stream to it). */
    sampleRate: u32,
    frameLength: u16,
    hopLength: u16,
    fftSize: u16,
    window: Type.Union(WINDOWS.map((w) => Type.Literal(w))),
    melBands: u8,
    fminHz: f32,
    fmaxHz: f32,
    /** Mel energies are floored here before the natural log. */
    logFloor: f32,
    /** 0: the network sees log-mel; n > 0: the first n DCT-II coefficients (MFCC). */
    mfccCount: u8,
    /** Frames of features the network sees at once, oldest first. */
    contextFrames: u8,
    /** Hops between two inferences. */
    inferInterval: u16,
    /** Per feature (F = mfccCount || melBands): normalised = (feature - mean) * scale. */
    normMean: Type.Array(f32),
    normScale: Type.Array(f32),
  },
  { additionalProperties: false },
);
export type FeatureSettings = Static<typeof FeatureSettings>;

/** Quantisation of the network input: q = round(normalised / scale) + zeroPoint. */
export const InputQuant = Type.Object({ scale: f32, zeroPoint: i32 }, { additionalProperties: false });
export type InputQuant = Static<typeof InputQuant>;

export const ClassEntry = Type.Object(
  {
    label: Type.String(),
    /** Siren, alarm, horn: detection fades the anti-noise to transparency. */
    emergency: Type.Boolean(),
    /** Smoothed confidence needed to report (or, for an emergency class, to trigger) this class. */
    threshold: f32,
  },
  { additionalProperties: false },
);
export type ClassEntry = Static<typeof ClassEntry>;

export const Layer = Type.Object(
  {
    type: Type.Union(LAYER_TYPES.map((t) => Type.Literal(t))),
    activation: Type.Union(ACTIVATIONS.map((a) => Type.Literal(a))),
    inSize: u16,
    outSize: u16,
    /** dense: = inSize; conv: channels per time step of the input. */
    channelsIn: u16,
    /** dense: = outSize; depthwise: = channelsIn; pointwise: channels per time step of the output. */
    channelsOut: u16,
    /** depthwise: taps along time; dense and pointwise: 1. */
    kernel: u16,
    /** dense [out][in], depthwise [channel][tap], pointwise [out channel][in channel]. */
    weights: Type.Array(i8),
    /** One per output channel, in units of inputScale * weightScale. */
    bias: Type.Array(i32),
    /** One per output channel: real weight = weights * weightScale (symmetric, zero point 0). */
    weightScale: Type.Array(f32),
    /** Output quantisation; 0 and 0 on the last layer, whose output is f32 logits. */
    outScale: f32,
    outZeroPoint: i32,
  },
  { additionalProperties: false },
);
export type Layer = Static<typeof Layer>;

export const DecisionSettings = Type.Object(
  {
    /** Time constant of the exponential smoothing of the class scores; 0: none. */
    smoothingMs: u32,
    /** An emergency class must stay above its threshold this long before it triggers. */
    emergencyMinMs: u32,
    /** ...and stays active this long after it falls below. */
    emergencyHoldMs: u32,
    /** Fade time of the anti-noise to transparency and back. */
    emergencyFadeMs: u32,
  },
  { additionalProperties: false },
);
export type DecisionSettings = Static<typeof DecisionSettings>;

export const ClassifierModel = Type.Object(
  {
    version: ModelVersion,
    features: FeatureSettings,
    input: InputQuant,
    classes: Type.Array(ClassEntry),
    layers: Type.Array(Layer),
    decision: DecisionSettings,
  },
  { additionalProperties: false },
);
export type ClassifierModel = Static<typeof ClassifierModel>;

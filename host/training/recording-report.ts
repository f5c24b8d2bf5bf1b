// What `anc classify file.wav --json` and `anc-sim run --noise file.wav --json` report about a
// recording run through the firmware with a model loaded: the classifier's decisions over time and
// every emergency the detector raised. TypeBox schemas are the one definition of the JSON; the
// tests check the commands' output against them.
import { Type, type Static } from '@sinclair/typebox';
import { EMERGENCY_KINDS } from '../../firmware/loader.ts';

const Seconds = Type.Number({ minimum: 0, description: 'seconds from the start of the recording' });
const ClassLabel = Type.Union([Type.String(), Type.Null()], { description: 'the reported class; null before the first inference or below its threshold' });
const EmergencyKind = Type.Union(EMERGENCY_KINDS.filter((k) => k !== 'none').map((k) => Type.Literal(k)));

/** One inference: what the status struct said right after it. */
export const Decision = Type.Object(
  {
    time: Seconds,
    class: ClassLabel,
    /** Smoothed score of the arg-max class (also when below its threshold). */
    confidence: Type.Number({ minimum: 0 }),
    /** The reported class is one of the model's emergency classes. */
    emergency: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type Decision = Static<typeof Decision>;

/** A stretch where the reported (smoothed) class stays the same. */
export const ClassSegment = Type.Object(
  {
    start: Seconds,
    end: Seconds,
    class: ClassLabel,
    emergency: Type.Boolean(),
    decisions: Type.Integer({ minimum: 1 }),
    meanConfidence: Type.Number({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type ClassSegment = Static<typeof ClassSegment>;

/** An emergency sound as labelled next to the recording (see recording-labels.ts). */
export const LabelledEmergency = Type.Object(
  { class: Type.String(), onset: Seconds, offset: Type.Union([Seconds, Type.Null()]) },
  { additionalProperties: false },
);
export type LabelledEmergency = Static<typeof LabelledEmergency>;

/** One emergency the firmware detected: status emergency_state went from 0 to `kind` and back. */
export const EmergencyEvent = Type.Object(
  {
    kind: EmergencyKind,
    /** When emergency_state became non-zero (detection; the anti-noise fades from here). */
    start: Seconds,
    /** When it returned to 0 (emergency_hold_ms after the last detected frame); null if still on at the end. */
    end: Type.Union([Seconds, Type.Null()]),
    /** The labelled sound this detection belongs to, or null. */
    label: Type.Union([LabelledEmergency, Type.Null()]),
    /** start - label onset, in ms; null when the onset is unknown (see note). */
    latencyMs: Type.Union([Type.Number(), Type.Null()]),
    /** Why latencyMs is null, or null. */
    note: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);
export type EmergencyEvent = Static<typeof EmergencyEvent>;

export const RecordingReport = Type.Object(
  {
    file: Type.String(),
    /** Rate the firmware ran at (the file's own, or the simulator's 48 kHz for `anc-sim run`). */
    sampleRate: Type.Integer({ minimum: 1 }),
    /** Channels in the file; the first one is the reference mic. */
    channels: Type.Integer({ minimum: 1 }),
    seconds: Seconds,
    /** Frames per anc_process call: at most one emergency-detector hop (8 ms) and one feature hop. */
    block: Type.Integer({ minimum: 1 }),
    model: Type.Object(
      {
        file: Type.String(),
        version: Type.String(),
        classes: Type.Array(Type.String()),
        emergencyClasses: Type.Array(Type.String()),
        /** Seconds between two decisions (hop x infer_interval). */
        decisionInterval: Type.Number({ exclusiveMinimum: 0 }),
      },
      { additionalProperties: false },
    ),
    decisions: Type.Array(Decision),
    segments: Type.Array(ClassSegment),
    /** Decisions per class ("null": no class reported). */
    summary: Type.Record(Type.String(), Type.Integer({ minimum: 0 })),
    /** The class reported most often (null if none was). */
    dominant: ClassLabel,
    emergencies: Type.Array(EmergencyEvent),
    /** Where the emergency onsets came from. */
    labels: Type.Object(
      {
        /** The labels file used, or null when none was found. */
        file: Type.Union([Type.String(), Type.Null()]),
        /** Emergency sounds it lists for this recording (empty: none, e.g. a non-emergency clip). */
        emergencies: Type.Array(LabelledEmergency),
        note: Type.Union([Type.String(), Type.Null()]),
      },
      { additionalProperties: false },
    ),
    /** Labelled emergency sounds no detection was matched to. */
    missed: Type.Array(LabelledEmergency),
  },
  { additionalProperties: false },
);
export type RecordingReport = Static<typeof RecordingReport>;

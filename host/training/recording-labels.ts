// Where the emergency sounds in a recording start, when something next to it says so, and which
// detection belongs to which sound. Two files are understood, both written by `anc-sim scenes`
// (docs/scenes.md) and easy to write by hand for a real recording:
//   <name>.json beside <name>.wav: { "events": [{ "class", "onsetSeconds", "offsetSeconds"? }] }
//     (a long mixture's labels); every event is an emergency sound;
//   labels.json of a scene dataset, in the file's folder or up to two above, listing the file
//     under "clips" with its class, emergency flag and onset.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { EmergencyEvent, LabelledEmergency } from './recording-report.ts';

const LabelledEvent = Type.Object({ class: Type.String(), onsetSeconds: Type.Number({ minimum: 0 }), offsetSeconds: Type.Optional(Type.Number({ minimum: 0 })) });
const EventsFile = Type.Object({ events: Type.Array(LabelledEvent) });
const DatasetLabels = Type.Object({
  clips: Type.Array(
    Type.Object({ file: Type.String(), class: Type.String(), emergency: Type.Boolean(), onsetSeconds: Type.Optional(Type.Number({ minimum: 0 })), offsetSeconds: Type.Optional(Type.Number({ minimum: 0 })) }),
  ),
});

export interface RecordingLabels {
  file: string | null;
  emergencies: LabelledEmergency[];
  note: string | null;
}

const labelled = (c: Static<typeof LabelledEvent>): LabelledEmergency => ({ class: c.class, onset: c.onsetSeconds, offset: c.offsetSeconds ?? null });

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The labels next to `wavPath`, or { file: null } with the reason latencies will be unknown. */
export function findRecordingLabels(wavPath: string): RecordingLabels {
  const path = resolve(wavPath);
  const skipped: string[] = [];
  const own = join(dirname(path), `${basename(path, extname(path))}.json`);
  if (existsSync(own)) {
    const data = readJson(own);
    if (Value.Check(EventsFile, data)) return { file: own, emergencies: data.events.map(labelled), note: null };
    skipped.push(`${own} has no "events" list of { class, onsetSeconds }`);
  }
  for (let dir = dirname(path), up = 0; up <= 2; dir = dirname(dir), up++) {
    const file = join(dir, 'labels.json');
    if (!existsSync(file)) continue;
    const data = readJson(file);
    if (!Value.Check(DatasetLabels, data)) {
      skipped.push(`${file} is not a scene dataset's labels file`);
      continue;
    }
    const clip = data.clips.find((c) => resolve(dir, c.file) === path);
    if (!clip) continue;
    const emergencies = clip.emergency && clip.onsetSeconds !== undefined ? [labelled({ ...clip, onsetSeconds: clip.onsetSeconds })] : [];
    return { file, emergencies, note: clip.emergency && clip.onsetSeconds === undefined ? `${clip.file} is labelled ${clip.class} without an onset` : null };
  }
  const why = `no labels beside the recording (${basename(own)} or a scene dataset's labels.json): onsets, so latencies, are unknown`;
  return { file: null, emergencies: [], note: skipped.length ? `${why}; skipped ${skipped.join('; ')}` : why };
}

export interface Detection {
  kind: EmergencyEvent['kind'];
  start: number;
  end: number | null;
}

/**
 * Pairs each detection with the labelled sound it answers: the one with the latest onset at or
 * before the detection that has not ended more than `holdSeconds` before it (the detector stays on
 * that long after its last frame). Latency is measured once per sound, from its first detection.
 */
export function matchDetections(detections: Detection[], labels: RecordingLabels, holdSeconds: number): { events: EmergencyEvent[]; missed: LabelledEmergency[] } {
  const used = new Set<LabelledEmergency>();
  const round = (v: number) => Math.round(v * 10) / 10;
  const events = detections.map((d): EmergencyEvent => {
    const label = labels.emergencies
      .filter((l) => l.onset <= d.start && (l.offset === null || d.start <= l.offset + holdSeconds))
      .sort((a, b) => b.onset - a.onset)[0];
    if (!label) {
      const note = labels.file === null ? (labels.note ?? 'onset unknown') : `no labelled emergency sound in ${labels.file} at ${d.start.toFixed(3)} s: a false trigger`;
      return { ...d, label: null, latencyMs: null, note };
    }
    if (used.has(label)) return { ...d, label, latencyMs: null, note: `another detection of the ${label.class} from ${label.onset.toFixed(3)} s (latency counted at its first)` };
    used.add(label);
    return { ...d, label, latencyMs: round((d.start - label.onset) * 1000), note: null };
  });
  return { events, missed: labels.emergencies.filter((l) => !used.has(l)) };
}

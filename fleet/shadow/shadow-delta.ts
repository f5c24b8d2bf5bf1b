// The delta: what the device still has to do. As in AWS shadows it holds the fields of `desired`
// that differ from `reported`, recursing into objects; fields only in `reported` never appear, and
// arrays are whole values (a changed element puts the whole desired array in the delta).
import { deepEqual, isJsonObject } from './json-value.ts';
import type { JsonObject } from './json-value.ts';
import type { MetadataTree } from './shadow-merge.ts';

export function computeDelta(desired: JsonObject, reported: JsonObject): JsonObject {
  const delta: JsonObject = {};
  for (const [key, want] of Object.entries(desired)) {
    const have = reported[key];
    if (isJsonObject(want) && isJsonObject(have)) {
      const sub = computeDelta(want, have);
      if (Object.keys(sub).length > 0) delta[key] = sub;
    } else if (!deepEqual(want, have)) {
      delta[key] = structuredClone(want);
    }
  }
  return delta;
}

/** The desired-side timestamps of exactly the fields in a delta, for the delta message. */
export function deltaMetadata(delta: JsonObject, desiredMetadata: MetadataTree): MetadataTree {
  const metadata: MetadataTree = {};
  for (const [key, value] of Object.entries(delta)) {
    const meta = desiredMetadata[key];
    if (meta === undefined) continue;
    // A delta object always comes from a desired object, whose metadata is a subtree.
    metadata[key] = isJsonObject(value) ? deltaMetadata(value, meta as MetadataTree) : meta;
  }
  return metadata;
}

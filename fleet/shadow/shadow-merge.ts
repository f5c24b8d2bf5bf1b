// Merging a partial update into one shadow section (desired or reported), the AWS way: objects
// merge key by key, everything else (including arrays) replaces, `null` deletes. Every written
// leaf gets a timestamp in a metadata tree of the same shape. Inputs are never mutated.
import { deepEqual, isJsonObject } from './json-value.ts';
import type { JsonObject, JsonValue } from './json-value.ts';

/** Metadata of one leaf: when it was last written (epoch ms, from the caller's clock). */
export interface FieldTimestamp {
  timestamp: number;
}

/** Mirrors a section: an object field has a subtree, a leaf (value or array) has a timestamp. */
export interface MetadataTree {
  [key: string]: MetadataTree | FieldTimestamp;
}

export interface Section {
  state: JsonObject;
  metadata: MetadataTree;
}

/**
 * Applies `patch` to a section. Objects that end up empty are removed, so the stored state holds
 * no nulls and no empty objects: "absent" has one spelling, which keeps delta and equality simple.
 * The patch must already be validated (no forbidden keys, no nulls in arrays).
 */
export function mergeSection(section: Section, patch: JsonObject, now: number): Section {
  const state: JsonObject = { ...section.state };
  const metadata: MetadataTree = { ...section.metadata };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete state[key];
      delete metadata[key];
    } else if (isJsonObject(value)) {
      const current = state[key];
      const merged = isJsonObject(current)
        ? mergeSection({ state: current, metadata: (metadata[key] ?? {}) as MetadataTree }, value, now)
        : mergeSection({ state: {}, metadata: {} }, value, now);
      if (Object.keys(merged.state).length === 0) {
        delete state[key];
        delete metadata[key];
      } else {
        state[key] = merged.state;
        metadata[key] = merged.metadata;
      }
    } else {
      // Copy arrays so the stored document never aliases the caller's request.
      state[key] = structuredClone(value);
      metadata[key] = { timestamp: now };
    }
  }
  return { state, metadata };
}

/**
 * The patch that turns `before` into `after`: changed leaves with their new value, removed keys as
 * null. It is what the history records as "what changed", and `mergeSection(before, diff)`
 * rebuilds `after` (a property the tests check).
 */
export function diffSections(before: JsonObject, after: JsonObject): JsonObject {
  const change: JsonObject = {};
  for (const [key, value] of Object.entries(after)) {
    const old = before[key];
    if (isJsonObject(value) && isJsonObject(old)) {
      const sub = diffSections(old, value);
      if (Object.keys(sub).length > 0) change[key] = sub;
    } else if (!deepEqual(old, value)) {
      change[key] = structuredClone(value);
    }
  }
  for (const key of Object.keys(before)) {
    if (!Object.hasOwn(after, key)) change[key] = null;
  }
  return change;
}

/** Timestamps for every field a patch names, deletions included, for the `accepted` reply. */
export function touchedMetadata(patch: JsonObject, now: number): MetadataTree {
  const metadata: MetadataTree = {};
  for (const [key, value] of Object.entries(patch)) {
    metadata[key] = isJsonObject(value) && Object.keys(value).length > 0 ? touchedMetadata(value, now) : { timestamp: now };
  }
  return metadata;
}

/** True when every field of `part` is present with an equal value in `whole` (objects recursively). */
export function isSubset(part: JsonValue, whole: JsonValue | undefined): boolean {
  if (isJsonObject(part) && isJsonObject(whole)) {
    return Object.entries(part).every(([key, value]) => Object.hasOwn(whole, key) && isSubset(value, whole[key]));
  }
  return deepEqual(part, whole);
}

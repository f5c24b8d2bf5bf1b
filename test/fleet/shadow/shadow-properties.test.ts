// Property-style tests: a seeded generator produces random update sequences (nested objects,
// arrays, deletions, stale versions, oversized values), and invariants are checked after each step.
// A failing seed is printed, so a failure replays exactly.
import t from 'tap';
import { applyUpdate } from '../../../fleet/shadow/shadow-update.ts';
import { emptyShadow } from '../../../fleet/shadow/shadow-document.ts';
import { computeDelta } from '../../../fleet/shadow/shadow-delta.ts';
import { isSubset, mergeSection } from '../../../fleet/shadow/shadow-merge.ts';
import { deepEqual, isJsonObject, jsonByteLength } from '../../../fleet/shadow/json-value.ts';
import type { JsonObject, JsonValue } from '../../../fleet/shadow/json-value.ts';
import type { MetadataTree } from '../../../fleet/shadow/shadow-merge.ts';
import type { ShadowDocument } from '../../../fleet/shadow/shadow-document.ts';

/** mulberry32: tiny, fast, good enough for test generation, and reproducible from one number. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = ['a', 'b', 'c', 'mode', 'led'];

function generator(rand: () => number) {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const leaf = (): JsonValue =>
    pick([() => Math.floor(rand() * 4), () => pick(['x', 'y']), () => rand() < 0.5, () => [Math.floor(rand() * 3)], () => 'z'.repeat(rand() < 0.05 ? 6000 : 3)])();
  const patch = (depth: number): JsonObject => {
    const out: JsonObject = {};
    const n = 1 + Math.floor(rand() * 3);
    for (let i = 0; i < n; i++) {
      const r = rand();
      out[pick(KEYS)] = r < 0.25 ? null : r < 0.5 && depth < 3 ? patch(depth + 1) : r < 0.55 ? {} : leaf();
    }
    return out;
  };
  const known = (): JsonObject => pick<JsonObject>([{ ancMode: pick(['off', 'anc', 'adaptive']) }, { intensity: Math.round(rand() * 10) / 10 }, { algorithm: null }]);
  return (doc: ShadowDocument) => {
    const state: Record<string, JsonObject | null> = {};
    const r = rand();
    if (r < 0.45 || r > 0.9) state.desired = rand() < 0.05 ? null : { ...patch(1), ...(rand() < 0.3 ? known() : {}) };
    if (r >= 0.45) state.reported = rand() < 0.05 ? null : rand() < 0.3 ? structuredClone(doc.state.desired) : patch(1);
    const update: Record<string, unknown> = { state };
    const v = rand();
    if (v < 0.3) update.version = doc.version;
    else if (v < 0.4) update.version = Math.max(0, doc.version - 1 - Math.floor(rand() * 3));
    return update;
  };
}

function hasNullOrEmpty(value: JsonValue): boolean {
  if (value === null) return true;
  if (Array.isArray(value)) return value.some(hasNullOrEmpty);
  if (isJsonObject(value)) return Object.keys(value).length === 0 || Object.values(value).some(hasNullOrEmpty);
  return false;
}

/** Metadata has exactly the state's keys; leaves carry a timestamp no later than now. */
function metadataMirrors(state: JsonObject, meta: MetadataTree, now: number): boolean {
  const keys = Object.keys(state).sort();
  if (!deepEqual(keys, Object.keys(meta).sort())) return false;
  return keys.every((key) => {
    const value = state[key]!;
    const m = meta[key]!;
    return isJsonObject(value) ? metadataMirrors(value, m as MetadataTree, now) : typeof m.timestamp === 'number' && (m.timestamp as number) <= now;
  });
}

const SEEDS = Array.from({ length: 40 }, (_, i) => 0x5eed + i * 7919);
const STEPS = 150;

t.test('invariants hold over random update sequences', async (t) => {
  let accepted = 0;
  let rejected = 0;
  for (const seed of SEEDS) {
    const rand = random(seed);
    const next = generator(rand);
    let doc = emptyShadow();
    const history: Array<{ desired?: JsonObject; reported?: JsonObject }> = [];
    for (let step = 0; step < STEPS; step++) {
      const now = 1_000 + step * 10;
      const update = next(doc);
      const before = structuredClone(doc);
      const result = applyUpdate(doc, update, { now, actor: `seed:${seed}` });
      const where = `seed ${seed} step ${step}: ${JSON.stringify(update).slice(0, 200)}`;
      if (!deepEqual(doc, before)) return t.fail(`input mutated at ${where}`);
      if (!result.ok) {
        rejected++;
        const stale = typeof update.version === 'number' && update.version !== doc.version;
        if (stale && result.rejection.code !== 409) return t.fail(`stale version not 409 at ${where}`);
        if (!stale && result.rejection.code !== 413) return t.fail(`unexpected ${result.rejection.code} ${result.rejection.message} at ${where}`);
        continue;
      }
      accepted++;
      const after = result.document;
      if (after.version !== doc.version + 1) return t.fail(`version did not step by one at ${where}`);
      if (result.history.version !== after.version) return t.fail(`history version mismatch at ${where}`);
      for (const section of ['desired', 'reported'] as const) {
        if (Object.values(after.state[section]).some(hasNullOrEmpty)) return t.fail(`null or empty object survived in ${section} at ${where}`);
        if (!metadataMirrors(after.state[section], after.metadata[section], now)) return t.fail(`metadata does not mirror ${section} at ${where}`);
        const change = result.history.change[section];
        const replay = change ? mergeSection({ state: doc.state[section], metadata: doc.metadata[section] }, change, now).state : doc.state[section];
        if (!deepEqual(replay, after.state[section])) return t.fail(`history change does not replay ${section} at ${where}`);
      }
      const delta = computeDelta(after.state.desired, after.state.reported);
      const empty = Object.keys(delta).length === 0;
      if (empty !== isSubset(after.state.desired, after.state.reported)) return t.fail(`delta empty iff subset broken at ${where}`);
      if ((result.delta === null) !== empty) return t.fail(`delta message disagrees with computeDelta at ${where}`);
      if (!isSubset(delta, after.state.desired)) return t.fail(`delta holds something not desired at ${where}`);
      if (jsonByteLength(after.state) > 8192) return t.fail(`size limit exceeded at ${where}`);
      history.push(result.history.change);
      doc = after;
    }
    // Replaying every recorded change from an empty shadow rebuilds the final state.
    let rebuilt: ShadowDocument['state'] = { desired: {}, reported: {} };
    for (const change of history) {
      rebuilt = {
        desired: change.desired ? mergeSection({ state: rebuilt.desired, metadata: {} }, change.desired, 0).state : rebuilt.desired,
        reported: change.reported ? mergeSection({ state: rebuilt.reported, metadata: {} }, change.reported, 0).state : rebuilt.reported,
      };
    }
    if (!deepEqual(rebuilt, doc.state)) return t.fail(`history replay differs for seed ${seed}`);
    t.equal(doc.version, history.length, `seed ${seed}: version counts accepted updates`);
  }
  t.ok(accepted > 1000 && rejected > 100, `exercised both paths (${accepted} accepted, ${rejected} rejected)`);
});

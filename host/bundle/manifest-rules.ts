// Rules a schema cannot express: artifact names unique, kinds consistent with artifact types,
// offsets laid out in order and aligned, segment lists the right length, dates real.
import { BundleError } from './bundle-error.ts';
import { ALIGNMENT, pad8 } from './bundle-layout.ts';
import type { ArtifactTypeName, BundleKindName, Manifest } from './manifest-schema.ts';
import { segmentCount } from './segment-hashes.ts';

/** Artifact types each kind may carry, and how many of each. */
const KIND_RULES: Record<BundleKindName, { allowed: ArtifactTypeName[]; minArtifacts: number; maxOne: ArtifactTypeName[] }> = {
  firmware: { allowed: ['firmware-wasm'], minArtifacts: 1, maxOne: ['firmware-wasm'] },
  model: { allowed: ['model-blob'], minArtifacts: 1, maxOne: [] },
  config: { allowed: ['config-json'], minArtifacts: 1, maxOne: ['config-json'] },
  combined: { allowed: ['firmware-wasm', 'model-blob', 'config-json'], minArtifacts: 2, maxOne: ['firmware-wasm', 'config-json'] },
};

/** The kind a set of artifact types calls for: one type alone names it, a mix is 'combined'. */
export function kindFor(types: readonly ArtifactTypeName[]): BundleKindName {
  const distinct = new Set(types);
  if (types.length > 1 && !(distinct.size === 1 && distinct.has('model-blob'))) return 'combined';
  return ({ 'firmware-wasm': 'firmware', 'model-blob': 'model', 'config-json': 'config' } as const)[types[0]];
}

/** Throws BundleError('invalid-manifest') on the first broken rule. `artifactsLength` is the area's size in the file. */
export function checkManifestRules(m: Manifest, artifactsLength: number): void {
  const bad = (msg: string): never => {
    throw new BundleError('invalid-manifest', `manifest: ${msg}`);
  };
  if (Number.isNaN(Date.parse(m.created))) bad(`created '${m.created}' is not a real date`);
  const rule = KIND_RULES[m.kind];
  if (m.artifacts.length < rule.minArtifacts) bad(`kind '${m.kind}' needs at least ${rule.minArtifacts} artifacts`);
  const names = new Set<string>();
  let expectedOffset = 0;
  for (const a of m.artifacts) {
    if (names.has(a.name)) bad(`artifact name '${a.name}' appears twice`);
    names.add(a.name);
    if (!rule.allowed.includes(a.type)) bad(`kind '${m.kind}' cannot carry a ${a.type} artifact ('${a.name}')`);
    if (a.offset !== expectedOffset) bad(`artifact '${a.name}' at offset ${a.offset}, expected ${expectedOffset} (artifacts are packed in order, 8-byte aligned)`);
    if (a.segments.length !== segmentCount(a.size, a.segmentSize)) {
      bad(`artifact '${a.name}' lists ${a.segments.length} segment hashes, ${a.size} bytes in segments of ${a.segmentSize} make ${segmentCount(a.size, a.segmentSize)}`);
    }
    expectedOffset = pad8(a.offset + a.size);
  }
  for (const t of rule.maxOne) {
    if (m.artifacts.filter((a) => a.type === t).length > 1) bad(`at most one ${t} artifact per bundle`);
  }
  if (expectedOffset !== artifactsLength) {
    bad(`artifacts end at ${expectedOffset} but the artifact area is ${artifactsLength} bytes (alignment ${ALIGNMENT})`);
  }
}

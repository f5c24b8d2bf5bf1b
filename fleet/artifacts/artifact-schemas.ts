// TypeBox schemas of the artifact routes, and the views that turn a stored artifact into them.
import { Type } from '@sinclair/typebox';
import { BundleKind, Manifest } from '../../host/bundle/manifest-schema.ts';
import { PageQuery } from '../http/pagination.ts';
import { ARTIFACT_ID_PATTERN } from '../ota/ota-messages.ts';
import type { Artifact } from './artifact-repository.ts';

export const ArtifactId = Type.String({ pattern: ARTIFACT_ID_PATTERN, description: 'SHA-256 of the whole bundle file, lower-case hex' });
export const ArtifactParams = Type.Object({ id: ArtifactId });

export const ArtifactListQuery = Type.Object({ kind: Type.Optional(BundleKind), ...PageQuery }, { additionalProperties: false });

const summaryProperties = {
  id: Type.String(),
  size: Type.Integer({ description: 'bytes of the bundle file' }),
  kind: Type.String(),
  version: Type.String(),
  hardware: Type.Array(Type.String()),
  counter: Type.Integer({ description: 'anti-rollback counter' }),
  keyId: Type.String({ description: 'id of the signing key (16 hex)' }),
  artifacts: Type.Array(Type.Object({ name: Type.String(), type: Type.String(), size: Type.Integer() }), { description: 'what the bundle carries' }),
  uploadedBy: Type.Union([Type.String(), Type.Null()], { description: 'user:<username> or key:<name>' }),
  uploadedAt: Type.String({ format: 'date-time' }),
};

export const ArtifactSummary = Type.Object(summaryProperties);
export const ArtifactDetail = Type.Object({ ...summaryProperties, manifest: Manifest });

export function artifactSummary(a: Artifact) {
  return {
    id: a.id,
    size: a.size,
    kind: a.kind,
    version: a.version,
    hardware: a.hardware,
    counter: a.counter,
    keyId: a.keyId,
    artifacts: a.manifest.artifacts.map((e) => ({ name: e.name, type: e.type, size: e.size })),
    uploadedBy: a.uploadedBy,
    uploadedAt: a.createdAt.toISOString(),
  };
}

export function artifactDetail(a: Artifact) {
  return { ...artifactSummary(a), manifest: a.manifest };
}

/** The list cursor names the last item by (upload time, id): the keyset of the newest-first order. */
export function cursorKey(a: Artifact): string {
  return `${a.createdAt.getTime()}.${a.id}`;
}

export function parseCursorKey(key: string): { createdAt: Date; id: string } | undefined {
  const match = /^(\d{1,15})\.([0-9a-f]{64})$/.exec(key);
  return match ? { createdAt: new Date(Number(match[1])), id: match[2]! } : undefined;
}

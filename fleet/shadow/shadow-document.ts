// The stored shadow document and the messages built from it (get/accepted, delta). Shapes follow
// the AWS IoT Device Shadow documents, with one difference: timestamps are epoch milliseconds
// (our telemetry and events use ms everywhere), where AWS uses seconds.
import { computeDelta, deltaMetadata } from './shadow-delta.ts';
import type { JsonObject } from './json-value.ts';
import type { MetadataTree } from './shadow-merge.ts';

export interface ShadowDocument {
  state: { desired: JsonObject; reported: JsonObject };
  metadata: { desired: MetadataTree; reported: MetadataTree };
  /** 0 for a shadow never written; each accepted update adds exactly 1. */
  version: number;
}

/** `shadow/get/accepted`: the whole document plus its current delta. */
export interface GetAccepted {
  state: { desired: JsonObject; reported: JsonObject; delta?: JsonObject };
  metadata: { desired: MetadataTree; reported: MetadataTree };
  version: number;
  timestamp: number;
  clientToken?: string;
}

/** `shadow/delta`: what the device should change, with when each field was desired. */
export interface DeltaMessage {
  state: JsonObject;
  metadata: MetadataTree;
  version: number;
  timestamp: number;
  clientToken?: string;
}

export function emptyShadow(): ShadowDocument {
  return { state: { desired: {}, reported: {} }, metadata: { desired: {}, reported: {} }, version: 0 };
}

export function getResponse(doc: ShadowDocument, options: { now: number; clientToken?: string }): GetAccepted {
  const delta = computeDelta(doc.state.desired, doc.state.reported);
  const state: GetAccepted['state'] = { desired: structuredClone(doc.state.desired), reported: structuredClone(doc.state.reported) };
  if (Object.keys(delta).length > 0) state.delta = delta;
  return {
    state,
    metadata: structuredClone(doc.metadata),
    version: doc.version,
    timestamp: options.now,
    ...(options.clientToken === undefined ? {} : { clientToken: options.clientToken }),
  };
}

/**
 * The delta message for a document, or null when desired is already met. The broker publishes it
 * when a device connects and after every update that leaves a delta.
 */
export function deltaMessage(doc: ShadowDocument, options: { now: number; clientToken?: string }): DeltaMessage | null {
  const delta = computeDelta(doc.state.desired, doc.state.reported);
  if (Object.keys(delta).length === 0) return null;
  return {
    state: delta,
    metadata: deltaMetadata(delta, doc.metadata.desired),
    version: doc.version,
    timestamp: options.now,
    ...(options.clientToken === undefined ? {} : { clientToken: options.clientToken }),
  };
}

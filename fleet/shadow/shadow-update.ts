// One shadow update, decided: validate the request, check the version (optimistic concurrency),
// merge, check the size of the result, and describe what happened (accepted reply, delta, history
// entry). The caller stores the new document in the same transaction as the history entry, using
// the old version as a compare-and-set guard, since two nodes may race on one shadow.
import { deepEqual, jsonByteLength } from './json-value.ts';
import type { JsonObject } from './json-value.ts';
import { computeDelta } from './shadow-delta.ts';
import { deltaMessage } from './shadow-document.ts';
import type { DeltaMessage, ShadowDocument } from './shadow-document.ts';
import { diffSections, mergeSection, touchedMetadata } from './shadow-merge.ts';
import type { MetadataTree } from './shadow-merge.ts';
import { SHADOW_LIMITS, checkUpdateRequest } from './shadow-schema.ts';

/** AWS shadow error codes used here: bad request, version conflict, payload too large. */
export const SHADOW_ERROR = { badRequest: 400, versionConflict: 409, payloadTooLarge: 413 } as const;
export type ShadowErrorCode = (typeof SHADOW_ERROR)[keyof typeof SHADOW_ERROR];

/** Body of `shadow/update/rejected` and `shadow/get/rejected`. */
export interface ShadowRejection {
  code: ShadowErrorCode | 404 | 500;
  message: string;
  timestamp: number;
  clientToken?: string;
}

/** Body of `shadow/update/accepted`: the request's state as sent, with timestamps for its fields. */
export interface UpdateAccepted {
  state: { desired?: JsonObject | null; reported?: JsonObject | null };
  metadata: { desired?: MetadataTree; reported?: MetadataTree };
  version: number;
  timestamp: number;
  clientToken?: string;
}

/** One row of the queryable history: who changed what, when, producing which version. */
export interface HistoryEntry {
  version: number;
  actor: string;
  /** The effective change per section: new values, and null for removed fields. */
  change: { desired?: JsonObject; reported?: JsonObject };
  at: number;
}

export interface UpdateOptions {
  now: number;
  /** Who asks, as the history should name them: `device:<id>`, `user:<id>`, `key:<id>`. */
  actor: string;
  /** Limit on the stored state (desired + reported), in UTF-8 bytes of compact JSON. */
  maxBytes?: number;
}

export type UpdateResult =
  | {
      ok: true;
      document: ShadowDocument;
      accepted: UpdateAccepted;
      /** The delta after this update; null when desired is met. */
      delta: DeltaMessage | null;
      /** Publish the delta: it changed, or desired was written and is still unmet (a re-send). */
      publishDelta: boolean;
      history: HistoryEntry;
    }
  | { ok: false; rejection: ShadowRejection };

export function applyUpdate(doc: ShadowDocument, input: unknown, options: UpdateOptions): UpdateResult {
  const { now, actor } = options;
  const maxBytes = options.maxBytes ?? SHADOW_LIMITS.maxStateBytes;
  const token = clientTokenOf(input);
  const reject = (code: ShadowRejection['code'], message: string): UpdateResult => ({
    ok: false,
    rejection: { code, message, timestamp: now, ...(token === undefined ? {} : { clientToken: token }) },
  });

  // Size first: a huge request is refused before we spend time walking it.
  let requestBytes: number;
  try {
    requestBytes = jsonByteLength(input);
  } catch {
    return reject(SHADOW_ERROR.badRequest, 'request is not serialisable JSON');
  }
  if (requestBytes > 2 * maxBytes) return reject(SHADOW_ERROR.payloadTooLarge, `request is ${requestBytes} bytes; the limit is ${2 * maxBytes}`);
  const checked = checkUpdateRequest(input);
  if (!checked.ok) return reject(SHADOW_ERROR.badRequest, checked.message);
  const request = checked.value;
  if (request.version !== undefined && request.version !== doc.version) {
    return reject(SHADOW_ERROR.versionConflict, `version conflict: the request names version ${request.version}, the shadow is at ${doc.version}`);
  }

  const desiredPatch = request.state.desired;
  const reportedPatch = request.state.reported;
  // `desired: null` clears the section; an object merges into it; absent leaves it alone.
  const desired =
    desiredPatch === undefined
      ? { state: doc.state.desired, metadata: doc.metadata.desired }
      : desiredPatch === null
        ? { state: {}, metadata: {} }
        : mergeSection({ state: doc.state.desired, metadata: doc.metadata.desired }, desiredPatch as JsonObject, now);
  const reported =
    reportedPatch === undefined
      ? { state: doc.state.reported, metadata: doc.metadata.reported }
      : reportedPatch === null
        ? { state: {}, metadata: {} }
        : mergeSection({ state: doc.state.reported, metadata: doc.metadata.reported }, reportedPatch as JsonObject, now);

  const state = { desired: desired.state, reported: reported.state };
  const stateBytes = jsonByteLength(state);
  if (stateBytes > maxBytes) {
    return reject(SHADOW_ERROR.payloadTooLarge, `the shadow state would be ${stateBytes} bytes; the limit is ${maxBytes}`);
  }

  const document: ShadowDocument = {
    state,
    metadata: { desired: desired.metadata, reported: reported.metadata },
    version: doc.version + 1,
  };

  const change: HistoryEntry['change'] = {};
  if (desiredPatch !== undefined) change.desired = diffSections(doc.state.desired, state.desired);
  if (reportedPatch !== undefined) change.reported = diffSections(doc.state.reported, state.reported);

  const accepted: UpdateAccepted = { state: {}, metadata: {}, version: document.version, timestamp: now };
  if (desiredPatch !== undefined) {
    accepted.state.desired = structuredClone(desiredPatch as JsonObject | null);
    accepted.metadata.desired = desiredPatch === null ? {} : touchedMetadata(desiredPatch as JsonObject, now);
  }
  if (reportedPatch !== undefined) {
    accepted.state.reported = structuredClone(reportedPatch as JsonObject | null);
    accepted.metadata.reported = reportedPatch === null ? {} : touchedMetadata(reportedPatch as JsonObject, now);
  }
  if (token !== undefined) accepted.clientToken = token;

  const delta = deltaMessage(document, { now, ...(token === undefined ? {} : { clientToken: token }) });
  const previousDelta = computeDelta(doc.state.desired, doc.state.reported);
  const publishDelta = delta !== null && (desiredPatch !== undefined || !deepEqual(previousDelta, delta.state));

  return { ok: true, document, accepted, delta, publishDelta, history: { version: document.version, actor, change, at: now } };
}

/** The client token, echoed on rejections too, when the request carries a usable one. */
function clientTokenOf(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const token = (input as Record<string, unknown>).clientToken;
  return typeof token === 'string' && token.length > 0 && Buffer.byteLength(token) <= SHADOW_LIMITS.maxClientTokenBytes ? token : undefined;
}

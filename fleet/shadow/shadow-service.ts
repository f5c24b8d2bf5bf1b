// Shadow get and update as one service shared by the MQTT handler and the REST routes: the pure
// decision (`applyUpdate`) inside a transaction that stores the document with its version as a
// compare-and-set guard plus the history row, then the replies and the delta published.
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import { deviceExists } from '../devices/device-repository.ts';
import { buildTopic } from '../mqtt/topics.ts';
import type { ShadowDocument } from './shadow-document.ts';
import { deltaMessage, getResponse, type GetAccepted } from './shadow-document.ts';
import { insertShadowHistory, loadShadow, storeShadowIfVersion } from './shadow-repository.ts';
import { applyUpdate, type ShadowRejection, type UpdateAccepted } from './shadow-update.ts';

/** Publishes a server message (QoS 1, not retained) to the device tree. */
export type ServerPublish = (topic: string, payload: unknown) => Promise<void>;

export type ShadowUpdateOutcome = { ok: true; accepted: UpdateAccepted; document: ShadowDocument } | { ok: false; rejection: ShadowRejection };
export type ShadowGetOutcome = { ok: true; response: GetAccepted } | { ok: false; rejection: ShadowRejection };

export interface ShadowService {
  /** Applies an update; replies on `shadow/update/accepted|rejected` when `reply` is set (MQTT). */
  update(deviceId: string, request: unknown, options: { actor: string; reply: boolean }): Promise<ShadowUpdateOutcome>;
  get(deviceId: string, options: { clientToken?: string }): Promise<ShadowGetOutcome>;
  /** Sends the current delta, if any (a device just connected). */
  publishDelta(deviceId: string): Promise<void>;
}

export interface ShadowServiceOptions {
  db: Kysely<Database>;
  publish: ServerPublish;
  clock?: () => number;
  /** Compare-and-set retries before giving up with 500 (only under heavy contention). */
  maxAttempts?: number;
  /** A reply or delta could not be published after the update was stored (e.g. the broker's Redis is away). */
  onPublishFailed?(error: unknown, topic: string): void;
}

export function createShadowService(options: ShadowServiceOptions): ShadowService {
  const { db, publish } = options;
  const clock = options.clock ?? Date.now;
  const maxAttempts = options.maxAttempts ?? 5;

  // The outcome stands once stored, whether or not its messages go out: the device gets the
  // delta again when it next subscribes, so a failed publish is reported, not turned into a 500.
  const send = async (topic: string, payload: unknown) => {
    try {
      await publish(topic, payload);
    } catch (error) {
      options.onPublishFailed?.(error, topic);
    }
  };

  const rejection = (code: ShadowRejection['code'], message: string, request?: unknown): ShadowRejection => {
    const token = typeof request === 'object' && request !== null ? (request as { clientToken?: unknown }).clientToken : undefined;
    return { code, message, timestamp: clock(), ...(typeof token === 'string' && token.length <= 64 ? { clientToken: token } : {}) };
  };

  async function attempt(deviceId: string, request: unknown, actor: string) {
    return db.transaction().execute(async (trx) => {
      const current = await loadShadow(trx, deviceId, { forUpdate: true });
      const now = clock();
      const result = applyUpdate(current, request, { now, actor });
      if (!result.ok) return { kind: 'rejected' as const, rejection: result.rejection };
      const stored = await storeShadowIfVersion(trx, deviceId, current.version, result.document, new Date(now));
      if (!stored) return { kind: 'raced' as const };
      await insertShadowHistory(trx, deviceId, result.history);
      return { kind: 'stored' as const, result };
    });
  }

  async function updateOnce(deviceId: string, request: unknown, actor: string): Promise<{ outcome: ShadowUpdateOutcome; delta?: unknown }> {
    if (!(await deviceExists(db, deviceId))) return { outcome: { ok: false, rejection: rejection(404, `no device ${JSON.stringify(deviceId)}`, request) } };
    for (let i = 0; i < maxAttempts; i++) {
      let step;
      try {
        step = await attempt(deviceId, request, actor);
      } catch (error) {
        // A foreign-key failure means the device was deleted between the check and the write.
        if ((error as { code?: string }).code === '23503') return { outcome: { ok: false, rejection: rejection(404, `no device ${JSON.stringify(deviceId)}`, request) } };
        return { outcome: { ok: false, rejection: rejection(500, 'storage failed; nothing changed', request) } };
      }
      if (step.kind === 'rejected') return { outcome: { ok: false, rejection: step.rejection } };
      if (step.kind === 'stored') {
        const { result } = step;
        return { outcome: { ok: true, accepted: result.accepted, document: result.document }, delta: result.publishDelta ? result.delta : undefined };
      }
      // Raced: another writer stored a newer version. Re-read and decide again; a request that
      // named a version will now be refused with 409, one that did not merges onto the new state.
    }
    return { outcome: { ok: false, rejection: rejection(500, 'the shadow is changing too fast; retry', request) } };
  }

  return {
    async update(deviceId, request, { actor, reply }) {
      let step: { outcome: ShadowUpdateOutcome; delta?: unknown };
      try {
        step = await updateOnce(deviceId, request, actor);
      } catch {
        step = { outcome: { ok: false, rejection: rejection(500, 'storage failed; nothing changed', request) } };
      }
      const { outcome, delta } = step;
      if (outcome.ok) {
        if (reply) await send(buildTopic({ kind: 'shadow/update/accepted', deviceId }), outcome.accepted);
        if (delta) await send(buildTopic({ kind: 'shadow/delta', deviceId }), delta);
      } else if (reply) {
        await send(buildTopic({ kind: 'shadow/update/rejected', deviceId }), outcome.rejection);
      }
      return outcome;
    },
    async get(deviceId, { clientToken }) {
      const token = clientToken ? { clientToken } : {};
      try {
        if (!(await deviceExists(db, deviceId))) return { ok: false, rejection: { code: 404, message: `no device ${JSON.stringify(deviceId)}`, timestamp: clock(), ...token } };
        const doc = await loadShadow(db, deviceId);
        return { ok: true, response: getResponse(doc, { now: clock(), ...token }) };
      } catch {
        return { ok: false, rejection: { code: 500, message: 'storage failed', timestamp: clock(), ...token } };
      }
    },
    async publishDelta(deviceId) {
      const doc = await loadShadow(db, deviceId);
      const delta = deltaMessage(doc, { now: clock() });
      if (delta) await publish(buildTopic({ kind: 'shadow/delta', deviceId }), delta);
    },
  };
}

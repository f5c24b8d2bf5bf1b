// What the server does with each message a device publishes in its own subtree: telemetry into
// the ingest (acknowledged once committed), events into the events table, shadow get/update
// through the shadow service, status checked. The broker calls `handle` from its
// `authorizePublish` hook and sends the PUBACK only when the returned promise resolves; a
// rejection means "not stored, do not acknowledge" (the broker closes the connection and the
// device redelivers). A payload that is wrong (rather than unstorable) is acknowledged, answered
// on the leaf's `rejected` topic and reported as 'refused'.
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import { insertDeviceEvent } from '../events/event-repository.ts';
import { validateDeviceEvent } from '../events/device-event.ts';
import { validateDeviceStatus } from '../events/device-status.ts';
import type { ChunkServer } from '../ota/chunk-server.ts';
import { checkGetRequest } from '../shadow/shadow-schema.ts';
import type { RolloutService } from '../rollouts/rollout-service.ts';
import type { ServerPublish, ShadowService } from '../shadow/shadow-service.ts';
import type { TelemetryIngest } from '../telemetry/telemetry-ingest.ts';
import { validateTelemetryBatch } from '../telemetry/telemetry-batch.ts';
import { PAYLOAD_LIMITS, decodeJsonPayload, type DecodedPayload } from './payload-limits.ts';
import { buildTopic, type DeviceTopic } from './topics.ts';

/** 'stored' or 'passed': acknowledge and forward; 'refused': acknowledge, do not forward. */
export type MessageOutcome = 'stored' | 'passed' | 'refused';

export interface DeviceMessageHandler {
  handle(deviceId: string, topic: DeviceTopic, payload: Buffer): Promise<MessageOutcome>;
}

export interface DeviceMessageOptions {
  db: Kysely<Database>;
  shadows: ShadowService;
  ingest: TelemetryIngest;
  publish: ServerPublish;
  /** Job progress reports (`jobs/<jobId>/update`); without it they are size-checked and passed. */
  jobs?: Pick<RolloutService, 'handleJobUpdate'>;
  clock?: () => number;
  /** Answers `ota/<artifact>/chunk/get` (fleet/ota/chunk-server.ts); without it (no artifact store) those are refused. */
  chunks?: ChunkServer;
  /** A payload was refused (for logs and counters). */
  onRefused?: (deviceId: string, kind: string, reason: string) => void;
}

interface Refusal {
  code: 400 | 413;
  message: string;
  timestamp: number;
}

export function createDeviceMessageHandler(options: DeviceMessageOptions): DeviceMessageHandler {
  const { db, shadows, ingest, publish } = options;
  const clock = options.clock ?? Date.now;

  const refusal = (decoded: Extract<DecodedPayload, { ok: false }>): Refusal => ({
    code: decoded.problem.reason === 'too-large' ? 413 : 400,
    message: decoded.problem.message,
    timestamp: clock(),
  });

  async function refuse(deviceId: string, kind: DeviceTopic['kind'], reply: DeviceTopic['kind'] | undefined, body: Refusal & { clientToken?: string }): Promise<MessageOutcome> {
    options.onRefused?.(deviceId, kind, body.message);
    if (reply) await publish(buildTopic({ kind: reply, deviceId } as DeviceTopic), body);
    return 'refused';
  }

  function decode(payload: Buffer, kind: keyof typeof PAYLOAD_LIMITS): DecodedPayload {
    return decodeJsonPayload(payload, { maxBytes: PAYLOAD_LIMITS[kind] });
  }

  // Leaves with no handler of their own: size-checked and passed to subscribers.
  async function sizeChecked(deviceId: string, topic: DeviceTopic, payload: Buffer): Promise<MessageOutcome> {
    if (payload.length > (PAYLOAD_LIMITS as Record<string, number>)[topic.kind]!) {
      return refuse(deviceId, topic.kind, undefined, { code: 413, message: 'payload too large', timestamp: clock() });
    }
    return 'passed';
  }

  return {
    async handle(deviceId, topic, payload) {
      switch (topic.kind) {
        case 'telemetry': {
          const decoded = decode(payload, 'telemetry');
          if (!decoded.ok) return refuse(deviceId, topic.kind, 'telemetry/rejected', refusal(decoded));
          const checked = validateTelemetryBatch(decoded.value, { deviceId, now: clock() });
          if (!checked.ok) return refuse(deviceId, topic.kind, 'telemetry/rejected', { code: 400, message: checked.reason, timestamp: clock() });
          await new Promise<void>((resolve, reject) => {
            ingest.submit(checked.rows, (error) => (error ? reject(error) : resolve()));
          });
          return 'stored';
        }
        case 'events': {
          const decoded = decode(payload, 'events');
          if (!decoded.ok) return refuse(deviceId, topic.kind, 'events/rejected', refusal(decoded));
          const checked = validateDeviceEvent(decoded.value, { deviceId, now: clock() });
          if (!checked.ok) return refuse(deviceId, topic.kind, 'events/rejected', { code: 400, message: checked.reason, timestamp: clock() });
          // A redelivered event is already stored: insert is a no-op and the ack goes out again.
          await insertDeviceEvent(db, deviceId, checked.event);
          return 'stored';
        }
        case 'status': {
          const decoded = decode(payload, 'status');
          // A retained status is cleared with an empty payload (MQTT 3.1.1, 3.3.1.3).
          if (payload.length === 0) return 'passed';
          if (!decoded.ok) return refuse(deviceId, topic.kind, undefined, refusal(decoded));
          const checked = validateDeviceStatus(decoded.value);
          if (!checked.ok) return refuse(deviceId, topic.kind, undefined, { code: 400, message: checked.reason, timestamp: clock() });
          return 'passed';
        }
        case 'shadow/update': {
          const decoded = decode(payload, 'shadow/update');
          if (!decoded.ok) return refuse(deviceId, topic.kind, 'shadow/update/rejected', refusal(decoded));
          const outcome = await shadows.update(deviceId, decoded.value, { actor: `device:${deviceId}`, reply: true });
          return outcome.ok ? 'passed' : 'refused';
        }
        case 'shadow/get': {
          const decoded: DecodedPayload = payload.length === 0 ? { ok: true, value: undefined } : decode(payload, 'shadow/get');
          if (!decoded.ok) return refuse(deviceId, topic.kind, 'shadow/get/rejected', refusal(decoded));
          const request = checkGetRequest(decoded.value);
          if (!request.ok) return refuse(deviceId, topic.kind, 'shadow/get/rejected', { code: 400, message: request.message, timestamp: clock() });
          const result = await shadows.get(deviceId, request.value);
          if (result.ok) await publish(buildTopic({ kind: 'shadow/get/accepted', deviceId }), result.response);
          else await publish(buildTopic({ kind: 'shadow/get/rejected', deviceId }), result.rejection);
          return 'passed';
        }
        case 'ota/chunk/get': {
          if (!options.chunks) return refuse(deviceId, topic.kind, undefined, { code: 400, message: 'this node stores no artifacts', timestamp: clock() });
          const outcome = await options.chunks.handle(deviceId, topic.artifact, payload);
          // Answered on chunk/data or chunk/rejected, and never forwarded: a device subscribed to
          // its whole subtree would get every request back. Only a malformed one is logged.
          if (outcome === 'bad-request') options.onRefused?.(deviceId, topic.kind, 'malformed chunk request');
          return 'refused';
        }
        case 'jobs/update': {
          // Without a rollout service (tests of other parts) the update is only size-checked and passed.
          if (!options.jobs) return sizeChecked(deviceId, topic, payload);
          const decoded = decode(payload, 'jobs/update');
          if (!decoded.ok) return refuse(deviceId, topic.kind, undefined, refusal(decoded));
          // There is no rejected topic for jobs: a refused update is logged and kept in the job's history.
          const outcome = await options.jobs.handleJobUpdate(deviceId, topic.jobId, decoded.value);
          if (outcome.kind === 'refused') return refuse(deviceId, topic.kind, undefined, { code: 400, message: outcome.reason, timestamp: clock() });
          return 'stored';
        }
        default:
          return sizeChecked(deviceId, topic, payload);
      }
    },
  };
}

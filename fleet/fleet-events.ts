// Things the REST side changes that the broker (part B) must act on at once, e.g. drop
// the MQTT session of a device whose credentials were just revoked. Emitted after commit.
import { EventEmitter } from 'node:events';

export interface FleetEventMap {
  'device-deleted': [deviceId: string];
  'credentials-revoked': [deviceId: string];
  'api-key-revoked': [apiKeyId: number];
  /** A user was deleted or their role or password changed. */
  'user-changed': [userId: number];
}

export class FleetEvents extends EventEmitter<FleetEventMap> {}

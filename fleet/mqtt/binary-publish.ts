// Server publishes of raw bytes at QoS 0, not retained: bulk replies (OTA chunks) that must not
// wait in session queues and are not JSON. The broker's own `publish` sends JSON at QoS 1.
import type { Aedes } from 'aedes';
import type { FleetMetrics } from '../observability/fleet-metrics.ts';
import { parseTopic } from './topics.ts';

export type BinaryPublish = (topic: string, payload: Buffer) => Promise<void>;

export function binaryPublisher(aedes: () => Aedes, metrics?: FleetMetrics): BinaryPublish {
  return (topic, payload) =>
    new Promise<void>((resolve, reject) => {
      aedes().publish({ cmd: 'publish', topic, payload, qos: 0, retain: false, dup: false }, (error) => {
        if (error) return reject(error);
        const parsed = parseTopic(topic);
        metrics?.mqttMessagesOut.inc({ kind: parsed.ok ? parsed.topic.kind : 'other' });
        resolve();
      });
    });
}

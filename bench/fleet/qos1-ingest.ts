// Telemetry ingest under QoS 1, the same load generator for both brokers: P publishers (mqtt.js),
// each keeping W telemetry batches in flight, for a fixed time. Only PUBACKed messages count:
// for our broker a PUBACK means the rows are committed, for bare Mosquitto only that it took them.
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { encodeBatch, telemetryBatch, type PayloadEncoding } from './telemetry-payloads.ts';

export interface IngestOptions {
  url: string;
  publishers: number;
  window: number;
  samplesPerBatch: number;
  seconds: number;
  /** Payload encoding (default JSON, the one the fleet accepts). */
  encoding?: PayloadEncoding;
  /** Identity of publisher i; its topic is anc/v1/<deviceId>/telemetry. */
  identity(i: number): { deviceId: string; options: IClientOptions };
}

export interface IngestResult {
  acked: number;
  ackedSamples: number;
  failed: number;
  seconds: number;
  messagesPerSecond: number;
  samplesPerSecond: number;
  /** Bytes of the last payload sent. */
  payloadBytes: number;
}

export async function runIngest(o: IngestOptions): Promise<IngestResult> {
  const clients: MqttClient[] = [];
  for (let i = 0; i < o.publishers; i++) {
    const id = o.identity(i);
    clients.push(await connectAsync(o.url, { protocolVersion: 4, clean: true, reconnectPeriod: 0, connectTimeout: 10_000, ...id.options }));
  }
  const result: IngestResult = { acked: 0, ackedSamples: 0, failed: 0, seconds: 0, messagesPerSecond: 0, samplesPerSecond: 0, payloadBytes: 0 };
  const batch = (samples: number) => {
    const payload = encodeBatch(o.encoding ?? 'json', telemetryBatch(samples));
    result.payloadBytes = payload.byteLength;
    return payload;
  };
  const started = performance.now();
  const end = started + o.seconds * 1000;
  await Promise.all(
    clients.map((client, i) => {
      const topic = `anc/v1/${o.identity(i).deviceId}/telemetry`;
      return new Promise<void>((resolve) => {
        let inFlight = 0;
        const pump = () => {
          while (inFlight < o.window && performance.now() < end) {
            inFlight++;
            client.publish(topic, batch(o.samplesPerBatch), { qos: 1 }, (error) => {
              inFlight--;
              if (error) result.failed++;
              else {
                result.acked++;
                result.ackedSamples += o.samplesPerBatch;
              }
              if (performance.now() < end) pump();
              else if (inFlight === 0) resolve();
            });
          }
        };
        pump();
      });
    }),
  );
  result.seconds = (performance.now() - started) / 1000;
  result.messagesPerSecond = result.acked / result.seconds;
  result.samplesPerSecond = result.ackedSamples / result.seconds;
  await Promise.all(clients.map((c) => c.endAsync()));
  return result;
}

/** Several runs as one: counts and time added up, rates recomputed. */
export function combineIngest(runs: readonly IngestResult[]): IngestResult {
  const sum = (key: 'acked' | 'ackedSamples' | 'failed' | 'seconds') => runs.reduce((total, run) => total + run[key], 0);
  const seconds = sum('seconds');
  return {
    acked: sum('acked'),
    ackedSamples: sum('ackedSamples'),
    failed: sum('failed'),
    seconds,
    messagesPerSecond: sum('acked') / seconds,
    samplesPerSecond: sum('ackedSamples') / seconds,
    payloadBytes: runs.at(-1)?.payloadBytes ?? 0,
  };
}

// One Prometheus registry per fleet process (not prom-client's global default), so tests
// can build many apps side by side. The broker and ingest (part B) receive the same object
// and feed the MQTT gauges; the REST and database series are fed here in part A.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface FleetMetrics {
  registry: Registry;
  httpRequestDuration: Histogram<'method' | 'route' | 'status_code'>;
  dbQueryDuration: Histogram<never>;
  dbPingDuration: Gauge<never>;
  connectedDevices: Gauge<never>;
  mqttMessagesIn: Counter<'kind'>;
  mqttMessagesOut: Counter<'kind'>;
  mqttOfflineDropped: Counter<'limit'>;
  ingestBatchSize: Histogram<never>;
  ingestLag: Histogram<never>;
  artifactStoreBytes: Gauge<never>;
}

export function createFleetMetrics(options: { processMetrics?: boolean } = {}): FleetMetrics {
  const registry = new Registry();
  // Process metrics (CPU, heap, event loop lag) only for the real server: their timers
  // would keep short-lived test apps busy for nothing.
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    httpRequestDuration: new Histogram({
      name: 'fleet_http_request_duration_seconds',
      help: 'REST request duration by route and status',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    dbQueryDuration: new Histogram({
      name: 'fleet_db_query_duration_seconds',
      help: 'Database query latency as seen by the fleet server',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    dbPingDuration: new Gauge({ name: 'fleet_db_ping_seconds', help: 'Latency of the last health-check ping', registers }),
    connectedDevices: new Gauge({ name: 'fleet_connected_devices', help: 'MQTT clients connected to this node', registers }),
    mqttMessagesIn: new Counter({ name: 'fleet_mqtt_messages_in_total', help: 'MQTT messages received, by kind', labelNames: ['kind'], registers }),
    mqttMessagesOut: new Counter({ name: 'fleet_mqtt_messages_out_total', help: 'MQTT messages sent, by kind', labelNames: ['kind'], registers }),
    mqttOfflineDropped: new Counter({
      name: 'fleet_mqtt_offline_dropped_total',
      help: 'Oldest messages dropped from offline persistent sessions over their queue limit, by the limit hit',
      labelNames: ['limit'],
      registers,
    }),
    ingestBatchSize: new Histogram({
      name: 'fleet_ingest_batch_size',
      help: 'Telemetry samples per committed batch',
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000],
      registers,
    }),
    ingestLag: new Histogram({
      name: 'fleet_ingest_lag_seconds',
      help: 'Time from a telemetry message arriving to its batch being committed',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    artifactStoreBytes: new Gauge({ name: 'fleet_artifact_store_bytes', help: "Bytes of bundles in this node's artifact store", registers }),
  };
}

// Frozen. Two columns part B needs that part A's tables lack:
// - devices.presence_session: the broker session that last set the device online, so a
//   late disconnect of an old session (a takeover, possibly on another node) cannot mark a
//   freshly reconnected device offline.
// - events.device_event_id: the device's own id for an event, unique per device, so a
//   redelivered QoS 1 event is stored once.
import { type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('devices').addColumn('presence_session', 'text').execute();
  await db.schema.alterTable('events').addColumn('device_event_id', 'text').execute();
  await db.schema.createIndex('events_device_event_id_idx').on('events').columns(['device_id', 'device_event_id']).unique().execute();
  // Retention deletes by age across all devices; the (device_id, ts) index cannot serve it.
  await db.schema.createIndex('telemetry_ts_idx').on('telemetry').column('ts').execute();
  await db.schema.createIndex('events_ts_idx').on('events').column('ts').execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}

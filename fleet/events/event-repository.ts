// Stored device events. The device's own event id is unique per device, so a QoS 1 redelivery
// of an event already stored is a no-op rather than a duplicate row.
import { type Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import type { DeviceEvent } from './device-event.ts';

type Db = Kysely<Database>;

export const EVENT_SEVERITIES = ['info', 'warning', 'error', 'fatal'] as const;
export type EventSeverity = (typeof EVENT_SEVERITIES)[number];

/** One severity scale for filtering every kind: errors carry their own, the rest follow from the kind. */
export function severityOf(event: DeviceEvent): EventSeverity {
  switch (event.type) {
    case 'error':
      return event.severity;
    case 'crash':
      return 'fatal';
    case 'calibration':
      return event.passed ? 'info' : 'warning';
    case 'emergency':
      return 'warning';
  }
}

/** Returns false when the event was already stored (a redelivery). */
export async function insertDeviceEvent(db: Db, deviceId: string, event: DeviceEvent): Promise<boolean> {
  const result = await db
    .insertInto('events')
    .values({ device_id: deviceId, device_event_id: event.id, ts: new Date(event.t), kind: event.type, severity: severityOf(event), data: JSON.stringify(event) })
    .onConflict((oc) => oc.columns(['device_id', 'device_event_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return result !== undefined;
}

export interface EventFilter {
  deviceId?: string;
  kind?: string;
  severity?: EventSeverity;
  from?: number;
  to?: number;
  /** Keyset: rows with an id below this (pages go newest first). */
  beforeId?: number;
  limit: number;
}

export interface EventRow {
  id: number;
  deviceId: string;
  t: Date;
  kind: string;
  severity: string;
  data: Record<string, unknown>;
}

export async function listDeviceEvents(db: Db, filter: EventFilter): Promise<EventRow[]> {
  let q = db.selectFrom('events').select(['id', 'device_id', 'ts', 'kind', 'severity', 'data']).orderBy('id', 'desc').limit(filter.limit);
  if (filter.deviceId !== undefined) q = q.where('device_id', '=', filter.deviceId);
  if (filter.kind !== undefined) q = q.where('kind', '=', filter.kind);
  if (filter.severity !== undefined) q = q.where('severity', '=', filter.severity);
  if (filter.from !== undefined) q = q.where('ts', '>=', new Date(filter.from));
  if (filter.to !== undefined) q = q.where('ts', '<', new Date(filter.to));
  if (filter.beforeId !== undefined) q = q.where('id', '<', filter.beforeId);
  const rows = await q.execute();
  return rows.map((r) => ({ id: Number(r.id), deviceId: r.device_id, t: r.ts, kind: r.kind, severity: r.severity, data: r.data }));
}

export async function deleteEventsBefore(db: Db, before: Date): Promise<number> {
  const result = await db.deleteFrom('events').where('ts', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

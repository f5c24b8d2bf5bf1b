// The health gate's inputs: telemetry and events of a group of devices over a time window,
// summed per group in SQL (per device first, so counters and battery are differenced per device).
// Battery drop is max - min over the window: a device that charged meanwhile looks worse, which
// errs towards stopping.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import type { GroupHealth } from './health-gate.ts';

export async function groupHealth(db: Kysely<Database>, deviceIds: readonly string[], from: Date, to: Date): Promise<GroupHealth> {
  const empty: GroupHealth = { devices: deviceIds.length, samples: 0, attenuationDb: Number.NaN, hours: 0, recoveries: 0, emergencies: 0, crashes: 0, batteryDrop: 0 };
  if (deviceIds.length === 0) return empty;
  const ids = JSON.stringify(deviceIds);
  // Telemetry rows hold one message's samples of one minute as arrays (migration 0004): unnest.
  const firstMinute = new Date(Math.floor(from.getTime() / 60_000) * 60_000);
  const { rows } = await sql<{ samples: number; attenuation_sum: number | null; hours: number; recoveries: number; battery_drop: number }>`
    with ids as (select jsonb_array_elements_text(${ids}::jsonb) as id),
    samples as (
      select m.device_id, s.t, s.a, s.r, s.b
      from telemetry m join ids on ids.id = m.device_id
      cross join lateral unnest(m.t, m.attenuation_db, m.recoveries, m.battery) as s(t, a, r, b)
      where m.ts >= ${firstMinute} and m.ts < ${to} and s.t >= ${from.getTime()}::bigint and s.t < ${to.getTime()}::bigint),
    per as (
      select device_id, count(*) as n, sum(a) as att, (max(t) - min(t)) / 3600000.0 as hours,
             max(r) - min(r) as rec, coalesce(max(b) - min(b), 0) as batt
      from samples group by device_id)
    select coalesce(sum(n), 0)::float8 as samples, sum(att)::float8 as attenuation_sum, coalesce(sum(hours), 0)::float8 as hours,
           coalesce(sum(rec), 0)::float8 as recoveries, coalesce(sum(batt), 0)::float8 as battery_drop
    from per`.execute(db);
  const events = await sql<{ kind: string; n: number }>`
    with ids as (select jsonb_array_elements_text(${ids}::jsonb) as id)
    select e.kind, count(*)::float8 as n from events e join ids on ids.id = e.device_id
    where e.ts >= ${from} and e.ts < ${to} and e.kind in ('emergency', 'crash')
    group by e.kind`.execute(db);
  const row = rows[0]!;
  const count = (kind: string) => Number(events.rows.find((r) => r.kind === kind)?.n ?? 0);
  const samples = Number(row.samples);
  return {
    devices: deviceIds.length,
    samples,
    attenuationDb: samples > 0 ? Number(row.attenuation_sum) / samples : Number.NaN,
    hours: Number(row.hours),
    recoveries: Number(row.recoveries),
    emergencies: count('emergency'),
    crashes: count('crash'),
    batteryDrop: Number(row.battery_drop),
  };
}

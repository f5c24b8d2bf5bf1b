// Reads the telemetry table back one sample per row (the table stores one row per message and
// minute, as arrays), for tests that check exactly what was stored.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../../fleet/db/database.ts';

export interface StoredSample {
  deviceId: string;
  /** Start of the row's minute, epoch ms. */
  segment: number;
  t: number;
  attenuationDb: number | null;
  errorPower: number | null;
  recoveries: number | null;
  noiseClass: string | null;
  noiseConfidence: number | null;
  battery: number | null;
  intensity: number | null;
  emergencies: number | null;
}

/** Samples of the devices whose id matches the LIKE pattern, ordered by device and time. */
export async function readSamples(db: Kysely<Database>, deviceIdLike: string): Promise<StoredSample[]> {
  const result = await sql<Record<keyof StoredSample, string | number | null>>`
    select m.device_id as "deviceId", (extract(epoch from m.ts) * 1000)::bigint as segment, s.*
    from telemetry as m
    cross join lateral unnest(m.t, m.attenuation_db, m.error_power, m.recoveries, m.noise_class, m.noise_confidence, m.battery, m.intensity, m.emergencies)
      as s(t, "attenuationDb", "errorPower", recoveries, "noiseClass", "noiseConfidence", battery, intensity, emergencies)
    where m.device_id like ${deviceIdLike}
    order by m.device_id, s.t`.execute(db);
  const number = (value: string | number | null) => (value === null ? null : Number(value));
  return result.rows.map((r) => ({
    deviceId: String(r.deviceId),
    segment: Number(r.segment),
    t: Number(r.t),
    attenuationDb: number(r.attenuationDb),
    errorPower: number(r.errorPower),
    recoveries: number(r.recoveries),
    noiseClass: r.noiseClass === null ? null : String(r.noiseClass),
    noiseConfidence: number(r.noiseConfidence),
    battery: number(r.battery),
    intensity: number(r.intensity),
    emergencies: number(r.emergencies),
  }));
}

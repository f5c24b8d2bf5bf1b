// insertTelemetryRows: rows travel as one JSON parameter that PostgreSQL expands; what lands
// must be exactly what was sent (millisecond timestamps, nulls left out), and a batch larger
// than one statement is still all-or-nothing.
import type { Test } from 'tap';
import t from 'tap';
import type { TelemetryRow } from '../../../fleet/telemetry/telemetry-batch.ts';
import { countTelemetry, insertTelemetryRows } from '../../../fleet/telemetry/telemetry-repository.ts';
import { openPglite, openPostgres, postgresSkipReason, postgresUrl, type TestDatabase } from '../support/databases.ts';

const row = (deviceId: string, t: number, extra: Partial<TelemetryRow> = {}): TelemetryRow => ({
  deviceId,
  t,
  attenuationDb: 31.5,
  errorPower: 0.0021,
  recoveries: 0,
  noiseClass: null,
  noiseConfidence: null,
  battery: null,
  intensity: null,
  emergencies: null,
  ...extra,
});

async function contract(t: Test, open: () => Promise<TestDatabase>): Promise<void> {
  const { db, close } = await open();
  t.teardown(close);

  t.test('values, millisecond timestamps and absent measurements read back exactly', async (t) => {
    const at = Date.UTC(2026, 10, 22, 1, 2, 3, 789);
    await insertTelemetryRows(db, [
      row('ins-a', at, { noiseClass: 'street', noiseConfidence: 0.75, battery: 88, intensity: 1, emergencies: 2 }),
      row('ins-a', at + 1),
      row('ins-b', at + 2, { noiseClass: 'o"dd\\\u00e9' as string }),
    ]);
    const rows = await db.selectFrom('telemetry').selectAll().where('device_id', 'in', ['ins-a', 'ins-b']).orderBy('ts').execute();
    t.equal(rows.length, 3);
    t.same(rows[0]!.ts, new Date(at));
    t.same(rows[1]!.ts, new Date(at + 1));
    t.same(rows[0]!.metrics, { attenuationDb: 31.5, errorPower: 0.0021, recoveries: 0, noiseClass: 'street', noiseConfidence: 0.75, battery: 88, intensity: 1, emergencies: 2 });
    t.same(rows[1]!.metrics, { attenuationDb: 31.5, errorPower: 0.0021, recoveries: 0 }, 'nulls are not stored');
    t.equal((rows[2]!.metrics as { noiseClass: string }).noiseClass, 'o"dd\\\u00e9', 'text survives the JSON round trip');
    await insertTelemetryRows(db, []);
  });

  t.test('more rows than one statement holds: all stored, or none', async (t) => {
    const base = Date.UTC(2026, 10, 22);
    const many = Array.from({ length: 10_050 }, (_, i) => row('ins-many', base + i));
    await insertTelemetryRows(db, many);
    t.equal(await countTelemetry(db, 'ins-many'), 10_050);
    // The last chunk fails (a null device id): the first 10,000 rows must not stay.
    const broken = Array.from({ length: 10_010 }, (_, i) => row('ins-broken', base + i));
    broken[10_005] = { ...broken[10_005]!, deviceId: null as unknown as string };
    await t.rejects(insertTelemetryRows(db, broken));
    t.equal(await countTelemetry(db, 'ins-broken'), 0, 'rolled back as one');
  });
}

t.test('PGlite', (t) => contract(t, openPglite));
t.test('PostgreSQL', { skip: postgresUrl ? false : postgresSkipReason }, (t) => contract(t, () => openPostgres(postgresUrl!)));

// Regression: Kysely's migrator looked for its tables in every schema, so a second schema in the
// same PostgreSQL database (another deployment, a parallel test) skipped creating its own
// kysely_migration_lock and failed with "relation does not exist".
import t from 'tap';
import { sql } from 'kysely';
import { openPostgres, postgresSkipReason, postgresUrl } from '../support/databases.ts';

t.test('migrations run in a schema while another schema already has the migration tables', { skip: postgresUrl ? false : postgresSkipReason }, async (t) => {
  const first = await openPostgres(postgresUrl!);
  t.teardown(() => first.close());
  const second = await openPostgres(postgresUrl!);
  t.teardown(() => second.close());
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from kysely_migration`.execute(second.db);
  t.ok(rows[0]!.n > 0, `the second schema has its own migration records (${rows[0]!.n})`);
  const devices = await sql<{ n: number }>`select count(*)::int as n from devices`.execute(second.db);
  t.equal(devices.rows[0]!.n, 0, 'and its own tables');
});

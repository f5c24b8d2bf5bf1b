// Frozen. X.509 client certificates a device may authenticate with on the MQTT over TLS port.
// Only what identifies a certificate is stored (never a private key): its SHA-256 fingerprint,
// which the TLS listener looks up, and its serial and validity for operators.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('device_certificates')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id').onDelete('cascade'))
    .addColumn('serial', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull().unique())
    .addColumn('not_before', 'timestamptz', (c) => c.notNull())
    .addColumn('not_after', 'timestamptz', (c) => c.notNull())
    .addColumn('key_generated', 'boolean', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('device_certificates_device_idx').on('device_certificates').column('device_id').execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}

// The device certificate table and its repository on PGlite and on PostgreSQL: one row per
// issued certificate, found by fingerprint, revoked one by one or all at once, gone with its device.
import t, { type Test } from 'tap';
import { findCertificateByFingerprint, insertCertificate, listCertificates, revokeCertificates } from '../../../fleet/devices/certificate-repository.ts';
import { deleteDevice, insertDevice } from '../../../fleet/devices/device-repository.ts';
import { openPglite, openPostgres, postgresSkipReason, postgresUrl, type TestDatabase } from '../support/databases.ts';

async function contract(t: Test, open: () => Promise<TestDatabase>): Promise<void> {
  const { db, close } = await open();
  t.teardown(close);
  await insertDevice(db, { id: 'hs-c', name: 'c', tags: [] });
  const issued = (serial: string) => ({ deviceId: 'hs-c', serial, fingerprint: serial.repeat(8).slice(0, 64), notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2028-01-01T00:00:00Z'), keyGenerated: false });

  const a = await insertCertificate(db, issued('a1'));
  t.equal(a.device_id, 'hs-c');
  t.same(a.not_after, new Date('2028-01-01T00:00:00Z'));
  t.equal(a.revoked_at, null);
  await insertCertificate(db, { ...issued('b2'), keyGenerated: true });
  await t.rejects(insertCertificate(db, issued('a1')), { code: '23505' }, 'a fingerprint is stored once');
  await t.rejects(insertCertificate(db, { ...issued('c3'), deviceId: 'ghost' }), { code: '23503' }, 'only for a device that exists');

  t.equal((await findCertificateByFingerprint(db, a.fingerprint))?.serial, 'a1');
  t.equal(await findCertificateByFingerprint(db, 'f'.repeat(64)), undefined);
  t.equal(await revokeCertificates(db, 'hs-c', new Date(), 'a1'), 1, 'one by serial');
  t.equal(await revokeCertificates(db, 'hs-c', new Date(), 'a1'), 0, 'already revoked');
  t.equal(await revokeCertificates(db, 'hs-c', new Date()), 1, 'the rest');
  t.ok((await listCertificates(db, 'hs-c')).every((row) => row.revoked_at instanceof Date));
  await deleteDevice(db, 'hs-c');
  t.same(await listCertificates(db, 'hs-c'), [], 'deleted with the device');
}

t.test('PGlite', (t) => contract(t, openPglite));
t.test('PostgreSQL', { skip: postgresUrl ? false : postgresSkipReason }, (t) => contract(t, () => openPostgres(postgresUrl!)));

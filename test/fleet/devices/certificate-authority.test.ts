// The fleet CA's files: created once under the data directory and reused, or given by
// configuration (and then checked); the TLS listener's certificate issued, kept and renewed;
// and the whole chain through `startServer` with MQTTS_PORT, as `anc-fleet serve` runs it.
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { pino } from 'pino';
import t from 'tap';
import { loadConfig } from '../../../fleet/config.ts';
import { loadOrCreateCertificateAuthority, loadOrCreateServerCertificate } from '../../../fleet/devices/certificate-authority-files.ts';
import { createCaFiles } from '../../../fleet/devices/certificate-authority.ts';
import { startServer } from '../../../fleet/server.ts';

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'anc-ca-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('the CA is created once, private, and reused', async (t) => {
  const dataDir = join(tempDir(t), 'data');
  const first = await loadOrCreateCertificateAuthority({ dataDir });
  const again = await loadOrCreateCertificateAuthority({ dataDir });
  t.equal(again.certificatePem, first.certificatePem, 'the same CA on the next start');
  t.equal(statSync(join(dataDir, 'mqtt-ca', 'ca.key.pem')).mode & 0o777, 0o600);
  const ca = new X509Certificate(first.certificatePem);
  t.ok(ca.ca, 'a CA certificate');
  t.match(ca.subject, /CN=ANC fleet CA/);
  const [a, b] = await Promise.all([loadOrCreateCertificateAuthority({ dataDir: join(dataDir, 'race') }), loadOrCreateCertificateAuthority({ dataDir: join(dataDir, 'race') })]);
  const kept = await loadOrCreateCertificateAuthority({ dataDir: join(dataDir, 'race') });
  t.ok(kept.certificatePem === a.certificatePem || kept.certificatePem === b.certificatePem, 'two starts at once agree on the one kept');
});

t.test('a configured CA is used as given, and checked', async (t) => {
  const dir = tempDir(t);
  // An outside CA made by openssl: SEC1 "EC PRIVATE KEY", P-384.
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-nodes', '-keyout', join(dir, 'ca.key'), '-out', join(dir, 'ca.crt'), '-subj', '/CN=Outside CA', '-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE']);
  t.equal(made.status, 0, made.status === 0 ? 'openssl made a P-384 CA' : made.stderr.toString());
  const ca = await loadOrCreateCertificateAuthority({ dataDir: join(dir, 'data'), certFile: join(dir, 'ca.crt'), keyFile: join(dir, 'ca.key') });
  t.equal(ca.certificatePem.trim(), new X509Certificate(readFileSync(join(dir, 'ca.crt'))).toString().trim());
  const server = await ca.issueServerCertificate(['localhost'], 1);
  t.ok(new X509Certificate(server.certificatePem).verify(new X509Certificate(ca.certificatePem).publicKey), 'what it issues chains to it');

  const other = await createCaFiles('other');
  writeFileSync(join(dir, 'other.key'), other.privateKeyPem);
  await t.rejects(loadOrCreateCertificateAuthority({ dataDir: dir, certFile: join(dir, 'ca.crt'), keyFile: join(dir, 'other.key') }), /does not belong to the CA certificate/);
  await t.rejects(loadOrCreateCertificateAuthority({ dataDir: dir, certFile: join(dir, 'ca.crt') }), /both the CA certificate and the CA key/);
  await t.rejects(loadOrCreateCertificateAuthority({ dataDir: dir, certFile: join(dir, 'missing.crt'), keyFile: join(dir, 'ca.key') }), /ENOENT/);
  writeFileSync(join(dir, 'leaf.crt'), server.certificatePem);
  writeFileSync(join(dir, 'leaf.key'), server.privateKeyPem);
  await t.rejects(loadOrCreateCertificateAuthority({ dataDir: dir, certFile: join(dir, 'leaf.crt'), keyFile: join(dir, 'leaf.key') }), /not a CA/);
});

t.test('the listener certificate is kept, and reissued when the names or the CA change', async (t) => {
  const dataDir = tempDir(t);
  const ca = await loadOrCreateCertificateAuthority({ dataDir });
  const first = await loadOrCreateServerCertificate(ca, { dataDir });
  t.equal((await loadOrCreateServerCertificate(ca, { dataDir })).cert, first.cert, 'kept across starts');
  t.match(new X509Certificate(first.cert).subjectAltName, /DNS:localhost.*IP Address:127\.0\.0\.1/);
  const named = await loadOrCreateServerCertificate(ca, { dataDir, hostnames: ['fleet.example.com', '10.0.0.7'] });
  t.not(named.cert, first.cert, 'a new name: a new certificate');
  t.match(new X509Certificate(named.cert).subjectAltName, /DNS:fleet\.example\.com.*IP Address:10\.0\.0\.7/);
  t.equal(statSync(join(dataDir, 'mqtts', 'server.key.pem')).mode & 0o777, 0o600);
  const otherCa = await loadOrCreateCertificateAuthority({ dataDir: join(dataDir, 'other') });
  t.not((await loadOrCreateServerCertificate(otherCa, { dataDir, hostnames: ['fleet.example.com', '10.0.0.7'] })).cert, named.cert, 'another CA: reissued');
  await t.rejects(loadOrCreateServerCertificate(ca, { dataDir, keyFile: 'x' }), /both the TLS certificate and its key/);
});

t.test('startServer with MQTTS_PORT: a device provisioned over REST connects over TLS', async (t) => {
  const dataDir = tempDir(t);
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', MQTT_PORT: '0', MQTTS_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', MQTT_OFFLINE_QUEUE_MESSAGES: '7' });
  let password = '';
  const server = await startServer(config, { logger: pino({ level: 'silent' }), onFirstAdmin: (admin) => (password = admin.password) });
  t.teardown(() => server.close());
  t.ok(server.mqttsPort! > 0, `listening on ${server.mqttsPort}`);
  const token = (await server.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password } })).json().token;
  const api = (method: 'POST', url: string, payload: object) => server.app.inject({ method, url, payload, headers: { authorization: `Bearer ${token}` } });
  t.equal((await api('POST', '/api/v1/devices', { id: 'srv-1' })).statusCode, 201);
  const issued = (await api('POST', '/api/v1/devices/srv-1/certificates', { generateKey: true })).json();
  t.equal(issued.caCertificatePem, readFileSync(join(dataDir, 'mqtt-ca', 'ca.cert.pem'), 'utf8'), 'the CA created in the data directory');
  // The generated listener certificate names 127.0.0.1, and the client checks it.
  const device = await connectAsync(`mqtts://127.0.0.1:${server.mqttsPort}`, { clientId: 'srv-1', key: issued.privateKeyPem, cert: issued.certificatePem, ca: issued.caCertificatePem, protocolVersion: 4, reconnectPeriod: 0 });
  t.ok(device.connected);
  await device.endAsync();
});

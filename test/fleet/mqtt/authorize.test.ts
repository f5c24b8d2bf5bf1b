import t from 'tap';
import { CONNACK, authenticate, authorizePublish, authorizeSubscribe } from '../../../fleet/mqtt/authorize.ts';
import type { CredentialStore, MqttClientIdentity } from '../../../fleet/mqtt/authorize.ts';

const me: MqttClientIdentity = { kind: 'device', deviceId: 'hs-1' };
const backend: MqttClientIdentity = { kind: 'service', role: 'backend', keyId: 'k1' };
const observer: MqttClientIdentity = { kind: 'service', role: 'observer', keyId: 'k2' };
const admin: MqttClientIdentity = { kind: 'service', role: 'admin', keyId: 'k3' };

t.test('a device publishes only its own device-side leaves', async (t) => {
  for (const leaf of ['telemetry', 'events', 'status', 'shadow/update', 'shadow/get', 'jobs/j1/update', 'ota/fw-2/chunk/get']) {
    const decision = authorizePublish(me, `anc/v1/hs-1/${leaf}`);
    t.ok(decision.ok, leaf);
  }
  const ok = authorizePublish(me, 'anc/v1/hs-1/telemetry');
  t.same(ok, { ok: true, value: { kind: 'telemetry', deviceId: 'hs-1' } }, 'returns the parsed topic for routing');
  t.ok(authorizePublish(me, 'anc/v1/hs-1/status', { retain: true }).ok, 'status may be retained (presence)');

  const refused = [
    'anc/v1/hs-2/telemetry', // another device
    'anc/v1/hs-1/shadow/delta', // server side
    'anc/v1/hs-1/shadow/update/accepted',
    'anc/v1/hs-1/jobs/notify',
    'anc/v1/hs-1/ota/fw/chunk/data',
    'anc/v1/+/telemetry',
    'anc/v1/hs-1/#',
    'anc/v1/hs-1/nope',
    '$SYS/broker/clients',
    'other/topic',
    '',
  ];
  for (const topic of refused) {
    const decision = authorizePublish(me, topic);
    t.equal(decision.ok, false, topic);
    if (!decision.ok) t.ok(decision.reason.length > 0);
  }
  t.equal(authorizePublish(me, 'anc/v1/hs-1/telemetry', { retain: true }).ok, false, 'retained telemetry is refused');
});

t.test('a device subscribes only within its own subtree', async (t) => {
  for (const filter of ['anc/v1/hs-1/#', 'anc/v1/hs-1/shadow/#', 'anc/v1/hs-1/shadow/+/accepted', 'anc/v1/hs-1/jobs/notify', 'anc/v1/hs-1/+']) {
    t.ok(authorizeSubscribe(me, filter).ok, filter);
  }
  for (const filter of ['#', '+/#', 'anc/#', 'anc/v1/#', 'anc/v1/+/shadow/delta', 'anc/+/hs-1/#', '+/v1/hs-1/#', 'anc/v1/hs-2/#', 'anc/v1/hs-10/#', 'anc/v1/hs-/#', '$SYS/#', '$share/g/anc/v1/hs-1/#', 'anc/v1/hs-1/#/x', 'anc/v1/hs-1#', '']) {
    t.equal(authorizeSubscribe(me, filter).ok, false, filter);
  }
});

t.test('services act by role', async (t) => {
  t.ok(authorizePublish(backend, 'anc/v1/hs-1/shadow/delta').ok);
  t.ok(authorizePublish(backend, 'anc/v1/hs-9/jobs/notify').ok);
  t.equal(authorizePublish(backend, 'anc/v1/hs-1/telemetry').ok, false, 'backend cannot forge device telemetry');
  t.equal(authorizePublish(backend, 'anc/v1/hs-1/shadow/delta', { retain: true }).ok, false);
  t.equal(authorizePublish(backend, 'elsewhere').ok, false);
  t.ok(authorizeSubscribe(backend, 'anc/v1/+/telemetry').ok);
  t.ok(authorizeSubscribe(backend, 'anc/v1/#').ok);
  t.equal(authorizeSubscribe(backend, '#').ok, false);

  t.equal(authorizePublish(observer, 'anc/v1/hs-1/shadow/delta').ok, false, 'observers never publish');
  t.ok(authorizeSubscribe(observer, 'anc/v1/#').ok);
  t.ok(authorizeSubscribe(observer, '$SYS/#').ok);
  t.equal(authorizeSubscribe(observer, '#').ok, false);

  t.ok(authorizePublish(admin, 'anc/v1/hs-1/telemetry').ok);
  t.same(authorizePublish(admin, 'lab/test'), { ok: true, value: null });
  t.equal(authorizePublish(admin, '$SYS/x').ok, false);
  t.equal(authorizePublish(admin, 'anc/v1/+/telemetry').ok, false, 'wildcards are never topic names');
  t.ok(authorizeSubscribe(admin, '#').ok);
  t.equal(authorizeSubscribe(admin, 'a/#/b').ok, false, 'syntax still applies to admins');
});

function store(overrides: Partial<CredentialStore> = {}): CredentialStore {
  const devices: Record<string, { secretHash: string; revoked: boolean }> = {
    'hs-1': { secretHash: 'h(s3cret)', revoked: false },
    'hs-old': { secretHash: 'h(old)', revoked: true },
  };
  const keys: Record<string, { secretHash: string; revoked: boolean; role: 'backend' }> = {
    k1: { secretHash: 'h(key)', revoked: false, role: 'backend' },
  };
  return {
    lookupDevice: async (id) => devices[id],
    lookupServiceKey: async (id) => keys[id],
    verifySecret: async (secret, hash) => hash === `h(${secret})`,
    ...overrides,
  };
}

t.test('authenticate: devices and services', async (t) => {
  t.same(await authenticate({ clientId: 'hs-1', username: 'hs-1', password: Buffer.from('s3cret') }, store()), {
    ok: true,
    client: { kind: 'device', deviceId: 'hs-1' },
  });
  t.same(await authenticate({ clientId: 'service:k1:w1', username: 'service:k1', password: 'key' }, store()), {
    ok: true,
    client: { kind: 'service', role: 'backend', keyId: 'k1' },
  });
  t.ok((await authenticate({ clientId: 'aedes_x', clientIdAssigned: true, username: 'hs-1', password: 's3cret' }, store())).ok, 'a broker-assigned id is fine');
});

t.test('authenticate: refusals carry CONNACK codes', async (t) => {
  const cases: Array<[Parameters<typeof authenticate>[0], number, Partial<CredentialStore>?]> = [
    [{ clientId: 'hs-1' }, CONNACK.badUsernameOrPassword],
    [{ clientId: 'hs-1', username: 'hs-1' }, CONNACK.badUsernameOrPassword],
    [{ clientId: 'hs-1', username: 'hs-1', password: '' }, CONNACK.badUsernameOrPassword],
    [{ clientId: 'hs-1', username: 'hs-1', password: 'x'.repeat(257) }, CONNACK.badUsernameOrPassword],
    [{ clientId: 'hs-1', username: 'hs-1', password: new Uint8Array([0xff, 0xfe]) }, CONNACK.badUsernameOrPassword],
    [{ clientId: 'hs-1', username: 'hs-1', password: 'wrong' }, CONNACK.badUsernameOrPassword],
    [{ clientId: 'ghost', username: 'ghost', password: 's3cret' }, CONNACK.badUsernameOrPassword],
    [{ clientId: 'a/b', username: 'a/b', password: 's3cret' }, CONNACK.badUsernameOrPassword],
    [{ clientId: 'hs-old', username: 'hs-old', password: 'old' }, CONNACK.notAuthorized],
    [{ clientId: 'hs-2', username: 'hs-1', password: 's3cret' }, CONNACK.identifierRejected],
    [{ clientId: 'service:k10', username: 'service:k1', password: 'key' }, CONNACK.identifierRejected],
    [{ clientId: 'service:k1', username: 'service:k1', password: 'nope' }, CONNACK.badUsernameOrPassword],
    [{ clientId: 'service:k1', username: 'service:k1', password: 'key' }, CONNACK.badUsernameOrPassword, { lookupServiceKey: undefined }],
    [{ clientId: 'hs-1', username: 'hs-1', password: 's3cret' }, CONNACK.serverUnavailable, { lookupDevice: async () => Promise.reject(new Error('db down')) }],
    [{ clientId: 'hs-1', username: 'hs-1', password: 's3cret' }, CONNACK.serverUnavailable, { verifySecret: async () => Promise.reject(new Error('boom')) }],
    [
      { clientId: 'service:k1', username: 'service:k1', password: 'key' },
      CONNACK.notAuthorized,
      { lookupServiceKey: async () => ({ secretHash: 'h(key)', revoked: false, role: 'superuser' as never }) },
    ],
  ];
  for (const [credentials, code, overrides] of cases) {
    const result = await authenticate(credentials, store(overrides));
    t.equal(result.ok, false, JSON.stringify(credentials));
    if (!result.ok) t.equal(result.returnCode, code, `${JSON.stringify(credentials)}: ${result.reason}`);
  }
});

t.test('authenticate: a client certificate the TLS listener verified', async (t) => {
  const certificates: Record<string, { deviceId: string; revoked: boolean }> = {
    f1: { deviceId: 'hs-1', revoked: false },
    f2: { deviceId: 'hs-1', revoked: true },
    f3: { deviceId: 'hs-2', revoked: false },
  };
  const withCerts = (overrides: Partial<CredentialStore> = {}) => store({ lookupCertificate: async (fp) => certificates[fp], ...overrides });
  const cert = (fingerprint: string, commonName = 'hs-1') => ({ commonName, fingerprint });
  t.same(await authenticate({ clientId: 'hs-1', certificate: cert('f1') }, withCerts()), { ok: true, client: { kind: 'device', deviceId: 'hs-1' } }, 'no username or password needed');
  t.ok((await authenticate({ clientId: 'hs-1', username: 'hs-1', password: 'anything', certificate: cert('f1') }, withCerts())).ok, 'a matching username is fine, a password ignored');
  t.ok((await authenticate({ clientId: 'aedes_1', clientIdAssigned: true, certificate: cert('f1') }, withCerts())).ok, 'a broker-assigned id is fine');
  const cases: Array<[Parameters<typeof authenticate>[0], number, Partial<CredentialStore>?]> = [
    [{ clientId: 'hs-1', certificate: cert('f2') }, CONNACK.notAuthorized],
    [{ clientId: 'hs-1', certificate: cert('f9') }, CONNACK.badUsernameOrPassword],
    [{ clientId: 'hs-2', certificate: cert('f1') }, CONNACK.identifierRejected],
    [{ clientId: 'hs-1', username: 'hs-2', certificate: cert('f1') }, CONNACK.badUsernameOrPassword],
    [{ clientId: 'hs-2', certificate: cert('f1', 'hs-2') }, CONNACK.badUsernameOrPassword],
    [{ clientId: 'a/b', certificate: cert('f1', 'a/b') }, CONNACK.badUsernameOrPassword],
    [{ clientId: '', certificate: cert('f1', '') }, CONNACK.badUsernameOrPassword],
    [{ clientId: 'hs-1', certificate: cert('f1') }, CONNACK.badUsernameOrPassword, { lookupCertificate: undefined }],
    [{ clientId: 'hs-1', certificate: cert('f1') }, CONNACK.serverUnavailable, { lookupCertificate: async () => Promise.reject(new Error('db down')) }],
  ];
  for (const [credentials, code, overrides] of cases) {
    const result = await authenticate(credentials, withCerts(overrides));
    t.equal(result.ok, false, JSON.stringify(credentials));
    if (!result.ok) t.equal(result.returnCode, code, `${JSON.stringify(credentials)}: ${result.reason}`);
  }
});

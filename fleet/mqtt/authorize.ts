// Who may connect, publish and subscribe: pure decisions behind Aedes' `authenticate`,
// `authorizePublish` and `authorizeSubscribe` hooks. Nothing here touches a socket or a database;
// the credential store and the hash check are handed in, so every rule is tested without I/O.
import { LEAF_RULES, TOPIC_ROOT, isValidDeviceId, parseTopic, parseTopicFilter } from './topics.ts';
import type { DeviceTopic } from './topics.ts';

/**
 * Service roles: `backend` is the fleet's own workers (answers shadows, reads device traffic),
 * `observer` watches (dashboards, debugging) and never publishes, `admin` may do anything valid.
 */
export const SERVICE_ROLES = ['admin', 'backend', 'observer'] as const;
export type ServiceRole = (typeof SERVICE_ROLES)[number];

export type MqttClientIdentity = { kind: 'device'; deviceId: string } | { kind: 'service'; role: ServiceRole; keyId: string };

export type Decision<T = undefined> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * Publish check. `retain` is checked too: only `status` is meant to be retained, and a device that
 * retains telemetry would make the broker store it for every future subscriber.
 * On success the parsed topic is returned (null for non-device topics an admin may use), so the
 * caller routes without parsing twice.
 */
export function authorizePublish(
  client: MqttClientIdentity,
  topic: string,
  options: { retain?: boolean } = {},
): Decision<DeviceTopic | null> {
  const parsed = parseTopic(topic);
  if (client.kind === 'device') {
    if (!parsed.ok) return deny(`topic refused: ${parsed.message}`);
    const { topic: value } = parsed;
    if (value.deviceId !== client.deviceId) return deny('a device may publish only in its own subtree');
    const rule = LEAF_RULES[value.kind];
    if (rule.publisher !== 'device') return deny(`${value.kind} is published by the server, not by devices`);
    if (options.retain && !rule.retain) return deny(`${value.kind} must not be retained`);
    return allow(value);
  }
  switch (client.role) {
    case 'observer':
      return deny('observers never publish');
    case 'backend': {
      if (!parsed.ok) return deny(`topic refused: ${parsed.message}`);
      const rule = LEAF_RULES[parsed.topic.kind];
      // The backend answers devices; it must not be able to forge what a device says.
      if (rule.publisher !== 'server') return deny(`${parsed.topic.kind} is published by devices`);
      if (options.retain && !rule.retain) return deny(`${parsed.topic.kind} must not be retained`);
      return allow(parsed.topic);
    }
    case 'admin': {
      if (parsed.ok) return allow(parsed.topic);
      // Admins may use topics outside the device tree (tests, tools), but never broker topics.
      if (parsed.reason === 'wrong-root' || parsed.reason === 'unknown-leaf') {
        return topic.startsWith('$') ? deny('topics starting with $ are reserved for the broker') : allow(null);
      }
      return deny(`topic refused: ${parsed.message}`);
    }
  }
}

/**
 * Subscribe check. A device's filter must name its own id literally at the third level: a `+` or
 * `#` there (or earlier) would reach other devices, whatever follows it.
 */
export function authorizeSubscribe(client: MqttClientIdentity, topicFilter: string): Decision {
  const parsed = parseTopicFilter(topicFilter);
  if (!parsed.ok) return deny(`filter refused: ${parsed.message}`);
  const { levels } = parsed;
  const inTree = levels.length >= 3 && levels[0] === TOPIC_ROOT[0] && levels[1] === TOPIC_ROOT[1];
  if (client.kind === 'device') {
    if (!inTree) return deny(`a device may subscribe only within ${TOPIC_ROOT.join('/')}/<its id>/`);
    if (levels[2] !== client.deviceId) return deny('a device may subscribe only within its own subtree');
    return allow(undefined);
  }
  switch (client.role) {
    case 'admin':
      return allow(undefined);
    case 'backend':
      // `anc/v1/#` and `anc/v1/+/telemetry` are how the backend listens to the fleet.
      return levels[0] === TOPIC_ROOT[0] && levels[1] === TOPIC_ROOT[1] ? allow(undefined) : deny('backend subscribes only under anc/v1/');
    case 'observer':
      if (levels[0] === TOPIC_ROOT[0] && levels[1] === TOPIC_ROOT[1]) return allow(undefined);
      return levels[0] === '$SYS' ? allow(undefined) : deny('observers subscribe only under anc/v1/ and $SYS/');
  }
}

// ---- authentication ---------------------------------------------------------------------------

/** MQTT 3.1.1 CONNACK return codes (section 3.2.2.3) that authentication can answer with. */
export const CONNACK = {
  identifierRejected: 2,
  serverUnavailable: 3,
  badUsernameOrPassword: 4,
  notAuthorized: 5,
} as const;
export type ConnackRefusal = (typeof CONNACK)[keyof typeof CONNACK];

export interface ConnectCredentials {
  clientId: string;
  /** True when the broker assigned the id because the client sent a zero-length one. */
  clientIdAssigned?: boolean;
  username?: string;
  password?: Uint8Array | string;
  /** A client certificate the TLS listener has already verified against the fleet CA. */
  certificate?: PeerCertificate;
}

export interface PeerCertificate {
  commonName: string;
  /** Lowercase hex SHA-256 of the DER certificate. */
  fingerprint: string;
}

export interface StoredSecret {
  secretHash: string;
  revoked: boolean;
}

export interface CredentialStore {
  lookupDevice(deviceId: string): Promise<StoredSecret | undefined>;
  /** Optional: without it, service logins are refused. */
  lookupServiceKey?(keyId: string): Promise<(StoredSecret & { role: ServiceRole }) | undefined>;
  /** Optional: without it, certificate logins are refused. */
  lookupCertificate?(fingerprint: string): Promise<{ deviceId: string; revoked: boolean } | undefined>;
  verifySecret(secret: string, secretHash: string): Promise<boolean>;
}

export type AuthResult =
  | { ok: true; client: MqttClientIdentity }
  | { ok: false; returnCode: ConnackRefusal; reason: string };

/** Usernames of services are `service:<keyId>`; anything else is a device id. */
export const SERVICE_USERNAME_PREFIX = 'service:';

/** Secrets are random tokens; a cap keeps a hostile client from making us hash megabytes. */
export const MAX_SECRET_BYTES = 256;

/**
 * Decides a CONNECT. Unknown user and wrong secret give the same code (4), so a scan learns
 * nothing about which device ids exist; a revoked credential is 5 (its owner should stop retrying).
 * A failing store is 3 (server unavailable): the client retries later instead of giving up.
 */
export async function authenticate(credentials: ConnectCredentials, store: CredentialStore): Promise<AuthResult> {
  if (credentials.certificate) return authenticateCertificate(credentials, credentials.certificate, store);
  const { username } = credentials;
  const secret = decodeSecret(credentials.password);
  if (!username || secret === undefined) return refuse(CONNACK.badUsernameOrPassword, 'missing or malformed username or password');

  const isService = username.startsWith(SERVICE_USERNAME_PREFIX);
  const id = isService ? username.slice(SERVICE_USERNAME_PREFIX.length) : username;
  if (!isValidDeviceId(id)) return refuse(CONNACK.badUsernameOrPassword, 'malformed username');

  // A client id is a session key: Aedes disconnects the older client holding it. Binding it to
  // the credential stops one device from kicking another offline by borrowing its id.
  if (!credentials.clientIdAssigned) {
    const { clientId } = credentials;
    const ownsId = isService ? clientId === username || clientId.startsWith(`${username}:`) : clientId === id;
    if (!ownsId) {
      return refuse(CONNACK.identifierRejected, isService ? 'a service client id must be its username, optionally followed by :<suffix>' : 'client id must equal the device id');
    }
  }

  try {
    if (isService) {
      const key = store.lookupServiceKey ? await store.lookupServiceKey(id) : undefined;
      if (!key || !(await store.verifySecret(secret, key.secretHash))) return refuse(CONNACK.badUsernameOrPassword, 'bad username or password');
      if (key.revoked) return refuse(CONNACK.notAuthorized, 'API key revoked');
      if (!(SERVICE_ROLES as readonly string[]).includes(key.role)) return refuse(CONNACK.notAuthorized, 'API key has no MQTT role');
      return { ok: true, client: { kind: 'service', role: key.role, keyId: id } };
    }
    const device = await store.lookupDevice(id);
    if (!device || !(await store.verifySecret(secret, device.secretHash))) return refuse(CONNACK.badUsernameOrPassword, 'bad username or password');
    if (device.revoked) return refuse(CONNACK.notAuthorized, 'device credential revoked');
    return { ok: true, client: { kind: 'device', deviceId: id } };
  } catch {
    return refuse(CONNACK.serverUnavailable, 'credential store unavailable');
  }
}

/**
 * A device on the TLS port: the listener verified the chain, this checks what the CA cannot know,
 * that the certificate is still registered to the device its CN names and not revoked. No
 * password is needed (one sent is ignored); a username, if sent, must be that device id.
 */
async function authenticateCertificate(credentials: ConnectCredentials, certificate: PeerCertificate, store: CredentialStore): Promise<AuthResult> {
  const id = certificate.commonName;
  if (!isValidDeviceId(id)) return refuse(CONNACK.badUsernameOrPassword, 'the certificate CN is not a device id');
  if (credentials.username !== undefined && credentials.username !== '' && credentials.username !== id) {
    return refuse(CONNACK.badUsernameOrPassword, "the username must be the certificate's device id, or absent");
  }
  if (!credentials.clientIdAssigned && credentials.clientId !== id) return refuse(CONNACK.identifierRejected, 'client id must equal the device id');
  try {
    const stored = store.lookupCertificate ? await store.lookupCertificate(certificate.fingerprint) : undefined;
    if (!stored || stored.deviceId !== id) return refuse(CONNACK.badUsernameOrPassword, 'certificate not registered to this device');
    if (stored.revoked) return refuse(CONNACK.notAuthorized, 'device certificate revoked');
    return { ok: true, client: { kind: 'device', deviceId: id } };
  } catch {
    return refuse(CONNACK.serverUnavailable, 'credential store unavailable');
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeSecret(password: Uint8Array | string | undefined): string | undefined {
  if (password === undefined) return undefined;
  const bytes = typeof password === 'string' ? Buffer.byteLength(password) : password.byteLength;
  if (bytes === 0 || bytes > MAX_SECRET_BYTES) return undefined;
  if (typeof password === 'string') return password;
  try {
    return utf8.decode(password);
  } catch {
    return undefined;
  }
}

function allow<T>(value: T): Decision<T> {
  return { ok: true, value };
}

function deny(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}

function refuse(returnCode: ConnackRefusal, reason: string): AuthResult {
  return { ok: false, returnCode, reason };
}

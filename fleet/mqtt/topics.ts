// The MQTT topic tree of contract 5: every device owns `anc/v1/<deviceId>/...`. This file is the
// only place that knows how topic strings are spelled; everything else handles `DeviceTopic`
// values, so a typo in a topic is a type error rather than a silently dead subscription.

export const TOPIC_ROOT = ['anc', 'v1'] as const;

/** MQTT allows 65535 bytes; nothing in our tree needs more than a few hundred. */
export const MAX_TOPIC_BYTES = 256;

/**
 * Ids that become one topic level (device, job, artifact). A small safe charset: no `+`, `#`, `/`
 * or NUL (MQTT syntax), no `$` (reserved for broker topics), no spaces or unicode look-alikes.
 * It starts with a letter or digit so `.`/`..` and `-flag`-looking ids are impossible. No `:`
 * either: service client ids are `service:<keyId>...`, so they can never collide with a device.
 */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const MAX_ID_LENGTH = 64;

/** Who publishes on a leaf, with the QoS and retain flag the leaf is meant to use. */
export interface LeafRule {
  publisher: 'device' | 'server';
  qos: 0 | 1;
  retain: boolean;
}

/** Every leaf of a device's subtree. Jobs and OTA are defined for the rollout issue. */
export const LEAF_RULES = {
  telemetry: { publisher: 'device', qos: 1, retain: false },
  // Why a telemetry batch or an event was not stored (it is still acknowledged, so a bad
  // payload is not redelivered forever): the device learns what to fix.
  'telemetry/rejected': { publisher: 'server', qos: 1, retain: false },
  events: { publisher: 'device', qos: 1, retain: false },
  'events/rejected': { publisher: 'server', qos: 1, retain: false },
  status: { publisher: 'device', qos: 1, retain: true },
  'shadow/update': { publisher: 'device', qos: 1, retain: false },
  'shadow/update/accepted': { publisher: 'server', qos: 1, retain: false },
  'shadow/update/rejected': { publisher: 'server', qos: 1, retain: false },
  'shadow/get': { publisher: 'device', qos: 1, retain: false },
  'shadow/get/accepted': { publisher: 'server', qos: 1, retain: false },
  'shadow/get/rejected': { publisher: 'server', qos: 1, retain: false },
  'shadow/delta': { publisher: 'server', qos: 1, retain: false },
  'jobs/notify': { publisher: 'server', qos: 1, retain: false },
  'jobs/update': { publisher: 'device', qos: 1, retain: false },
  'ota/chunk/get': { publisher: 'device', qos: 0, retain: false },
  'ota/chunk/data': { publisher: 'server', qos: 0, retain: false },
  'ota/chunk/rejected': { publisher: 'server', qos: 0, retain: false },
} as const satisfies Record<string, LeafRule>;

export type TopicKind = keyof typeof LEAF_RULES;

type Simple = Exclude<TopicKind, 'jobs/update' | 'ota/chunk/get' | 'ota/chunk/data' | 'ota/chunk/rejected'>;

/** A parsed topic of the device tree. */
export type DeviceTopic =
  | { kind: Simple; deviceId: string }
  | { kind: 'jobs/update'; deviceId: string; jobId: string }
  | { kind: 'ota/chunk/get' | 'ota/chunk/data' | 'ota/chunk/rejected'; deviceId: string; artifact: string };

export type TopicErrorReason =
  | 'empty'
  | 'too-long'
  | 'forbidden-character'
  | 'wildcard'
  | 'wrong-root'
  | 'bad-device-id'
  | 'bad-job-id'
  | 'bad-artifact'
  | 'unknown-leaf';

export type ParsedTopic = { ok: true; topic: DeviceTopic } | { ok: false; reason: TopicErrorReason; message: string };

const SIMPLE_LEAVES: ReadonlySet<string> = new Set(
  Object.keys(LEAF_RULES).filter((kind) => !kind.startsWith('jobs/update') && !kind.startsWith('ota/')),
);

const OTA_REPLY_KINDS = { get: 'ota/chunk/get', data: 'ota/chunk/data', rejected: 'ota/chunk/rejected' } as const;

export function isValidId(id: unknown): id is string {
  return typeof id === 'string' && ID_PATTERN.test(id);
}

/** Device ids share the level charset; kept as its own name because callers mean a device. */
export const isValidDeviceId = isValidId;

/** Byte length as MQTT counts it (UTF-8), not JavaScript string length. */
export function topicByteLength(topic: string): number {
  return Buffer.byteLength(topic, 'utf8');
}

/** Parses a concrete topic name (no wildcards) into a `DeviceTopic`, or says why not. */
export function parseTopic(topic: string): ParsedTopic {
  const lexical = checkTopicString(topic);
  if (lexical) return lexical;
  if (topic.includes('+') || topic.includes('#')) return error('wildcard', 'a topic name cannot contain + or #');
  const levels = topic.split('/');
  if (levels[0] !== TOPIC_ROOT[0] || levels[1] !== TOPIC_ROOT[1] || levels.length < 4) {
    return error('wrong-root', `topic must start with ${TOPIC_ROOT.join('/')}/<deviceId>/`);
  }
  const deviceId = levels[2]!;
  if (!isValidId(deviceId)) return error('bad-device-id', `"${deviceId}" is not a valid device id`);
  const rest = levels.slice(3);
  const leaf = rest.join('/');
  if (SIMPLE_LEAVES.has(leaf)) return { ok: true, topic: { kind: leaf as Simple, deviceId } };
  // jobs/<jobId>/update
  if (rest.length === 3 && rest[0] === 'jobs' && rest[2] === 'update') {
    if (!isValidId(rest[1])) return error('bad-job-id', `"${rest[1]}" is not a valid job id`);
    return { ok: true, topic: { kind: 'jobs/update', deviceId, jobId: rest[1]! } };
  }
  // ota/<artifact>/chunk/(get|data|rejected)
  if (rest.length === 4 && rest[0] === 'ota' && rest[2] === 'chunk' && Object.hasOwn(OTA_REPLY_KINDS, rest[3]!)) {
    if (!isValidId(rest[1])) return error('bad-artifact', `"${rest[1]}" is not a valid artifact name`);
    const kind = OTA_REPLY_KINDS[rest[3] as keyof typeof OTA_REPLY_KINDS];
    return { ok: true, topic: { kind, deviceId, artifact: rest[1]! } };
  }
  return error('unknown-leaf', `"${leaf}" is not a leaf of the device tree`);
}

/** Spells a `DeviceTopic`. Throws on an invalid id: building a topic from bad ids is a bug. */
export function buildTopic(topic: DeviceTopic): string {
  assertId(topic.deviceId, 'device id');
  const base = `${TOPIC_ROOT.join('/')}/${topic.deviceId}`;
  switch (topic.kind) {
    case 'jobs/update':
      assertId(topic.jobId, 'job id');
      return `${base}/jobs/${topic.jobId}/update`;
    case 'ota/chunk/get':
    case 'ota/chunk/data':
    case 'ota/chunk/rejected':
      assertId(topic.artifact, 'artifact');
      return `${base}/ota/${topic.artifact}/chunk/${topic.kind.slice('ota/chunk/'.length)}`;
    default:
      return `${base}/${topic.kind}`;
  }
}

/** The subtree prefix a device owns, with the trailing slash: `anc/v1/<id>/`. */
export function deviceRoot(deviceId: string): string {
  assertId(deviceId, 'device id');
  return `${TOPIC_ROOT.join('/')}/${deviceId}/`;
}

export type ParsedFilter =
  | { ok: true; levels: string[] }
  | { ok: false; reason: 'empty' | 'too-long' | 'forbidden-character' | 'bad-wildcard'; message: string };

/**
 * Checks MQTT 3.1.1 topic filter syntax (section 4.7.1): `#` only as the whole last level,
 * `+` only as a whole level. Returns the levels for the authorizer to reason about.
 */
export function parseTopicFilter(filter: string): ParsedFilter {
  const lexical = checkTopicString(filter);
  if (lexical) return lexical;
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) {
      return { ok: false, reason: 'bad-wildcard', message: '# must be the whole last level of a filter' };
    }
    if (level.includes('+') && level !== '+') {
      return { ok: false, reason: 'bad-wildcard', message: '+ must be a whole level of a filter' };
    }
  }
  return { ok: true, levels };
}

type LexicalError = { ok: false; reason: 'empty' | 'too-long' | 'forbidden-character'; message: string };

// Checks shared by names and filters: MQTT forbids empty topics and NUL; we also cap the length
// and refuse control characters, which no legitimate client of ours sends.
function checkTopicString(topic: string): LexicalError | undefined {
  if (typeof topic !== 'string' || topic.length === 0) return { ok: false, reason: 'empty', message: 'topic is empty' };
  if (topicByteLength(topic) > MAX_TOPIC_BYTES) {
    return { ok: false, reason: 'too-long', message: `topic is longer than ${MAX_TOPIC_BYTES} bytes` };
  }
  if (/[\u0000-\u001f\u007f]/.test(topic)) {
    return { ok: false, reason: 'forbidden-character', message: 'topic contains NUL or a control character' };
  }
  return undefined;
}

function error(reason: TopicErrorReason, message: string): ParsedTopic {
  return { ok: false, reason, message };
}

function assertId(id: string, what: string): void {
  if (!isValidId(id)) throw new TypeError(`invalid ${what}: ${JSON.stringify(id)}`);
}

/**
 * MQTT 3.1.1 matching of a concrete topic against a filter (section 4.7): `+` is one level, `#`
 * the rest (including the parent level itself), and wildcards at the first level never match `$`.
 */
export function topicMatchesFilter(topic: string, filter: string): boolean {
  const t = topic.split('/');
  const f = filter.split('/');
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return t.length === f.length;
}

// Limits on untrusted JSON payloads, and the one decoder every device payload goes through before
// any schema sees it. Schemas answer "is this the right shape"; this file answers "is it safe to
// look at": bounded bytes, valid UTF-8, bounded nesting, and no keys that could reach an object's
// prototype when a later step copies fields by name.

/** Largest accepted payload per topic leaf, in bytes. Aedes checks the raw packet size before us. */
export const PAYLOAD_LIMITS = {
  telemetry: 64 * 1024,
  events: 16 * 1024,
  status: 1024,
  'shadow/update': 16 * 1024,
  'shadow/get': 1024,
  'jobs/update': 4 * 1024,
  'ota/chunk/get': 1024,
} as const;

/** Nesting a device payload may have at all (a shadow section has its own, stricter limit). */
export const MAX_JSON_DEPTH = 16;

/**
 * Keys refused anywhere in a payload. JSON.parse makes `__proto__` an own property (harmless by
 * itself), but a merge that assigns `target[key] = value` would then replace a prototype.
 */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export type PayloadProblemReason = 'too-large' | 'not-utf8' | 'invalid-json' | 'too-deep' | 'forbidden-key';

export interface PayloadProblem {
  reason: PayloadProblemReason;
  message: string;
}

export type DecodedPayload = { ok: true; value: unknown } | { ok: false; problem: PayloadProblem };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Bytes -> JSON value, refusing oversized, non-UTF-8, malformed, too deep or hostile payloads. */
export function decodeJsonPayload(
  bytes: Uint8Array,
  limits: { maxBytes: number; maxDepth?: number },
): DecodedPayload {
  if (bytes.byteLength > limits.maxBytes) {
    return fail('too-large', `payload is ${bytes.byteLength} bytes; the limit is ${limits.maxBytes}`);
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return fail('not-utf8', 'payload is not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return fail('invalid-json', `payload is not JSON: ${(error as Error).message}`);
  }
  const problem = inspectJsonTree(value, limits.maxDepth ?? MAX_JSON_DEPTH);
  return problem ? { ok: false, problem } : { ok: true, value };
}

/**
 * Walks a parsed JSON tree without recursion (so a hostile depth cannot overflow the stack) and
 * reports the first nesting or key problem. Depth counts containers: `{}` is 1, `{"a":[1]}` is 2.
 * Only containers are visited, and a problem's path is spelled only once one is found: this runs
 * on every telemetry message.
 */
export function inspectJsonTree(value: unknown, maxDepth: number): PayloadProblem | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const stack: Frame[] = [{ node: value as object, depth: 1, key: '', parent: undefined }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.depth > maxDepth) return { reason: 'too-deep', message: `nesting deeper than ${maxDepth} at ${pathOf(frame)}` };
    const { node, depth } = frame;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const child: unknown = node[i];
        if (child !== null && typeof child === 'object') stack.push({ node: child, depth: depth + 1, key: i, parent: frame });
      }
      continue;
    }
    for (const key of Object.keys(node)) {
      if (FORBIDDEN_KEYS.has(key)) return { reason: 'forbidden-key', message: `key "${key}" is not allowed (at ${pathOf(frame)})` };
      const child: unknown = (node as Record<string, unknown>)[key];
      if (child !== null && typeof child === 'object') stack.push({ node: child, depth: depth + 1, key, parent: frame });
    }
  }
  return undefined;
}

interface Frame {
  node: object;
  depth: number;
  key: string | number;
  parent: Frame | undefined;
}

/** `/a/0/b` for a frame, `/` for the root. */
function pathOf(frame: Frame): string {
  const keys: Array<string | number> = [];
  for (let f: Frame | undefined = frame; f?.parent; f = f.parent) keys.push(f.key);
  return keys.length === 0 ? '/' : `/${keys.reverse().join('/')}`;
}

function fail(reason: PayloadProblemReason, message: string): DecodedPayload {
  return { ok: false, problem: { reason, message } };
}

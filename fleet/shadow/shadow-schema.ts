// What a shadow update may say. TypeBox gives both the checker and the TypeScript type from one
// declaration. Known fields (ANC mode, algorithm, intensity, EQ, versions) have strict schemas;
// other fields are free-form JSON, bounded only by the size, depth and key rules below.
import { Type } from '@sinclair/typebox';
import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { ValueError } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import { FORBIDDEN_KEYS, inspectJsonTree } from '../mqtt/payload-limits.ts';
import { ALGORITHMS } from '../../firmware/algorithm-names.ts';

export const SHADOW_LIMITS = {
  /** UTF-8 bytes of `state` (desired + reported) as stored; metadata does not count, as in AWS. */
  maxStateBytes: 8 * 1024,
  /** Containers from a section down, the section object itself counting as 1 (AWS allows 6). */
  maxDepth: 6,
  maxKeyBytes: 64,
  maxClientTokenBytes: 64,
} as const;

export const ANC_MODES = ['off', 'anc', 'transparency', 'adaptive'] as const;
// the firmware's own list: a shadow can only ask for an algorithm the module has
export { ALGORITHMS };

/** Semantic Versioning 2.0.0, the official grammar without the length-unbounded parts. */
export const SEMVER_PATTERN =
  '^(0|[1-9]\\d{0,8})\\.(0|[1-9]\\d{0,8})\\.(0|[1-9]\\d{0,8})(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?$';

const literals = <T extends readonly string[]>(values: T) => Type.Union(values.map((v) => Type.Literal(v)));

export const AncMode = literals(ANC_MODES);
export const Algorithm = literals(ALGORITHMS);
export const Intensity = Type.Number({ minimum: 0, maximum: 1 });
/** One peaking band; limits are what the headset's biquads can realise without clipping. */
export const EqBand = Type.Object(
  {
    hz: Type.Number({ minimum: 20, maximum: 20000 }),
    gainDb: Type.Number({ minimum: -24, maximum: 12 }),
    q: Type.Optional(Type.Number({ minimum: 0.1, maximum: 10 })),
  },
  { additionalProperties: false },
);
export const Eq = Type.Array(EqBand, { maxItems: 10 });
export const SemVer = Type.String({ pattern: SEMVER_PATTERN, maxLength: 64 });

// Every known field may also be null (delete). Unknown fields pass through to the generic checks.
const deletable = <T extends TSchema>(schema: T) => Type.Optional(Type.Union([schema, Type.Null()]));
const knownFields = {
  ancMode: deletable(AncMode),
  algorithm: deletable(Algorithm),
  intensity: deletable(Intensity),
  eq: deletable(Eq),
  modelVersion: deletable(SemVer),
};

export const DesiredPatch = Type.Object(knownFields, { additionalProperties: true });
/** The device reports what it runs; `firmwareVersion` is only ever reported, never desired. */
export const ReportedPatch = Type.Object({ ...knownFields, firmwareVersion: deletable(SemVer) }, { additionalProperties: true });

export const ShadowUpdateRequest = Type.Object(
  {
    state: Type.Object(
      {
        desired: Type.Optional(Type.Union([DesiredPatch, Type.Null()])),
        reported: Type.Optional(Type.Union([ReportedPatch, Type.Null()])),
      },
      { additionalProperties: false },
    ),
    version: Type.Optional(Type.Integer({ minimum: 0 })),
    clientToken: Type.Optional(Type.String({ minLength: 1, maxLength: SHADOW_LIMITS.maxClientTokenBytes })),
  },
  { additionalProperties: false },
);
export type ShadowUpdateRequest = Static<typeof ShadowUpdateRequest>;

export const ShadowGetRequest = Type.Object(
  { clientToken: Type.Optional(Type.String({ minLength: 1, maxLength: SHADOW_LIMITS.maxClientTokenBytes })) },
  { additionalProperties: false },
);
export type ShadowGetRequest = Static<typeof ShadowGetRequest>;

const updateChecker = TypeCompiler.Compile(ShadowUpdateRequest);
const desiredChecker = TypeCompiler.Compile(DesiredPatch);
const reportedChecker = TypeCompiler.Compile(ReportedPatch);
const getChecker = TypeCompiler.Compile(ShadowGetRequest);

export type RequestCheck<T> = { ok: true; value: T } | { ok: false; message: string };

/** Validates an update request: envelope, known fields, then the free-form rules per section. */
export function checkUpdateRequest(input: unknown): RequestCheck<ShadowUpdateRequest> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { ok: false, message: 'request must be a JSON object' };
  const record = input as Record<string, unknown>;
  if (!('state' in record)) return { ok: false, message: 'missing required node: state' };
  const state = record.state;
  if (typeof state !== 'object' || state === null || Array.isArray(state)) return { ok: false, message: 'state node must be an object' };
  // Checked before the schema, whose message for this case would be unhelpful.
  const desired = (state as Record<string, unknown>).desired;
  if (typeof desired === 'object' && desired !== null && Object.hasOwn(desired, 'firmwareVersion')) {
    return { ok: false, message: 'firmwareVersion is reported by the device and cannot be desired' };
  }
  // Walk before the schema: the schema compiler recurses, and a hostile tree should never reach it.
  for (const section of ['desired', 'reported'] as const) {
    const value = (state as Record<string, unknown>)[section];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'object' || Array.isArray(value)) return { ok: false, message: `${section} node must be an object` };
    const problem = checkFreeForm(value, `state.${section}`);
    if (problem) return { ok: false, message: problem };
  }
  // Sections first, each against its own schema: checked through the envelope, a bad field
  // would only say "expected union value" (object or null) about the whole section.
  for (const [section, checker] of [['desired', desiredChecker], ['reported', reportedChecker]] as const) {
    const value = (state as Record<string, unknown>)[section];
    if (value !== undefined && value !== null && !checker.Check(value)) {
      return { ok: false, message: firstError(checker.Errors(value), `state.${section}`) };
    }
  }
  if (!updateChecker.Check(input)) return { ok: false, message: firstError(updateChecker.Errors(input)) };
  return { ok: true, value: input };
}

export function checkGetRequest(input: unknown): RequestCheck<ShadowGetRequest> {
  // An empty payload is a valid get: devices commonly publish nothing on shadow/get.
  if (input === undefined || input === null) return { ok: true, value: {} };
  if (!getChecker.Check(input)) return { ok: false, message: firstError(getChecker.Errors(input)) };
  return { ok: true, value: input };
}

/**
 * Rules for free-form JSON inside a section: bounded depth, no prototype keys, short non-empty
 * keys, finite numbers, and no null inside arrays (null means "delete", which an array element
 * cannot be; keeping it out also means no null is ever stored).
 */
export function checkFreeForm(section: object, path: string): string | undefined {
  const tree = inspectJsonTree(section, SHADOW_LIMITS.maxDepth);
  if (tree) {
    return tree.reason === 'too-deep'
      ? `JSON contains too many levels of nesting under ${path}; maximum is ${SHADOW_LIMITS.maxDepth}`
      : `${tree.message} under ${path}`;
  }
  const stack: Array<{ node: unknown; path: string; inArray: boolean }> = [{ node: section, path, inArray: false }];
  while (stack.length > 0) {
    const { node, path: at, inArray } = stack.pop()!;
    if (node === null) {
      if (inArray) return `${at}: arrays cannot contain null`;
      continue;
    }
    switch (typeof node) {
      case 'string':
      case 'boolean':
        continue;
      case 'number':
        if (!Number.isFinite(node)) return `${at}: numbers must be finite`;
        continue;
      case 'object':
        break;
      default:
        return `${at}: ${typeof node} is not a JSON value`;
    }
    if (Array.isArray(node)) {
      node.forEach((child, i) => stack.push({ node: child, path: `${at}[${i}]`, inArray: true }));
      continue;
    }
    if (Object.getPrototypeOf(node) !== Object.prototype && Object.getPrototypeOf(node) !== null) return `${at}: not a plain JSON object`;
    for (const [key, child] of Object.entries(node)) {
      if (key.length === 0) return `${at}: empty keys are not allowed`;
      if (Buffer.byteLength(key) > SHADOW_LIMITS.maxKeyBytes) return `${at}: key longer than ${SHADOW_LIMITS.maxKeyBytes} bytes`;
      if (FORBIDDEN_KEYS.has(key)) return `${at}: key "${key}" is not allowed`;
      stack.push({ node: child, path: `${at}.${key}`, inArray: false });
    }
  }
  return undefined;
}

function firstError(errors: Iterable<ValueError>, prefix = ''): string {
  for (const error of errors) return describe(error, prefix);
  return 'invalid request';
}

function describe(error: ValueError, prefix: string): string {
  const path = `${prefix}${error.path.replaceAll('/', '.')}`.replace(/^\./, '') || 'request';
  const choices = literalChoices(error.schema);
  if (choices) return `${path}: expected one of ${choices.join(', ')}`;
  // A deletable field (X | null) failing X: report why it is not an X.
  const anyOf = error.schema.anyOf as TSchema[] | undefined;
  if (anyOf?.length === 2 && anyOf[1]!.type === 'null' && error.value !== null) {
    const inner = Value.Errors(anyOf[0]!, error.value).First();
    if (inner) return describe(inner, path);
  }
  return `${path}: ${error.message}`;
}

/** For enum-like unions, the allowed values: a clearer message than "Expected union value". */
function literalChoices(schema: TSchema): string[] | undefined {
  if (!Array.isArray(schema.anyOf)) return undefined;
  const out: string[] = [];
  for (const member of schema.anyOf as TSchema[]) {
    if (member.const !== undefined) out.push(JSON.stringify(member.const));
    else if (member.type === 'null') out.push('null');
    else {
      const nested = literalChoices(member);
      if (!nested) return undefined;
      out.push(...nested);
    }
  }
  return out;
}

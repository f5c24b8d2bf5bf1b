// Semantic-version precedence (semver.org 2.0.0, section 11) for the version ranges of targets and
// compatibility rules. Build metadata is ignored; a version that does not parse orders as unknown.
import type { VersionRange } from './rollout-config.ts';

interface Parsed {
  core: [number, number, number];
  pre: string[];
}

const PATTERN = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

function parse(version: string): Parsed | undefined {
  const m = PATTERN.exec(version);
  if (!m) return undefined;
  return { core: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] ? m[4].split('.') : [] };
}

function compareIdentifiers(a: string, b: string): number {
  const an = /^\d+$/.test(a);
  const bn = /^\d+$/.test(b);
  if (an && bn) return Math.sign(Number(a) - Number(b));
  if (an !== bn) return an ? -1 : 1; // numeric identifiers sort before alphanumeric ones
  return a < b ? -1 : a > b ? 1 : 0;
}

/** -1, 0 or 1 by precedence; undefined when either does not parse. */
export function compareVersions(a: string, b: string): number | undefined {
  const pa = parse(a);
  const pb = parse(b);
  if (!pa || !pb) return undefined;
  for (let i = 0; i < 3; i++) if (pa.core[i] !== pb.core[i]) return Math.sign(pa.core[i]! - pb.core[i]!);
  // A pre-release sorts before its release.
  if (pa.pre.length === 0 || pb.pre.length === 0) return pa.pre.length === pb.pre.length ? 0 : pa.pre.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.min(pa.pre.length, pb.pre.length); i++) {
    const c = compareIdentifiers(pa.pre[i]!, pb.pre[i]!);
    if (c !== 0) return c;
  }
  return Math.sign(pa.pre.length - pb.pre.length);
}

/** Why `version` is outside `range`, or undefined when it is inside. */
export function outsideRange(version: string | null, range: VersionRange, what: string): string | undefined {
  if (version === null) return `${what} unknown`;
  if (range.atLeast !== undefined) {
    const c = compareVersions(version, range.atLeast);
    if (c === undefined) return `${what} ${version} is not a semantic version`;
    if (c < 0) return `${what} ${version} is below ${range.atLeast}`;
  }
  if (range.below !== undefined) {
    const c = compareVersions(version, range.below);
    if (c === undefined) return `${what} ${version} is not a semantic version`;
    if (c >= 0) return `${what} ${version} is not below ${range.below}`;
  }
  return undefined;
}

// Time buckets for telemetry queries (avg/min/max per bucket). Widths come from a query string
// (`?bucket=5m`), so they are parsed strictly, and a query's range is checked to produce a bounded
// number of buckets before any SQL runs.

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export const BUCKET_LIMITS = {
  minWidthMs: 1000,
  maxWidthMs: 7 * UNIT_MS.d,
  /** Rows a query may return per device; a year of 1 h buckets is 8,760. */
  maxBuckets: 10_000,
} as const;

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** `"30s"`, `"1m"`, `"5m"`, `"1h"`, `"1d"` -> milliseconds. No fractions, signs, spaces or zero. */
export function parseBucketWidth(text: unknown): Parsed<number> {
  if (typeof text !== 'string') return { ok: false, reason: 'bucket width must be a string like 5m' };
  const match = /^([1-9][0-9]{0,3})([smhd])$/.exec(text);
  if (!match) return { ok: false, reason: `"${text.slice(0, 20)}" is not a bucket width (use e.g. 30s, 5m, 1h, 1d)` };
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  if (ms < BUCKET_LIMITS.minWidthMs || ms > BUCKET_LIMITS.maxWidthMs) {
    return { ok: false, reason: `bucket width must be between 1s and 7d` };
  }
  return { ok: true, value: ms };
}

/** Formats a width back to its shortest spelling (for responses and cache keys). */
export function formatBucketWidth(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    if (ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${ms}ms`;
}

/**
 * Start of the bucket holding `t`. Buckets are aligned to the Unix epoch (UTC), so the same
 * width always yields the same boundaries, whichever node answers the query.
 */
export function bucketStart(t: number, widthMs: number): number {
  return Math.floor(t / widthMs) * widthMs;
}

export interface BucketPlan {
  from: number;
  to: number;
  widthMs: number;
  /** First bucket start (aligned down from `from`) and number of buckets covering [from, to). */
  firstBucket: number;
  buckets: number;
}

/** Validates a query range `[from, to)` with a width and counts its buckets. */
export function planBuckets(query: { from: number; to: number; widthMs: number }, maxBuckets: number = BUCKET_LIMITS.maxBuckets): Parsed<BucketPlan> {
  const { from, to, widthMs } = query;
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0) return { ok: false, reason: 'from and to must be epoch milliseconds' };
  if (to <= from) return { ok: false, reason: 'to must be after from' };
  if (!Number.isSafeInteger(widthMs) || widthMs < BUCKET_LIMITS.minWidthMs || widthMs > BUCKET_LIMITS.maxWidthMs) {
    return { ok: false, reason: 'bucket width out of range' };
  }
  const firstBucket = bucketStart(from, widthMs);
  const buckets = Math.ceil((to - firstBucket) / widthMs);
  if (buckets > maxBuckets) return { ok: false, reason: `${buckets} buckets requested; the limit is ${maxBuckets} (use a wider bucket or a shorter range)` };
  return { ok: true, value: { from, to, widthMs, firstBucket, buckets } };
}

// A token bucket per source address against reconnect storms: after an outage, thousands of
// headsets reconnect at once, and each CONNECT costs a credential lookup. A client over its
// rate is refused with CONNACK 3 (server unavailable), which MQTT clients answer by backing off.
// Pure: the clock is handed in.

export interface ConnectRateLimitOptions {
  /** Tokens added per second, per address. */
  ratePerSecond: number;
  /** Bucket size: connects an address may make in a burst. */
  burst: number;
  now?: () => number;
  /** Addresses tracked at once; the least recently seen are forgotten beyond it (bounded memory). */
  maxAddresses?: number;
}

export interface ConnectRateLimiter {
  /** Takes a token for `address`; false when its bucket is empty. */
  take(address: string): boolean;
  size(): number;
}

export function createConnectRateLimiter(options: ConnectRateLimitOptions): ConnectRateLimiter {
  const { ratePerSecond, burst } = options;
  if (!(ratePerSecond > 0) || !(burst >= 1)) throw new RangeError('ratePerSecond must be > 0 and burst >= 1');
  const now = options.now ?? Date.now;
  const maxAddresses = options.maxAddresses ?? 100_000;
  // A Map iterates in insertion order; re-inserting on use keeps the oldest first for eviction.
  const buckets = new Map<string, { tokens: number; at: number }>();

  return {
    take(address) {
      const t = now();
      const bucket = buckets.get(address) ?? { tokens: burst, at: t };
      buckets.delete(address);
      bucket.tokens = Math.min(burst, bucket.tokens + ((t - bucket.at) / 1000) * ratePerSecond);
      bucket.at = t;
      const allowed = bucket.tokens >= 1;
      if (allowed) bucket.tokens -= 1;
      buckets.set(address, bucket);
      if (buckets.size > maxAddresses) buckets.delete(buckets.keys().next().value!);
      return allowed;
    },
    size: () => buckets.size,
  };
}

// A small TTL cache for what authentication reads on every request (an API key's row, a JWT's
// user), so a REST call does not cost a database round trip just to learn who is calling.
// Changes made through this node (a key revoked, a user deleted or given another role) evict
// the entry at once, through FleetEvents; the TTL only bounds how long another node's change
// can go unseen. Entries are few (one per key or user in use), but the size is capped anyway.

export interface TtlCacheOptions {
  ttlMs: number;
  maxEntries?: number;
  now?: () => number;
}

export interface TtlCache<K, V> {
  get(key: K): V | undefined;
  set(key: K, value: V): void;
  delete(key: K): void;
  /** Drops every entry whose value matches. */
  deleteWhere(match: (value: V, key: K) => boolean): void;
  clear(): void;
  readonly size: number;
}

export function createTtlCache<K, V>(options: TtlCacheOptions): TtlCache<K, V> {
  const { ttlMs } = options;
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const entries = new Map<K, { value: V; expires: number }>();
  return {
    get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expires <= now()) {
        entries.delete(key);
        return undefined;
      }
      return entry.value;
    },
    set(key, value) {
      if (ttlMs <= 0) return;
      entries.delete(key);
      // Oldest first (Map keeps insertion order): evict from the front when full.
      while (entries.size >= maxEntries) entries.delete(entries.keys().next().value as K);
      entries.set(key, { value, expires: now() + ttlMs });
    },
    delete(key) {
      entries.delete(key);
    },
    deleteWhere(match) {
      for (const [key, entry] of entries) if (match(entry.value, key)) entries.delete(key);
    },
    clear() {
      entries.clear();
    },
    get size() {
      return entries.size;
    },
  };
}

/**
 * The per-token request limit (TOKEN_RATE_LIMIT_PER_MINUTE): a fixed window per token, opened by
 * its first request, counted the way @fastify/rate-limit's local store counts (which the
 * invitation and password limits use). Its own counter because it runs on every request a token
 * makes, and through @fastify/rate-limit that was a promise, a key string and an LRU update each
 * time (docs/benchmarks.md, "Authentication"); here it is a Map lookup and an increment. Held by
 * the access plugin, one per app, in this process only (docs/operations.md).
 */
export function createWindowLimit(options: { max: number; windowMs: number; maxKeys: number }) {
  const windows = new Map<string, { openedAt: number; count: number }>();

  /** Makes room: closed windows go first, then the oldest (a key seen again opens a new one). */
  function prune(now: number) {
    for (const [key, window] of windows) {
      if (window.openedAt + options.windowMs <= now) windows.delete(key);
    }
    for (const key of windows.keys()) {
      if (windows.size < options.maxKeys) break;
      windows.delete(key);
    }
  }

  return {
    /** Counts one request of `key`: 0 while within the limit, else the seconds until it resets. */
    take(key: string, now = Date.now()): number {
      let window = windows.get(key);
      if (!window || window.openedAt + options.windowMs <= now) {
        if (!window && windows.size >= options.maxKeys) prune(now);
        window = { openedAt: now, count: 0 };
        windows.set(key, window);
      }
      window.count++;
      if (window.count <= options.max) return 0;
      return Math.max(1, Math.ceil((window.openedAt + options.windowMs - now) / 1000));
    },
  };
}

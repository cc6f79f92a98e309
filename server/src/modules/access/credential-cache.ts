import { LRUCache } from 'lru-cache';

/**
 * Resolved sessions and tokens of one API process, held by the app (never module state), keyed
 * by the SHA-256 of the cookie or secret. It spares an authenticated read its one database round
 * trip (docs/benchmarks.md, "Authentication"). What keeps "revocation, expiry and deactivation
 * take effect on the next request":
 * - expiry: every hit checks the cached expires_at (and a session's idle limit);
 * - changes made by this process: the guard forgets right after any state-changing request
 *   (http/access.ts), before the response leaves;
 * - changes made elsewhere (another API process, the CLI): a trigger sends NOTIFY
 *   cairn_credentials with the user's id in the changing transaction (migration 0019), and
 *   credential-notices.ts forgets that user's entries; while that connection is down the cache is
 *   not used at all (`usable`).
 * A lookup that started before a forget does not store its (possibly stale) result: each forget
 * moves `generation` on.
 */
export function createCredentialCache<V extends { user: { id: string } }>(options: {
  ttlMs: number;
  maxEntries: number;
}) {
  const entries = new LRUCache<string, V>({
    max: options.maxEntries,
    ttl: Math.max(options.ttlMs, 1),
    ttlAutopurge: false,
  });
  let generation = 0;
  const enabled = options.ttlMs > 0;
  // Off until the notice listener says other processes' changes will be heard.
  let usable = false;

  return {
    get usable() {
      return usable;
    },
    /** Set by the notice listener: false while other processes' changes could go unheard. */
    setUsable(value: boolean) {
      if (!value || !usable) forgetAll();
      usable = enabled && value;
    },
    generation: () => generation,
    get(key: string): V | undefined {
      return usable ? entries.get(key) : undefined;
    },
    /** Stores what a lookup begun at `startedAt` (a `generation()`) found, unless a forget came since. */
    set(key: string, value: V, startedAt: number) {
      if (usable && startedAt === generation) entries.set(key, value);
    },
    delete(key: string) {
      entries.delete(key);
    },
    forgetUser(userId: string) {
      generation++;
      for (const [key, value] of entries.entries()) {
        if (value.user.id === userId) entries.delete(key);
      }
    },
    forgetAll,
    get size() {
      return entries.size;
    },
  };

  function forgetAll() {
    generation++;
    entries.clear();
  }
}

export type CredentialCache<V extends { user: { id: string } }> = ReturnType<
  typeof createCredentialCache<V>
>;

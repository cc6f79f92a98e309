import type { FastifyBaseLogger } from 'fastify';
import type { Database } from '../../db/database.js';
import { listenChannel } from '../../db/listen.js';

/** The channel migration 0019's triggers notify with the id of a user whose credentials changed. */
export const CREDENTIALS_CHANNEL = 'cairn_credentials';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Keeps `cache` honest about changes other processes make: each notice forgets that user's
 * entries. The cache is used only while the LISTEN connection is up (a notice missed while it was
 * down could leave a revoked credential cached), and emptied whenever it comes up again. On the
 * embedded database there is no other API process (its data directory is locked), so the cache is
 * used from the start; `npm run user -- passwd`, which attaches to it, reaches a running server's
 * cache only through AUTH_CACHE_TTL_SECONDS (docs/api.md).
 */
export function startCredentialNotices(
  database: Database,
  cache: { forgetUser(userId: string): void; forgetAll(): void; setUsable(value: boolean): void },
  logger: FastifyBaseLogger,
): { close(): Promise<void> } {
  if (database.embedded) {
    cache.setUsable(true);
    return { close: async () => cache.setUsable(false) };
  }
  const listener = listenChannel({
    database,
    channel: CREDENTIALS_CHANNEL,
    logger,
    onNotice: (payload) => (UUID.test(payload) ? cache.forgetUser(payload) : cache.forgetAll()),
    onUp: () => cache.setUsable(true),
    onDown: () => cache.setUsable(false),
  });
  return {
    close: async () => {
      cache.setUsable(false);
      await listener.close();
    },
  };
}

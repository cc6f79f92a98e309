import type { Locale } from '@cairn/contract';
import type { Database } from '../../db/database.js';

/**
 * The interface language a user saved (Settings → Profile), or null to follow the browser. Read
 * by `GET /auth/me` on its own rather than with the session, so the session lookup every request
 * makes stays as it is.
 */
export async function readUserLocale(database: Database, userId: string): Promise<Locale | null> {
  const row = await database.db
    .selectFrom('app_users')
    .select('locale')
    .where('id', '=', userId)
    .executeTakeFirst();
  return row?.locale ?? null;
}

/** A preference of the user's own, not a critical action: it is not audited. */
export async function setUserLocale(
  database: Database,
  userId: string,
  locale: Locale | null,
): Promise<void> {
  await database.db
    .updateTable('app_users')
    .set({ locale, updated_at: new Date() })
    .where('id', '=', userId)
    .execute();
}

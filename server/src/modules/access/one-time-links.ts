import { randomBytes } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Config } from '../../config.js';
import type { Database } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../http/errors.js';
import { hashPassword } from '../auth/passwords.js';
import { recordAccessEvent } from './audit-access.js';
import { sha256Hex } from './identity.js';

export type LinkPurpose = 'invite' | 'reset';

/**
 * Issues a one-time link for a user to set their password: an invitation for a new user, a reset
 * for an existing one. The token (256 bits) is in the returned URL only; the row keeps its
 * SHA-256. Any earlier unused link of the user stops working, so only the newest is live.
 */
export async function issueLink(
  trx: Transaction<DB>,
  config: Config,
  input: { userId: string; purpose: LinkPurpose; createdBy: string },
): Promise<{ url: string; expiresAt: Date }> {
  await trx
    .updateTable('invitations')
    .set({ expires_at: sql<Date>`least(expires_at, now())` })
    .where('user_id', '=', input.userId)
    .where('used_at', 'is', null)
    .execute();
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + config.INVITE_TTL_HOURS * 3_600_000);
  await trx
    .insertInto('invitations')
    .values({
      user_id: input.userId,
      token_hash: sha256Hex(token),
      purpose: input.purpose,
      created_by: input.createdBy,
      expires_at: expiresAt,
    })
    .execute();
  // The web app's page for it (web/src/app/invite/[token]); it calls POST /invitations/:token/accept.
  const url = `${new URL(config.CORS_ORIGIN).origin}/invite/${token}`;
  return { url, expiresAt };
}

// One answer for unknown, used and expired links: a link reveals nothing about another.
const invalidLink = () => new AppError('not_found', 'this link is not valid or has expired');

async function findLiveLink(database: Database, token: string) {
  const row = await database.db
    .selectFrom('invitations as i')
    .innerJoin('app_users as u', 'u.id', 'i.user_id')
    .select(['i.id', 'i.purpose', 'i.expires_at', 'u.username'])
    .where('i.token_hash', '=', sha256Hex(token))
    .where('i.used_at', 'is', null)
    .where('i.expires_at', '>', sql<Date>`now()`)
    .where('u.active', '=', true)
    .executeTakeFirst();
  if (!row) throw invalidLink();
  return row;
}

/** What the link's page shows before the password is chosen. */
export async function describeLink(database: Database, token: string) {
  const row = await findLiveLink(database, token);
  return { username: row.username, purpose: row.purpose, expiresAt: new Date(row.expires_at) };
}

/**
 * Sets the user's password from a live link, once. The link is claimed by one UPDATE that only
 * matches an unused, unexpired row, so two concurrent accepts cannot both succeed. A reset also
 * ends every session the user still had.
 */
export async function acceptLink(
  database: Database,
  input: { token: string; password: string; requestId: string },
): Promise<{ username: string }> {
  // Cheap check first: an unknown token costs no argon2 hash.
  await findLiveLink(database, input.token);
  const passwordHash = await hashPassword(input.password);
  return database.db.transaction().execute(async (trx) => {
    const claimed = await trx
      .updateTable('invitations')
      .set({ used_at: sql<Date>`now()` })
      .where('token_hash', '=', sha256Hex(input.token))
      .where('used_at', 'is', null)
      .where('expires_at', '>', sql<Date>`now()`)
      .returning(['id', 'user_id', 'purpose'])
      .executeTakeFirst();
    if (!claimed) throw invalidLink();
    const user = await trx
      .updateTable('app_users')
      .set({ password_hash: passwordHash })
      .where('id', '=', claimed.user_id)
      .where('active', '=', true)
      .returning(['id', 'username'])
      .executeTakeFirst();
    if (!user) throw invalidLink();
    await trx.deleteFrom('sessions').where('user_id', '=', user.id).execute();
    await recordAccessEvent(trx, {
      actor: user.username,
      action: 'invitation.accept',
      entityType: 'invitation',
      entityId: claimed.id,
      payload: { purpose: claimed.purpose, user_id: user.id },
      requestId: input.requestId,
    });
    return { username: user.username };
  });
}

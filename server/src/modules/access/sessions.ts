import { sql } from 'kysely';
import type { Config } from '../../config.js';
import type { Database } from '../../db/database.js';
import { AppError, notFound } from '../../http/errors.js';
import { hashPassword, verifyPassword } from '../auth/passwords.js';
import type { Actor } from '../../http/actor.js';
import { recordAccessEvent } from './audit-access.js';

/** A user's live sessions, newest first; `current` marks the one asking. */
export async function listSessions(
  database: Database,
  config: Config,
  input: { userId: string; currentSessionId: string | null },
) {
  const rows = await database.db
    .selectFrom('sessions')
    .select([
      'public_id',
      'created_at',
      'last_seen_at',
      'expires_at',
      'ip',
      'user_agent',
      // Compared in SQL so the cookie's hash is never read into a response object.
      sql<boolean>`session_id = ${input.currentSessionId ?? ''}`.as('current'),
    ])
    .where('user_id', '=', input.userId)
    .where('expires_at', '>', sql<Date>`now()`)
    .where(
      'last_seen_at',
      '>',
      sql<Date>`now() - make_interval(mins => ${config.SESSION_IDLE_MINUTES})`,
    )
    .orderBy('last_seen_at', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.public_id,
    created_at: r.created_at.toISOString(),
    last_seen_at: r.last_seen_at.toISOString(),
    expires_at: new Date(r.expires_at).toISOString(),
    ip: r.ip,
    user_agent: r.user_agent,
    current: r.current,
  }));
}

/**
 * Ends sessions of `userId`: one (by its public id), or every one but `keepSessionId`. Returns
 * how many ended; naming a session that is not the user's is 404, like a missing one.
 */
export async function revokeSessions(
  database: Database,
  input: { userId: string; publicId?: string; keepSessionId?: string },
  actor: Actor,
): Promise<number> {
  return database.db.transaction().execute(async (trx) => {
    let query = trx.deleteFrom('sessions').where('user_id', '=', input.userId);
    if (input.publicId) query = query.where('public_id', '=', input.publicId);
    if (input.keepSessionId) query = query.where('session_id', '<>', input.keepSessionId);
    const ended = await query.returning('public_id').execute();
    if (input.publicId && ended.length === 0) throw notFound('session');
    await recordAccessEvent(trx, {
      actor: actor.username,
      action: 'session.revoke',
      entityType: 'session',
      entityId: input.userId,
      payload: {
        user_id: input.userId,
        sessions: ended.map((s) => s.public_id),
        ...(input.keepSessionId ? { kept_current: true } : {}),
      },
      requestId: actor.requestId,
    });
    return ended.length;
  });
}

/**
 * Changes the signed-in user's password after checking the current one, and ends every other
 * session of theirs (whoever else held one must sign in again with the new password).
 */
export async function changePassword(
  database: Database,
  input: {
    userId: string;
    currentSessionId: string;
    currentPassword: string;
    newPassword: string;
  },
  actor: Actor,
): Promise<{ revoked: number }> {
  const user = await database.db
    .selectFrom('app_users')
    .select('password_hash')
    .where('id', '=', input.userId)
    .executeTakeFirstOrThrow();
  if (!(await verifyPassword(user.password_hash, input.currentPassword))) {
    await recordAccessEvent(database.db, {
      actor: actor.username,
      action: 'auth.password.change',
      entityType: 'user',
      entityId: input.userId,
      status: 'denied',
      requestId: actor.requestId,
    });
    throw new AppError('invalid_input', 'the current password is not right', {
      fields: [{ field: 'current_password', message: 'is not right' }],
    });
  }
  const passwordHash = await hashPassword(input.newPassword);
  return database.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('app_users')
      .set({ password_hash: passwordHash })
      .where('id', '=', input.userId)
      .execute();
    const ended = await trx
      .deleteFrom('sessions')
      .where('user_id', '=', input.userId)
      .where('session_id', '<>', input.currentSessionId)
      .returning('public_id')
      .execute();
    await recordAccessEvent(trx, {
      actor: actor.username,
      action: 'auth.password.change',
      entityType: 'user',
      entityId: input.userId,
      payload: { sessions_ended: ended.length },
      requestId: actor.requestId,
    });
    return { revoked: ended.length };
  });
}

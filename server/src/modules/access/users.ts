import type { Locale } from '@cairn/contract';
import { sql, type Transaction } from 'kysely';
import type { Config } from '../../config.js';
import type { Database } from '../../db/database.js';
import type { DB, WorkspaceRole } from '../../db/schema.js';
import { isUniqueViolation } from '../../http/database-errors.js';
import { AppError, notFound } from '../../http/errors.js';
import { NO_PASSWORD } from '../auth/passwords.js';
import type { Actor } from '../../http/actor.js';
import { recordAccessEvent } from './audit-access.js';
import { issueLink } from './one-time-links.js';
import type { Executor } from '../../db/scoped-sql.js';

export interface UserRow {
  id: string;
  username: string;
  role: WorkspaceRole;
  active: boolean;
  email: string | null;
  locale: Locale | null;
  created_at: Date;
  deactivated_at: Date | null;
  password_set: boolean;
  pending_purpose: 'invite' | 'reset' | null;
  pending_expires_at: Date | null;
  last_seen_at: Date | null;
}

const userColumns = (db: Executor) =>
  db
    .selectFrom('app_users as u')
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('invitations as i')
          .select(['i.purpose', 'i.expires_at'])
          .whereRef('i.user_id', '=', 'u.id')
          .where('i.used_at', 'is', null)
          .where('i.expires_at', '>', sql<Date>`now()`)
          .orderBy('i.created_at', 'desc')
          .limit(1)
          .as('link'),
      (join) => join.onTrue(),
    )
    .select([
      'u.id',
      'u.username',
      'u.role',
      'u.active',
      'u.email',
      'u.locale',
      'u.created_at',
      'u.deactivated_at',
      sql<boolean>`u.password_hash like '$argon2%'`.as('password_set'),
      sql<'invite' | 'reset' | null>`link.purpose`.as('pending_purpose'),
      sql<Date | null>`link.expires_at`.as('pending_expires_at'),
      sql<Date | null>`(select max(s.last_seen_at) from sessions s where s.user_id = u.id)`.as(
        'last_seen_at',
      ),
    ]);

export const listUsers = (database: Database): Promise<UserRow[]> =>
  userColumns(database.db).orderBy('u.created_at').orderBy('u.id').execute();

async function userById(executor: Executor, id: string): Promise<UserRow> {
  const row = await userColumns(executor).where('u.id', '=', id).executeTakeFirst();
  if (!row) throw notFound('user');
  return row;
}

/**
 * Creates a user with no password and an invitation link to set one. A `locale` given by the
 * inviting owner is saved as the user's language (Settings → Profile can change it); without one
 * the user follows their browser.
 */
export async function createUser(
  database: Database,
  config: Config,
  input: { username: string; role: WorkspaceRole; email?: string; locale?: Locale },
  actor: Actor,
): Promise<{ user: UserRow; url: string; expiresAt: Date }> {
  return database.db.transaction().execute(async (trx) => {
    const created = await trx
      .insertInto('app_users')
      .values({
        username: input.username,
        password_hash: NO_PASSWORD,
        role: input.role,
        email: input.email ?? null,
        locale: input.locale ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
      .catch((error: unknown) => {
        if (isUniqueViolation(error)) {
          throw new AppError('conflict', `a user named ${input.username} already exists`, {
            fields: [{ field: 'username', message: 'is taken' }],
          });
        }
        throw error;
      });
    const link = await issueLink(trx, config, {
      userId: created.id,
      purpose: 'invite',
      createdBy: actor.userId,
    });
    await recordAccessEvent(trx, {
      actor: actor.username,
      action: 'user.invite',
      entityType: 'user',
      entityId: created.id,
      payload: { username: input.username, role: input.role, expires_at: link.expiresAt },
      requestId: actor.requestId,
    });
    return { user: await userById(trx, created.id), ...link };
  });
}

/**
 * Changes a user's workspace role or active flag. The workspace always keeps an active owner:
 * every active owner row is locked first, so two owners demoting each other at the same moment
 * run one after the other and the second sees it would remove the last one. Deactivation ends
 * the user's sessions, tokens and pending links in the same transaction: their next request is
 * refused (the guard also checks `active` on every request).
 */
export async function updateUser(
  database: Database,
  id: string,
  patch: { role?: WorkspaceRole; active?: boolean },
  actor: Actor,
): Promise<UserRow> {
  return database.db.transaction().execute(async (trx) => {
    const owners = await trx
      .selectFrom('app_users')
      .select('id')
      .where('role', '=', 'owner')
      .where('active', '=', true)
      .forUpdate()
      .execute();
    const before = await trx
      .selectFrom('app_users')
      .select(['id', 'username', 'role', 'active'])
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!before) throw notFound('user');
    const role = patch.role ?? before.role;
    const active = patch.active ?? before.active;
    const losesOwner = before.role === 'owner' && before.active && (role !== 'owner' || !active);
    if (losesOwner && owners.every((o) => o.id === id)) {
      throw new AppError(
        'conflict',
        'the workspace needs an active owner: make someone else an owner first',
      );
    }
    await trx
      .updateTable('app_users')
      .set({
        role,
        active,
        ...(active !== before.active ? { deactivated_at: active ? null : sql<Date>`now()` } : {}),
      })
      .where('id', '=', id)
      .execute();
    if (before.active && !active) await endEverything(trx, id);
    await recordAccessEvent(trx, {
      actor: actor.username,
      action: 'user.update',
      entityType: 'user',
      entityId: id,
      payload: {
        username: before.username,
        ...(role !== before.role ? { role: { from: before.role, to: role } } : {}),
        ...(active !== before.active ? { active: { from: before.active, to: active } } : {}),
      },
      requestId: actor.requestId,
    });
    return userById(trx, id);
  });
}

/** Sessions deleted, tokens revoked, links expired: nothing the user held still works. */
async function endEverything(trx: Transaction<DB>, userId: string) {
  await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();
  await trx
    .updateTable('api_tokens')
    .set({ revoked_at: sql<Date>`now()` })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
  await trx
    .updateTable('invitations')
    .set({ expires_at: sql<Date>`least(expires_at, now())` })
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .execute();
}

/**
 * A new one-time link to set a password. The old password stops working at once (the stored
 * hash is replaced by one nothing verifies against) and the user's sessions end; their tokens
 * are left alone (deactivate the user to end those too).
 */
export async function resetUser(
  database: Database,
  config: Config,
  id: string,
  actor: Actor,
): Promise<{ user: UserRow; url: string; expiresAt: Date }> {
  return database.db.transaction().execute(async (trx) => {
    const target = await trx
      .updateTable('app_users')
      .set({ password_hash: NO_PASSWORD })
      .where('id', '=', id)
      .returning(['id', 'username'])
      .executeTakeFirst();
    if (!target) throw notFound('user');
    await trx.deleteFrom('sessions').where('user_id', '=', id).execute();
    const link = await issueLink(trx, config, {
      userId: id,
      purpose: 'reset',
      createdBy: actor.userId,
    });
    await recordAccessEvent(trx, {
      actor: actor.username,
      action: 'user.reset',
      entityType: 'user',
      entityId: id,
      payload: { username: target.username, expires_at: link.expiresAt },
      requestId: actor.requestId,
    });
    return { user: await userById(trx, id), ...link };
  });
}

export const toUserDto = (u: UserRow) => ({
  id: u.id,
  username: u.username,
  role: u.role,
  active: u.active,
  email: u.email,
  locale: u.locale,
  created_at: u.created_at.toISOString(),
  deactivated_at: u.deactivated_at?.toISOString() ?? null,
  password_set: u.password_set,
  pending_link:
    u.pending_purpose && u.pending_expires_at
      ? { purpose: u.pending_purpose, expires_at: new Date(u.pending_expires_at).toISOString() }
      : null,
  last_seen_at: u.last_seen_at ? new Date(u.last_seen_at).toISOString() : null,
});

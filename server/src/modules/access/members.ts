import type { Transaction } from 'kysely';
import type { Database } from '../../db/database.js';
import type { DB, ProjectRole, WorkspaceRole } from '../../db/schema.js';
import { notFound } from '../../http/errors.js';
import type { Actor } from '../../http/actor.js';
import { recordAccessEvent } from './audit-access.js';

export interface MemberRow {
  user_id: string;
  username: string;
  role: ProjectRole;
  workspace_role: WorkspaceRole;
  active: boolean;
  added_at: Date;
}

const memberColumns = (db: Database['db'] | Transaction<DB>) =>
  db
    .selectFrom('project_members as m')
    .innerJoin('app_users as u', 'u.id', 'm.user_id')
    .select([
      'm.user_id',
      'u.username',
      'm.role',
      'u.role as workspace_role',
      'u.active',
      'm.created_at as added_at',
    ]);

/** A project's explicit members, and the owners (who see it without a membership). */
export async function listMembers(database: Database, projectId: string) {
  const [members, owners, candidates] = await Promise.all([
    memberColumns(database.db)
      .where('m.project_id', '=', projectId)
      .orderBy('u.username')
      .execute(),
    database.db
      .selectFrom('app_users')
      .select(['id as user_id', 'username'])
      .where('role', '=', 'owner')
      .where('active', '=', true)
      .orderBy('username')
      .execute(),
    database.db
      .selectFrom('app_users as u')
      .select(['u.id as user_id', 'u.username'])
      .where('u.role', '=', 'member')
      .where('u.active', '=', true)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('project_members as m')
              .select('m.user_id')
              .where('m.project_id', '=', projectId)
              .whereRef('m.user_id', '=', 'u.id'),
          ),
        ),
      )
      .orderBy('u.username')
      .execute(),
  ]);
  return { members, owners, candidates };
}

/** Adds a user to a project or changes their role there. */
export async function setMember(
  database: Database,
  input: { projectId: string; userId: string; role: ProjectRole },
  actor: Actor,
): Promise<MemberRow> {
  return database.db.transaction().execute(async (trx) => {
    const user = await trx
      .selectFrom('app_users')
      .select(['id', 'username'])
      .where('id', '=', input.userId)
      .executeTakeFirst();
    if (!user) throw notFound('user');
    const previous = await trx
      .selectFrom('project_members')
      .select('role')
      .where('project_id', '=', input.projectId)
      .where('user_id', '=', input.userId)
      .forUpdate()
      .executeTakeFirst();
    await addMember(trx, input);
    await recordAccessEvent(trx, {
      actor: actor.username,
      action: 'member.set',
      entityType: 'project_member',
      entityId: `${input.projectId}:${input.userId}`,
      payload: {
        project_id: input.projectId,
        user_id: input.userId,
        username: user.username,
        role: input.role,
        previous_role: previous?.role ?? null,
      },
      requestId: actor.requestId,
    });
    return memberColumns(trx)
      .where('m.project_id', '=', input.projectId)
      .where('m.user_id', '=', input.userId)
      .executeTakeFirstOrThrow();
  });
}

/** The membership row alone, inside the caller's transaction (e.g. a project's creator). */
export async function addMember(
  trx: Transaction<DB>,
  input: { projectId: string; userId: string; role: ProjectRole },
) {
  await trx
    .insertInto('project_members')
    .values({ project_id: input.projectId, user_id: input.userId, role: input.role })
    .onConflict((oc) => oc.columns(['project_id', 'user_id']).doUpdateSet({ role: input.role }))
    .execute();
}

export async function removeMember(
  database: Database,
  input: { projectId: string; userId: string },
  actor: Actor,
): Promise<void> {
  await database.db.transaction().execute(async (trx) => {
    const removed = await trx
      .deleteFrom('project_members')
      .where('project_id', '=', input.projectId)
      .where('user_id', '=', input.userId)
      .returning('role')
      .executeTakeFirst();
    if (!removed) throw notFound('member');
    await recordAccessEvent(trx, {
      actor: actor.username,
      action: 'member.remove',
      entityType: 'project_member',
      entityId: `${input.projectId}:${input.userId}`,
      payload: { project_id: input.projectId, user_id: input.userId, previous_role: removed.role },
      requestId: actor.requestId,
    });
  });
}

export const toMemberDto = (m: MemberRow) => ({
  user_id: m.user_id,
  username: m.username,
  role: m.role,
  workspace_role: m.workspace_role,
  active: m.active,
  added_at: m.added_at.toISOString(),
});

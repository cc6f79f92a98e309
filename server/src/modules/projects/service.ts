import { sql, type Transaction } from 'kysely';
import type { Database } from '../../db/database.js';
import type { DB, ProjectRole } from '../../db/schema.js';
import type { Actor } from '../../http/actor.js';
import { notFound } from '../../http/errors.js';
import { addMember } from '../access/members.js';
import { recordAudit } from '../audit/service.js';
import type { Executor } from '../../db/scoped-sql.js';

export interface ProjectRow {
  id: string;
  name: string;
  account_scope_id: string;
  account_scope_key: string;
  created_at: Date;
  updated_at: Date;
}

/**
 * Work other modules do inside a project's creation transaction (the jobs module's default
 * schedules). The app holds the list (`app.projectCreatedHooks`, filled by the plugins that need
 * it) and passes it in, so no list lives in this module.
 */
export type ProjectCreatedHook = (trx: Transaction<DB>, project: ProjectRow) => Promise<void>;

const projectColumns = (db: Executor) =>
  db
    .selectFrom('projects as p')
    .innerJoin('account_scopes as a', 'a.id', 'p.account_scope_id')
    .select([
      'p.id',
      'p.name',
      'p.account_scope_id',
      'a.scope_key as account_scope_key',
      'p.created_at',
      'p.updated_at',
    ]);

/**
 * The projects a user may see, with their role in each (project_role_of: owners see every
 * project as managers), limited to a token's projects when the caller used one. Others' projects
 * are simply not listed.
 */
export async function listProjects(
  database: Database,
  viewer: { userId: string; projectIds: readonly string[] | null },
): Promise<(ProjectRow & { role: ProjectRole })[]> {
  const role = sql<ProjectRole>`project_role_of(${viewer.userId}::uuid, p.id)`;
  let query = projectColumns(database.db)
    .select(role.as('role'))
    .where(sql<boolean>`${role} is not null`);
  if (viewer.projectIds) query = query.where('p.id', 'in', viewer.projectIds);
  return query.orderBy('p.created_at').orderBy('p.id').execute();
}

export async function getProject(database: Database, id: string): Promise<ProjectRow> {
  const row = await projectColumns(database.db).where('p.id', '=', id).executeTakeFirst();
  if (!row) throw notFound('project');
  return row;
}

export async function createProject(
  database: Database,
  input: { name: string; accountScopeKey?: string; accountScopeName?: string },
  actor: Actor,
  hooks: readonly ProjectCreatedHook[],
): Promise<ProjectRow> {
  const scopeKey = input.accountScopeKey ?? 'default';
  return database.db.transaction().execute(async (trx) => {
    const scope = await trx
      .insertInto('account_scopes')
      .values({
        scope_key: scopeKey,
        name: input.accountScopeName ?? (scopeKey === 'default' ? 'Default' : scopeKey),
      })
      // Idempotent on the key; the no-op update makes RETURNING yield the existing row.
      .onConflict((oc) => oc.column('scope_key').doUpdateSet({ scope_key: scopeKey }))
      .returning('id')
      .executeTakeFirstOrThrow();
    const { id } = await trx
      .insertInto('projects')
      .values({ name: input.name, account_scope_id: scope.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    const project = await projectColumns(trx).where('p.id', '=', id).executeTakeFirstOrThrow();
    // The creator manages it explicitly, so the project stays theirs if they stop being an owner.
    if (actor.userId) {
      await addMember(trx, { projectId: project.id, userId: actor.userId, role: 'manager' });
    }
    for (const hook of hooks) await hook(trx, project);
    await recordAudit(trx, {
      projectId: project.id,
      accountScopeId: project.account_scope_id,
      actor: actor.username,
      action: 'project.create',
      entityType: 'project',
      entityId: project.id,
      payload: { name: project.name, account_scope_key: project.account_scope_key },
      requestId: actor.requestId,
    });
    return project;
  });
}

export async function renameProject(
  database: Database,
  id: string,
  name: string,
  actor: Actor,
): Promise<ProjectRow> {
  return database.db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('projects')
      .set({ name })
      .where('id', '=', id)
      .returning('id')
      .executeTakeFirst();
    if (!updated) throw notFound('project');
    const project = await projectColumns(trx).where('p.id', '=', id).executeTakeFirstOrThrow();
    await recordAudit(trx, {
      projectId: project.id,
      accountScopeId: project.account_scope_id,
      actor: actor.username,
      action: 'project.rename',
      entityType: 'project',
      entityId: project.id,
      payload: { name },
      requestId: actor.requestId,
    });
    return project;
  });
}

/** Makes `id` the session's active project; every scoped route then works inside it. */
export async function selectProject(
  database: Database,
  sessionId: string,
  id: string,
  actor: Actor,
): Promise<ProjectRow> {
  const project = await getProject(database, id);
  await database.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('sessions')
      .set({ active_project_id: id })
      .where('session_id', '=', sessionId)
      .execute();
    await recordAudit(trx, {
      projectId: project.id,
      accountScopeId: project.account_scope_id,
      actor: actor.username,
      action: 'project.select',
      entityType: 'project',
      entityId: project.id,
      requestId: actor.requestId,
    });
  });
  return project;
}

import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Database } from '../../src/db/database.js';
import type { ProjectRole } from '../../src/db/schema.js';
import { createProject, createUser, loginAs, uniqueName, type Session } from './factories.js';

/** Something that can call the API as someone: a session, or a personal token. */
export interface Caller {
  name: string;
  request(
    method: InjectOptions['method'],
    url: string,
    body?: unknown,
  ): Promise<LightMyRequestResponse>;
}

/** A member (workspace role member) signed in, with a role in `projectId` unless `role` is null. */
export async function memberSession(
  app: FastifyInstance,
  database: Database,
  owner: Session,
  projectId: string,
  role: ProjectRole | null,
): Promise<Session & { userId: string }> {
  const user = await createUser(database, uniqueName(role ?? 'outsider'), undefined, 'member');
  const { id: userId } = await database.db
    .selectFrom('app_users')
    .select('id')
    .where('username', '=', user.username)
    .executeTakeFirstOrThrow();
  if (role) {
    const res = await owner.request('PUT', `/projects/${projectId}/members/${userId}`, { role });
    if (res.statusCode !== 200) throw new Error(`membership failed: ${res.body}`);
  }
  return { ...(await loginAs(app, user.username, user.password)), userId };
}

/** Creates a personal token for the session's user and returns a caller that uses it. */
export async function tokenCaller(
  app: FastifyInstance,
  session: Session,
  options: {
    permission: 'read' | 'draft';
    project_ids: string[] | 'all';
    /** Sent as X-Cairn-Project on every request. */
    project?: string;
    expires_in_days?: number;
  },
): Promise<Caller & { id: string; secret: string }> {
  const res = await session.request('POST', '/auth/tokens', {
    name: uniqueName('token'),
    permission: options.permission,
    project_ids: options.project_ids,
    ...(options.expires_in_days ? { expires_in_days: options.expires_in_days } : {}),
  });
  if (res.statusCode !== 201) throw new Error(`token failed: ${res.statusCode} ${res.body}`);
  const { token, secret } = res.json() as { token: { id: string }; secret: string };
  return {
    name: `${session.username}'s ${options.permission} token`,
    id: token.id,
    secret,
    request: (method, url, body) =>
      app.inject({
        method,
        url,
        headers: {
          authorization: `Bearer ${secret}`,
          ...(options.project ? { 'x-cairn-project': options.project } : {}),
        },
        ...(body === undefined ? {} : { payload: body as InjectOptions['payload'] }),
      }),
  };
}

/**
 * One project with an owner, a member of each role and an outsider (a member of another
 * project only), all signed in with the project active where they can see it.
 */
export async function teamWorld(app: FastifyInstance, database: Database) {
  const ownerUser = await createUser(database, uniqueName('owner'));
  const owner = await loginAs(app, ownerUser.username, ownerUser.password);
  const project = await createProject(owner);
  const elsewhere = await createProject(owner);
  // createProject selected `elsewhere`; the owner works in `project`.
  await owner.request('POST', `/projects/${project.projectId}/select`);
  const manager = await memberSession(app, database, owner, project.projectId, 'manager');
  const contributor = await memberSession(app, database, owner, project.projectId, 'contributor');
  const viewer = await memberSession(app, database, owner, project.projectId, 'viewer');
  const outsider = await memberSession(app, database, owner, elsewhere.projectId, 'manager');
  return { owner, project, elsewhere, manager, contributor, viewer, outsider };
}

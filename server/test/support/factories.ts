import { randomBytes } from 'node:crypto';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Database, Scope } from '../../src/db/database.js';
import { systemScope } from '../../src/modules/access/system-actor.js';
import { addUser } from '../../src/modules/auth/service.js';

export interface Session {
  username: string;
  cookie: string;
  csrf: string;
  /** Cookie and CSRF headers of this session. */
  headers: Record<string, string>;
  request(
    method: InjectOptions['method'],
    url: string,
    body?: unknown,
  ): Promise<LightMyRequestResponse>;
}

export const uniqueName = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

/**
 * A user; an owner unless told otherwise, so the tests written before roles existed keep acting
 * on every project they create.
 */
export async function createUser(
  database: Database,
  username = uniqueName('user'),
  password = 'correct horse battery',
  role: 'owner' | 'member' = 'owner',
) {
  await addUser(database, username, password, { role });
  return { username, password };
}

/** Logs in over HTTP and returns a session that sends its cookie and CSRF token. */
export async function loginAs(
  app: FastifyInstance,
  username: string,
  password: string,
): Promise<Session> {
  const res = await app.inject({
    method: 'POST',
    url: '/auth/login',
    payload: { username, password },
  });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  const cookies = Object.fromEntries(res.cookies.map((c) => [c.name, c.value]));
  const cookie = `sid=${cookies.sid}; csrf_token=${cookies.csrf_token}`;
  const headers = { cookie, 'x-csrf-token': cookies.csrf_token! };
  return {
    username,
    cookie,
    csrf: cookies.csrf_token!,
    headers,
    request: (method, url, body) =>
      app.inject({
        method,
        url,
        headers,
        ...(body === undefined ? {} : { payload: body as InjectOptions['payload'] }),
      }),
  };
}

/** A new user, signed in. */
export async function signIn(app: FastifyInstance, database: Database): Promise<Session> {
  const user = await createUser(database);
  return loginAs(app, user.username, user.password);
}

/**
 * Creates a project through the API, selects it for the session, and returns its scope, acting
 * as the system: tests that call services directly stand in for the worker path.
 */
export async function createProject(
  session: Session,
  name = uniqueName('project'),
  accountScopeKey?: string,
): Promise<Scope & { name: string }> {
  const created = await session.request('POST', '/projects', {
    name,
    ...(accountScopeKey ? { account_scope_key: accountScopeKey } : {}),
  });
  if (created.statusCode !== 201) throw new Error(`create project failed: ${created.body}`);
  const project = created.json().project;
  const selected = await session.request('POST', `/projects/${project.id}/select`);
  if (selected.statusCode !== 200) throw new Error(`select project failed: ${selected.body}`);
  return {
    ...systemScope({ projectId: project.id, accountScopeId: project.account_scope_id }, 'test'),
    name,
  };
}

/** A signed-in session with its own fresh active project. */
export async function signInWithProject(app: FastifyInstance, database: Database) {
  const session = await signIn(app, database);
  const project = await createProject(session);
  return { session, project };
}

import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { sql } from 'kysely';
import type { Config } from '../config.js';
import type { Database, Scope } from '../db/database.js';
import { AppError } from './errors.js';

/**
 * Who may call a route, declared on the route as `config: { access }`; the default is the
 * strictest, so a route that forgets to declare it is scoped, never public.
 * - public: anyone (health, metrics, login, docs)
 * - webhook: anyone; the route checks its own signature; exempt from the browser-origin checks
 * - session: a valid session; mutations need the CSRF token
 * - project: a session with an active project; handlers get `request.scope`
 */
export type Access = 'public' | 'webhook' | 'session' | 'project';

export interface SessionContext {
  sessionId: string;
  userId: string;
  username: string;
  csrfToken: string;
  activeProjectId: string | null;
  accountScopeId: string | null;
  createdAt: Date;
  lastSeenAt: Date;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    session: SessionContext | null;
    /** Set for `project` routes: the active project and its account scope. */
    scope: Scope;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
// last_seen_at is written at most once a minute: a session read stays a read.
const LAST_SEEN_RESOLUTION_SECONDS = 60;

export const hashSessionId = (cookieValue: string) =>
  createHash('sha256').update(cookieValue).digest('hex');

export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function accessOf(request: FastifyRequest): Access {
  // Unmatched routes fall through to the 404 handler: the route table is public (openapi.json).
  if (request.url.startsWith('/docs') || !request.routeOptions.url) return 'public';
  return request.routeOptions.config?.access ?? 'project';
}

export const accessPlugin = fp(
  async (app: FastifyInstance, opts: { config: Config; database: Database }) => {
    const { config, database } = opts;
    app.decorateRequest('session', null);
    app.decorateRequest('scope', null as unknown as Scope);

    app.addHook('onRequest', async (request) => {
      const access = accessOf(request);
      const mutation = !SAFE_METHODS.has(request.method);
      if (mutation && access !== 'webhook') assertSameOrigin(request, config);

      const cookie = request.cookies[config.SESSION_COOKIE_NAME];
      request.session = cookie ? await loadSession(database, config, cookie) : null;
      if (access === 'public' || access === 'webhook') return;

      const session = request.session;
      if (!session) throw new AppError('unauthorized', 'sign in to continue');
      if (mutation) {
        const header = request.headers['x-csrf-token'];
        if (typeof header !== 'string' || !constantTimeEqual(header, session.csrfToken)) {
          throw new AppError('csrf_invalid', 'missing or invalid x-csrf-token header');
        }
      }
      if (access === 'project') {
        if (!session.activeProjectId || !session.accountScopeId) {
          throw new AppError(
            'active_project_required',
            'select a project first (POST /projects/:id/select)',
          );
        }
        request.scope = {
          projectId: session.activeProjectId,
          accountScopeId: session.accountScopeId,
        };
        request.log = request.log.child({ projectId: session.activeProjectId });
      }
    });
  },
  { name: 'access', dependencies: ['envelope'], decorators: { request: ['cookies'] } },
);

/**
 * Second layer behind the CSRF token: browsers say where a request comes from. A cross-site
 * mutation, or one whose Origin is not the public web origin, is refused even with a token.
 * Non-browser clients (scripts, tests) send neither header and are judged by the token alone.
 */
function assertSameOrigin(request: FastifyRequest, config: Config) {
  if (request.headers['sec-fetch-site'] === 'cross-site') {
    throw new AppError('csrf_invalid', 'cross-site requests may not change state');
  }
  const origin = request.headers.origin;
  if (origin && origin !== new URL(config.CORS_ORIGIN).origin) {
    throw new AppError('csrf_invalid', `origin ${origin} may not change state`);
  }
}

async function loadSession(
  database: Database,
  config: Config,
  cookie: string,
): Promise<SessionContext | null> {
  if (cookie.length > 256) return null;
  const sessionId = hashSessionId(cookie);
  const row = await database.db
    .selectFrom('sessions as s')
    .innerJoin('app_users as u', 'u.id', 's.user_id')
    .leftJoin('projects as p', 'p.id', 's.active_project_id')
    .select([
      's.session_id',
      's.user_id',
      'u.username',
      's.csrf_token',
      's.active_project_id',
      'p.account_scope_id',
      's.created_at',
      's.last_seen_at',
    ])
    .where('s.session_id', '=', sessionId)
    .where('s.expires_at', '>', sql<Date>`now()`)
    .where(
      's.last_seen_at',
      '>',
      sql<Date>`now() - make_interval(mins => ${config.SESSION_IDLE_MINUTES})`,
    )
    .executeTakeFirst();
  if (!row) return null;
  let lastSeenAt = row.last_seen_at;
  if (Date.now() - lastSeenAt.getTime() > LAST_SEEN_RESOLUTION_SECONDS * 1000) {
    lastSeenAt = new Date();
    await database.db
      .updateTable('sessions')
      .set({ last_seen_at: lastSeenAt })
      .where('session_id', '=', sessionId)
      .execute();
  }
  return {
    sessionId,
    userId: row.user_id,
    username: row.username,
    csrfToken: row.csrf_token,
    activeProjectId: row.active_project_id,
    accountScopeId: row.account_scope_id,
    createdAt: row.created_at,
    lastSeenAt,
  };
}

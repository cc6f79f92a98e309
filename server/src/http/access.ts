import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { sql } from 'kysely';
import type { Config } from '../config.js';
import type { Database, Scope } from '../db/database.js';
import type { ProjectRole } from '../db/schema.js';
import {
  loadSession,
  loadToken,
  projectAccess,
  sha256Hex,
  tokenCovers,
  type CachedCredential,
  type Credentials,
  type SessionContext,
  type TokenContext,
  type UserContext,
} from '../modules/access/identity.js';
import { createCredentialCache } from '../modules/access/credential-cache.js';
import { startCredentialNotices } from '../modules/access/credential-notices.js';
import {
  grantsInProject,
  grantsOutsideProject,
  isPermission,
  PERMISSIONS,
  projectPermissions,
  workspacePermissions,
  type Grantee,
  type Permission,
} from '../modules/access/permissions.js';
import { TOKEN_PREFIX } from '../modules/access/tokens.js';
import { createWindowLimit } from '../modules/access/token-limit.js';
import { AppError } from './errors.js';

export type { SessionContext, TokenContext, UserContext };

/**
 * How a route is reached, declared on the route as `config: { access }`; the default is the
 * strictest, so a route that forgets to declare it is scoped, never public.
 * - public: anyone (health, metrics, login, docs)
 * - webhook: anyone; the route checks its own signature; exempt from the browser-origin checks
 * - session: a signed-in caller (session cookie or personal token); session mutations need the
 *   CSRF token
 * - project: the same, inside a project (the session's active one, or a token's
 *   `X-Cairn-Project`); handlers get `request.scope`
 * - token: a personal token only (a session cookie alone is 401): for clients that are not the
 *   browser app, such as the MCP server (modules/mcp/), which pick projects per call
 *
 * What the caller may do there is the route's `config.permission` (modules/access/permissions.ts).
 * A project-level permission on a `session` route names the project in a path parameter
 * (`config.projectParam`), e.g. `/projects/:id/members`.
 */
export type Access = 'public' | 'webhook' | 'session' | 'project' | 'token';

declare module 'fastify' {
  interface FastifyInstance {
    /** This process's resolved sessions and tokens (modules/access/credential-cache.ts). */
    credentials: Credentials;
    /** Limits a route applies itself, first thing in its handler (429 with Retry-After). */
    rateLimits: {
      /** The public invitation routes: ten attempts a minute per client address. */
      invitation(request: FastifyRequest): Promise<void>;
      /** Password changes: ten a quarter of an hour per user. */
      passwordChange(request: FastifyRequest): Promise<void>;
    };
  }
  interface FastifyContextConfig {
    access?: Access;
    permission?: Permission;
    projectParam?: string;
  }
  interface FastifyRequest {
    /** The caller, whether by session cookie or by personal token. */
    user: UserContext | null;
    /** Set when the caller used the session cookie. */
    session: SessionContext | null;
    /** Set when the caller used a personal token (`Authorization: Bearer cairn_pat_…`). */
    token: TokenContext | null;
    /** Set for routes with a project permission: the project, its scope and the acting user. */
    scope: Scope;
    /** The caller's effective role in `scope`'s project. */
    projectRole: ProjectRole | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const BEARER = /^Bearer\s+(\S+)$/i;
export const PROJECT_HEADER = 'x-cairn-project';
// RFC 6750 §3: a 401 names the scheme that would work; MCP clients read it to ask for a token.
const BEARER_CHALLENGE = { 'www-authenticate': 'Bearer realm="cairn"' };

export const hashSessionId = sha256Hex;

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

/** The permission a route declares; the docs UI's own routes are public. */
export function permissionOf(route: {
  url?: string;
  config?: { permission?: unknown };
}): Permission | undefined {
  if (route.url?.startsWith('/docs') || route.url?.startsWith('/v1/docs')) return 'public';
  const declared = route.config?.permission;
  return isPermission(declared) ? declared : undefined;
}

/**
 * A declaration that cannot work is a programming error: refuse it when the route is registered,
 * so the app does not start. (A route with no permission at all still starts, answers 403 to
 * everyone, and fails the route-permission matrix test.)
 */
export function assertCoherentDeclaration(route: RouteOptions) {
  const permission = permissionOf(route);
  if (!permission) return;
  const access: Access = route.url.startsWith('/docs')
    ? 'public'
    : (route.config?.access ?? 'project');
  const level = PERMISSIONS[permission];
  const where = `${String(route.method)} ${route.url}`;
  if ((access === 'public' || access === 'webhook') !== (level === 'public')) {
    throw new Error(`${where}: access ${access} does not fit permission ${permission}`);
  }
  if (access === 'project' && level !== 'project') {
    throw new Error(`${where}: a project route needs a project permission, not ${permission}`);
  }
  if (access === 'token' && level === 'project') {
    throw new Error(`${where}: a token route checks project permissions itself, not ${permission}`);
  }
  if (access === 'session' && level === 'project' && !route.config?.projectParam) {
    throw new Error(`${where}: permission ${permission} needs config.projectParam on this route`);
  }
}

export const accessPlugin = fp(
  async (app: FastifyInstance, opts: { config: Config; database: Database }) => {
    const { config, database } = opts;
    app.decorateRequest('user', null);
    app.decorateRequest('session', null);
    app.decorateRequest('token', null);
    app.decorateRequest('scope', null as unknown as Scope);
    app.decorateRequest('projectRole', null);
    const credentials = createCredentialCache<CachedCredential>({
      ttlMs: config.AUTH_CACHE_TTL_SECONDS * 1000,
      maxEntries: config.AUTH_CACHE_MAX_ENTRIES,
    });
    app.decorate('credentials', credentials);
    let notices: { close(): Promise<void> } | undefined;
    app.addHook('onReady', async () => {
      notices = startCredentialNotices(database, credentials, app.log);
    });
    app.addHook('onClose', async () => notices?.close());
    // This process forgets at once what a state-changing request may have changed, before its
    // response leaves, so the caller's next request is judged afresh (other processes hear the
    // trigger's NOTIFY, migration 0019). Requests about one's own sessions, tokens and work forget
    // the caller; users, memberships and anything unauthenticated (an accepted invitation)
    // forget everyone. Webhooks change no credential.
    // A refused request changed nothing (and a flood of them must not empty the cache).
    app.addHook('onSend', async (request, reply, payload) => {
      if (SAFE_METHODS.has(request.method) || reply.statusCode >= 400) return payload;
      if (accessOf(request) === 'webhook') return payload;
      const permission = permissionOf(request.routeOptions);
      const level = permission ? PERMISSIONS[permission] : 'public';
      const othersToo =
        !request.user ||
        level === 'public' ||
        level === 'workspace' ||
        permission === 'members:manage' ||
        permission === 'project:manage';
      if (othersToo) credentials.forgetAll();
      else credentials.forgetUser(request.user!.id);
      return payload;
    });
    // Per token, in this process: a token's secret has 256 bits, so this limit is about load, not
    // guessing (which the login limit in Postgres is about), and one API process is the default
    // deployment; with N processes a token may make N times the limit (docs/operations.md).
    const tokenLimit = createWindowLimit({
      max: config.TOKEN_RATE_LIMIT_PER_MINUTE,
      windowMs: 60_000,
      maxKeys: 10_000,
    });
    // The public invitation routes, per client address: ten guesses a minute at a 256-bit token.
    const invitationLimit = app.createRateLimit({
      keyGenerator: (request) => `invitation:${request.ip}`,
      max: 10,
      timeWindow: 60_000,
    });
    // A password change checks the current password: a stolen session must not become a fast
    // oracle for it. Per user, ten tries in fifteen minutes.
    const passwordLimit = app.createRateLimit({
      keyGenerator: (request) => `password:${request.user!.id}`,
      max: 10,
      timeWindow: 15 * 60_000,
    });
    app.decorate('rateLimits', {
      invitation: async (request: FastifyRequest) => enforce(await invitationLimit(request)),
      passwordChange: async (request: FastifyRequest) => enforce(await passwordLimit(request)),
    });

    app.addHook('onRequest', async (request) => {
      const access = accessOf(request);
      if (access === 'webhook') return;
      const mutation = !SAFE_METHODS.has(request.method);
      const authorization = request.headers.authorization;
      const cookie = request.cookies[config.SESSION_COOKIE_NAME];
      if (authorization !== undefined && cookie) {
        throw new AppError(
          'invalid_input',
          'send either a bearer token or a session cookie, not both',
        );
      }
      // A bearer token is never sent by a browser on its own: origin checks guard ambient cookies.
      if (mutation && authorization === undefined) assertSameOrigin(request, config);

      if (authorization !== undefined) {
        const secret = BEARER.exec(authorization)?.[1];
        const resolved =
          secret?.startsWith(TOKEN_PREFIX) && secret.length <= 200
            ? loadToken(database, credentials, { secret, client: request })
            : null;
        // A cached credential is answered without a promise: no await, no extra tick.
        const found = resolved instanceof Promise ? await resolved : resolved;
        if (found) {
          request.user = found.user;
          request.token = found.token;
          const retryAfter = tokenLimit.take(found.token.id);
          if (retryAfter > 0) throw rateLimited(retryAfter);
        } else if (access !== 'public') {
          throw new AppError(
            'unauthorized',
            'the token is invalid, expired or revoked',
            undefined,
            BEARER_CHALLENGE,
          );
        }
      } else if (cookie) {
        const resolved = loadSession(database, credentials, {
          cookie,
          idleMinutes: config.SESSION_IDLE_MINUTES,
        });
        const found = resolved instanceof Promise ? await resolved : resolved;
        if (found) {
          request.user = found.user;
          request.session = found.session;
        }
      }
      if (access === 'public') return;

      const user = request.user;
      if (!user)
        throw new AppError('unauthorized', 'sign in to continue', undefined, BEARER_CHALLENGE);
      if (access === 'token' && !request.token) {
        throw new AppError(
          'unauthorized',
          'this route takes a personal token (Authorization: Bearer cairn_pat_…)',
          undefined,
          BEARER_CHALLENGE,
        );
      }
      if (mutation && request.session) {
        const header = request.headers['x-csrf-token'];
        if (typeof header !== 'string' || !constantTimeEqual(header, request.session.csrfToken)) {
          throw new AppError('csrf_invalid', 'missing or invalid x-csrf-token header');
        }
      }
      request.log = request.log.child({ userId: user.id });
      await authorize(request, database, access, user);
    });
  },
  {
    name: 'access',
    dependencies: ['envelope', '@fastify/rate-limit'],
    decorators: { request: ['cookies'] },
  },
);

type LimitOutcome = Awaited<ReturnType<ReturnType<FastifyInstance['createRateLimit']>>>;

/** The same 429 envelope and Retry-After as the login limit. */
function enforce(outcome: LimitOutcome) {
  if (outcome.isAllowed || !outcome.isExceeded) return;
  throw rateLimited(Math.max(1, outcome.ttlInSeconds));
}

const rateLimited = (retryAfter: number) =>
  new AppError(
    'rate_limited',
    `too many requests; try again in ${retryAfter} seconds`,
    { retry_after_seconds: retryAfter },
    { 'retry-after': String(retryAfter) },
  );

/** The one permission check: the route's declaration against the caller's roles and token. */
async function authorize(
  request: FastifyRequest,
  database: Database,
  access: Access,
  user: UserContext,
) {
  const permission = permissionOf(request.routeOptions);
  if (!permission) throw new AppError('forbidden', 'this route declares no permission');
  const grantee = granteeOf(request);
  if (PERMISSIONS[permission] !== 'project') {
    if (!grantsOutsideProject(grantee, permission)) throw missing(permission);
    return;
  }
  const project =
    access === 'project'
      ? await selectedProject(request, database, user)
      : await namedProject(request, database, user);
  if (!grantsInProject(grantee, project.role, permission)) throw missing(permission);
  request.scope = {
    projectId: project.projectId,
    accountScopeId: project.accountScopeId,
    actor: { kind: 'user', userId: user.id },
  };
  request.projectRole = project.role;
  request.log = request.log.child({ projectId: project.projectId });
}

/** The caller as the permission table sees them: workspace role, and token kind if any. */
export const granteeOf = (request: FastifyRequest): Grantee => ({
  workspaceRole: request.user!.role,
  ...(request.token ? { tokenPermission: request.token.permission } : {}),
});

/**
 * Who the caller is and what they may do, for `GET /auth/me`: a UI offers only these. The project
 * is the session's active one, or a token's only project.
 */
export function describeCaller(request: FastifyRequest) {
  const user = request.user!;
  const grantee = granteeOf(request);
  const { session, token } = request;
  const role = session?.activeProjectRole ?? null;
  return {
    user_id: user.id,
    username: user.username,
    role: user.role,
    locale: user.locale,
    via: session ? ('session' as const) : ('token' as const),
    active_project_id: session
      ? session.activeProjectId
      : token?.projectIds?.length === 1
        ? token.projectIds[0]!
        : null,
    account_scope_id: session?.accountScopeId ?? null,
    project_role: role,
    project_permissions: role ? projectPermissions(grantee, role) : [],
    permissions: workspacePermissions(grantee),
    created_at: (session?.createdAt ?? token!.createdAt).toISOString(),
    last_seen_at: session?.lastSeenAt.toISOString() ?? null,
  };
}

/** Whether the caller holds a workspace or self permission (e.g. to add a section to a page). */
export const holds = (request: FastifyRequest, permission: Permission) =>
  request.user !== null && grantsOutsideProject(granteeOf(request), permission);

/**
 * The projects in which the caller holds `permission` (token limits included), oldest first:
 * for routes that report across projects, such as the audit verification.
 */
export async function projectsWith(
  request: FastifyRequest,
  database: Database,
  permission: Permission,
): Promise<{ id: string; name: string }[]> {
  if (!request.user) return [];
  return projectsOf(database, request.user, request.token, permission);
}

/** The same for a caller known without a request (a token's MCP session, modules/mcp/). */
export async function projectsOf(
  database: Database,
  user: UserContext,
  token: TokenContext | null,
  permission: Permission,
): Promise<{ id: string; name: string }[]> {
  const grantee: Grantee = {
    workspaceRole: user.role,
    ...(token ? { tokenPermission: token.permission } : {}),
  };
  const rows = await database.db
    .selectFrom('projects')
    .select([
      'id',
      'name',
      sql<ProjectRole | null>`project_role_of(${user.id}::uuid, id)`.as('role'),
    ])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows
    .filter((p) => p.role && grantsInProject(grantee, p.role, permission))
    .filter((p) => !token || tokenCovers(token, p.id))
    .map((p) => ({ id: p.id, name: p.name }));
}

const missing = (permission: Permission) =>
  new AppError('forbidden', `you do not have the ${permission} permission here`, { permission });

// Exactly what a missing project answers: the caller learns nothing about projects not theirs.
const projectNotFound = () => new AppError('not_found', 'project not found');

/**
 * A session works in its active project (one the user may no longer see reads as none); a token
 * names it with X-Cairn-Project, or has exactly one.
 */
async function selectedProject(request: FastifyRequest, database: Database, user: UserContext) {
  const session = request.session;
  if (session) {
    if (!session.activeProjectId || !session.accountScopeId || !session.activeProjectRole) {
      throw new AppError(
        'active_project_required',
        'select a project first (POST /projects/:id/select)',
      );
    }
    return {
      projectId: session.activeProjectId,
      accountScopeId: session.accountScopeId,
      role: session.activeProjectRole,
    };
  }
  const token = request.token!;
  const header = request.headers[PROJECT_HEADER];
  const projectId =
    typeof header === 'string'
      ? header
      : token.projectIds?.length === 1
        ? token.projectIds[0]
        : null;
  if (!projectId) {
    throw new AppError(
      'active_project_required',
      'name the project with the X-Cairn-Project header (this token covers more than one)',
    );
  }
  return tokenProject(database, user, token, projectId);
}

/** A session route that acts on the project named in its path, e.g. /projects/:id/members. */
async function namedProject(request: FastifyRequest, database: Database, user: UserContext) {
  const param = request.routeOptions.config.projectParam!;
  // The path is checked against the route's own schema first (the guard runs before Fastify's
  // validation): a malformed id is the same 400 naming the parameter as on every other route,
  // and only a well-formed id of a project the caller cannot see is the 404.
  const validParams = request.getValidationFunction('params');
  if (validParams && !validParams(request.params)) {
    throw Object.assign(new Error('invalid path'), {
      validation: validParams.errors ?? [],
      validationContext: 'params',
    });
  }
  const projectId = (request.params as Record<string, string | undefined>)[param] ?? '';
  if (request.token) return tokenProject(database, user, request.token, projectId);
  const found = await projectAccess(database, user.id, projectId);
  if (!found) throw projectNotFound();
  return found;
}

/**
 * The project a token's call acts in, by the same rule as X-Cairn-Project: the one named (which
 * the token must cover and its user see), or the token's only project. For callers that pick the
 * project per call instead of per request (the MCP tools, modules/mcp/).
 */
export async function tokenProjectScope(
  database: Database,
  user: UserContext,
  token: TokenContext,
  projectId: string | undefined,
  permission: Permission,
): Promise<{ scope: Scope; role: ProjectRole }> {
  const chosen = projectId ?? (token.projectIds?.length === 1 ? token.projectIds[0] : undefined);
  if (!chosen) {
    throw new AppError(
      'active_project_required',
      'name the project with project_id (this token covers more than one)',
    );
  }
  const project = await tokenProject(database, user, token, chosen);
  const grantee: Grantee = { workspaceRole: user.role, tokenPermission: token.permission };
  if (!grantsInProject(grantee, project.role, permission)) throw missing(permission);
  return {
    scope: {
      projectId: project.projectId,
      accountScopeId: project.accountScopeId,
      actor: { kind: 'user', userId: user.id },
    },
    role: project.role,
  };
}

async function tokenProject(
  database: Database,
  user: UserContext,
  token: TokenContext,
  projectId: string,
) {
  if (!tokenCovers(token, projectId)) throw projectNotFound();
  const found = await projectAccess(database, user.id, projectId);
  if (!found) throw projectNotFound();
  return found;
}

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

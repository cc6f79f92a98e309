import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../../db/database.js';
import type { Locale } from '@cairn/contract';
import type { ProjectRole, WorkspaceRole } from '../../db/schema.js';
import type { TokenPermission } from './permissions.js';

/** Who is calling, however they authenticated. */
export interface UserContext {
  id: string;
  username: string;
  role: WorkspaceRole;
  /** The saved interface language; null follows the browser. */
  locale: Locale | null;
}

export interface SessionContext {
  /** SHA-256 of the cookie: the row's key. Never leaves the server. */
  sessionId: string;
  /** What the API shows and takes to name a session. */
  publicId: string;
  userId: string;
  username: string;
  csrfToken: string;
  /** The session's active project, or null when it has none the user may still see. */
  activeProjectId: string | null;
  accountScopeId: string | null;
  /** The user's effective role in the active project. */
  activeProjectRole: ProjectRole | null;
  createdAt: Date;
  lastSeenAt: Date;
}

export interface TokenContext {
  id: string;
  prefix: string;
  permission: TokenPermission;
  /** null: every project the user can see. */
  projectIds: string[] | null;
  createdAt: Date;
  expiresAt: Date;
}

// last_seen_at and last_used_at are written at most once a minute: a read stays a read.
const LAST_SEEN_RESOLUTION_MS = 60_000;

export const sha256Hex = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * The live session behind a cookie value: not expired, not idle, its user active. One indexed
 * read (load_session, migration 0015); the active project's role comes from project_role_of,
 * the rule row-level security uses.
 */
export async function loadSession(
  database: Database,
  options: { cookie: string; idleMinutes: number },
): Promise<{ user: UserContext; session: SessionContext } | null> {
  if (options.cookie.length > 256) return null;
  const sessionId = sha256Hex(options.cookie);
  const { rows } = await sql<{
    public_id: string;
    user_id: string;
    username: string;
    role: WorkspaceRole;
    locale: Locale | null;
    csrf_token: string;
    active_project_id: string | null;
    account_scope_id: string | null;
    project_role: ProjectRole | null;
    created_at: Date;
    last_seen_at: Date;
  }>`select * from load_session(${sessionId}, ${options.idleMinutes})`.execute(database.db);
  const row = rows[0];
  if (!row) return null;
  let lastSeenAt = row.last_seen_at;
  if (Date.now() - lastSeenAt.getTime() > LAST_SEEN_RESOLUTION_MS) {
    lastSeenAt = new Date();
    await database.db
      .updateTable('sessions')
      .set({ last_seen_at: lastSeenAt })
      .where('session_id', '=', sessionId)
      .execute();
  }
  // A project the user may no longer see is, to this session, no project at all.
  const visible = row.project_role !== null && row.account_scope_id !== null;
  return {
    user: { id: row.user_id, username: row.username, role: row.role, locale: row.locale },
    session: {
      sessionId,
      publicId: row.public_id,
      userId: row.user_id,
      username: row.username,
      csrfToken: row.csrf_token,
      activeProjectId: visible ? row.active_project_id : null,
      accountScopeId: visible ? row.account_scope_id : null,
      activeProjectRole: visible ? row.project_role : null,
      createdAt: row.created_at,
      lastSeenAt,
    },
  };
}

/**
 * The live token behind a secret: not revoked, not expired, its user active. Read on every
 * request with no cache, so revocation, expiry and deactivation hold from the next request on.
 */
export async function loadToken(
  database: Database,
  options: { secret: string; ip: string; userAgent: string | undefined },
): Promise<{ user: UserContext; token: TokenContext } | null> {
  const { rows } = await sql<{
    id: string;
    prefix: string;
    permission: TokenPermission;
    project_ids: string[] | null;
    created_at: Date;
    expires_at: Date;
    last_used_at: Date | null;
    user_id: string;
    username: string;
    role: WorkspaceRole;
    locale: Locale | null;
  }>`select * from load_token(${sha256Hex(options.secret)})`.execute(database.db);
  const row = rows[0];
  if (!row) return null;
  if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > LAST_SEEN_RESOLUTION_MS) {
    await database.db
      .updateTable('api_tokens')
      .set({
        last_used_at: new Date(),
        last_used_ip: options.ip.slice(0, 100),
        last_used_user_agent: options.userAgent?.slice(0, 500) ?? null,
      })
      .where('id', '=', row.id)
      .execute();
  }
  return {
    user: { id: row.user_id, username: row.username, role: row.role, locale: row.locale },
    token: {
      id: row.id,
      prefix: row.prefix,
      permission: row.permission,
      projectIds: row.project_ids,
      createdAt: row.created_at,
      expiresAt: new Date(row.expires_at),
    },
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A project and the user's effective role in it; null when it is missing or not theirs to see. */
export async function projectAccess(
  database: Database,
  userId: string,
  projectId: string,
): Promise<{ projectId: string; accountScopeId: string; role: ProjectRole } | null> {
  if (!UUID.test(projectId)) return null;
  const row = await database.db
    .selectFrom('projects as p')
    .select([
      'p.id',
      'p.account_scope_id',
      sql<ProjectRole | null>`project_role_of(${userId}::uuid, p.id)`.as('role'),
    ])
    .where('p.id', '=', projectId)
    .executeTakeFirst();
  if (!row?.role) return null;
  return { projectId: row.id, accountScopeId: row.account_scope_id, role: row.role };
}

/** Whether a token's project list covers a project (null covers every project). */
export const tokenCovers = (token: TokenContext, projectId: string) =>
  token.projectIds === null || token.projectIds.includes(projectId);

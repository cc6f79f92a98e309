import { hash } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../../db/database.js';
import type { Locale } from '@cairn/contract';
import type { ProjectRole, WorkspaceRole } from '../../db/schema.js';
import type { CredentialCache } from './credential-cache.js';
import type { TokenPermission } from './permissions.js';

/** Who is calling, however they authenticated. Read-only: see `Resolved`. */
export interface UserContext {
  readonly id: string;
  readonly username: string;
  readonly role: WorkspaceRole;
  /** The saved interface language; null follows the browser. */
  readonly locale: Locale | null;
}

export interface SessionContext {
  /** SHA-256 of the cookie: the row's key. Never leaves the server. */
  readonly sessionId: string;
  /** What the API shows and takes to name a session. */
  readonly publicId: string;
  readonly userId: string;
  readonly username: string;
  readonly csrfToken: string;
  /** The session's active project, or null when it has none the user may still see. */
  readonly activeProjectId: string | null;
  readonly accountScopeId: string | null;
  /** The user's effective role in the active project. */
  readonly activeProjectRole: ProjectRole | null;
  readonly createdAt: Date;
  readonly lastSeenAt: Date;
}

export interface TokenContext {
  readonly id: string;
  readonly prefix: string;
  readonly permission: TokenPermission;
  /** null: every project the user can see. */
  readonly projectIds: readonly string[] | null;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

/** A resolved session or token as the credential cache keeps it. */
export type CachedCredential =
  | {
      kind: 'session';
      user: UserContext;
      session: SessionContext;
      expiresAt: number;
      /** When last_seen_at was last written (the write is throttled). */
      lastWrittenAt: number;
    }
  | { kind: 'token'; user: UserContext; token: TokenContext; lastWrittenAt: number };

export type Credentials = CredentialCache<CachedCredential>;

// last_seen_at and last_used_at are written at most once a minute: a read stays a read.
const LAST_SEEN_RESOLUTION_MS = 60_000;

// One-shot hashing: every authenticated request hashes its credential, and crypto.hash costs a
// third of createHash().update().digest() (bench/auth/run.ts).
export const sha256Hex = (value: string) => hash('sha256', value, 'hex');

/**
 * What the guard hands a request: the cache's own frozen objects, never copies, so that an
 * authenticated read allocates nothing for its caller (docs/benchmarks.md, "Authentication"), and
 * per-credential memos (the `/auth/me` answer, modules/auth/routes.ts) can key on their identity:
 * an object is replaced whenever what it says changes, and a handler that wants a different
 * caller (the locale route) assigns a new object to the request.
 */
export type Resolved<T> = T | Promise<T>;

const freeze = <T extends object>(value: T): Readonly<T> => Object.freeze(value);

/**
 * The live session behind a cookie value: not expired, not idle, its user active. From `cache`
 * when it holds it (expiry and idleness checked here on every hit), answered synchronously then;
 * else one indexed read (load_session, migration 0019); the active project's role comes from
 * project_role_of, the rule row-level security uses.
 */
export function loadSession(
  database: Database,
  cache: Credentials,
  options: { cookie: string; idleMinutes: number },
): Resolved<{ user: UserContext; session: SessionContext } | null> {
  if (options.cookie.length > 256) return null;
  const sessionId = sha256Hex(options.cookie);
  const key = `session:${sessionId}`;
  const now = Date.now();
  const entry = cache.get(key);
  if (entry?.kind === 'session') {
    if (
      entry.expiresAt > now &&
      entry.session.lastSeenAt.getTime() + options.idleMinutes * 60_000 > now
    ) {
      return now - entry.lastWrittenAt > LAST_SEEN_RESOLUTION_MS
        ? touchSession(database, entry, now)
        : entry;
    }
    // Maybe another process saw it more recently: the database decides.
    cache.delete(key);
  }
  return readSession(database, cache, { key, sessionId, idleMinutes: options.idleMinutes, now });
}

type SessionEntry = Extract<CachedCredential, { kind: 'session' }>;
type TokenEntry = Extract<CachedCredential, { kind: 'token' }>;

/** The user's columns in both load_session's and load_token's row. */
interface UserColumns {
  user_id: string;
  username: string;
  role: WorkspaceRole;
  locale: Locale | null;
}

const userOf = (row: UserColumns): UserContext =>
  freeze({ id: row.user_id, username: row.username, role: row.role, locale: row.locale });

async function readSession(
  database: Database,
  cache: Credentials,
  options: { key: string; sessionId: string; idleMinutes: number; now: number },
): Promise<SessionEntry | null> {
  const startedAt = cache.generation();
  const { rows } = await sql<
    UserColumns & {
      public_id: string;
      csrf_token: string;
      active_project_id: string | null;
      account_scope_id: string | null;
      project_role: ProjectRole | null;
      created_at: Date;
      last_seen_at: Date;
      expires_at: Date;
    }
  >`select * from load_session(${options.sessionId}, ${options.idleMinutes})`.execute(database.db);
  const row = rows[0];
  if (!row) return null;
  // A project the user may no longer see is, to this session, no project at all.
  const visible = row.project_role !== null && row.account_scope_id !== null;
  const entry: SessionEntry = {
    kind: 'session',
    user: userOf(row),
    session: freeze({
      sessionId: options.sessionId,
      publicId: row.public_id,
      userId: row.user_id,
      username: row.username,
      csrfToken: row.csrf_token,
      activeProjectId: visible ? row.active_project_id : null,
      accountScopeId: visible ? row.account_scope_id : null,
      activeProjectRole: visible ? row.project_role : null,
      createdAt: row.created_at,
      lastSeenAt: row.last_seen_at,
    }),
    expiresAt: new Date(row.expires_at).getTime(),
    lastWrittenAt: row.last_seen_at.getTime(),
  };
  cache.set(options.key, entry, startedAt);
  return options.now - entry.lastWrittenAt > LAST_SEEN_RESOLUTION_MS
    ? touchSession(database, entry, options.now)
    : entry;
}

/** Writes last_seen_at (at most once a minute per session) and gives the entry its new time. */
async function touchSession(database: Database, entry: SessionEntry, now: number) {
  // Marked before the write, so the requests that arrive meanwhile do not write it again.
  entry.lastWrittenAt = now;
  const lastSeenAt = new Date(now);
  entry.session = freeze({ ...entry.session, lastSeenAt });
  await database.db
    .updateTable('sessions')
    .set({ last_seen_at: lastSeenAt })
    .where('session_id', '=', entry.session.sessionId)
    .execute();
  return entry;
}

/**
 * The live token behind a secret: not revoked, not expired, its user active. From `cache` when it
 * holds it (expiry checked here on every hit; revocation and deactivation make the cache forget,
 * see credential-cache.ts), answered synchronously then; else one indexed read (load_token,
 * migration 0015).
 */
export function loadToken(
  database: Database,
  cache: Credentials,
  options: { secret: string; client: TokenClient },
): Resolved<{ user: UserContext; token: TokenContext } | null> {
  const secretHash = sha256Hex(options.secret);
  const key = `token:${secretHash}`;
  const now = Date.now();
  const entry = cache.get(key);
  if (entry?.kind === 'token') {
    if (entry.token.expiresAt.getTime() <= now) {
      cache.delete(key);
      return null;
    }
    return now - entry.lastWrittenAt > LAST_SEEN_RESOLUTION_MS
      ? touchToken(database, entry, options.client, now)
      : entry;
  }
  return readToken(database, cache, { client: options.client, key, secretHash, now });
}

async function readToken(
  database: Database,
  cache: Credentials,
  options: { key: string; secretHash: string; client: TokenClient; now: number },
): Promise<TokenEntry | null> {
  const startedAt = cache.generation();
  const { rows } = await sql<
    UserColumns & {
      id: string;
      prefix: string;
      permission: TokenPermission;
      project_ids: string[] | null;
      created_at: Date;
      expires_at: Date;
      last_used_at: Date | null;
    }
  >`select * from load_token(${options.secretHash})`.execute(database.db);
  const row = rows[0];
  if (!row) return null;
  const entry: TokenEntry = {
    kind: 'token',
    user: userOf(row),
    token: freeze({
      id: row.id,
      prefix: row.prefix,
      permission: row.permission,
      projectIds: row.project_ids && freeze(row.project_ids),
      createdAt: row.created_at,
      expiresAt: new Date(row.expires_at),
    }),
    lastWrittenAt: row.last_used_at?.getTime() ?? 0,
  };
  cache.set(options.key, entry, startedAt);
  return options.now - entry.lastWrittenAt > LAST_SEEN_RESOLUTION_MS
    ? touchToken(database, entry, options.client, options.now)
    : entry;
}

/**
 * Where a token's request came from: the request itself, read only when last-use is written (its
 * `ip` behind a trusted proxy parses X-Forwarded-For on every read).
 */
export interface TokenClient {
  readonly ip: string;
  readonly headers: { readonly 'user-agent'?: string | undefined };
}

/** Writes last_used_at and where from (at most once a minute per token). */
async function touchToken(database: Database, entry: TokenEntry, client: TokenClient, now: number) {
  entry.lastWrittenAt = now;
  const userAgent = client.headers['user-agent'];
  await database.db
    .updateTable('api_tokens')
    .set({
      last_used_at: new Date(now),
      last_used_ip: client.ip.slice(0, 100),
      last_used_user_agent: userAgent?.slice(0, 500) ?? null,
    })
    .where('id', '=', entry.token.id)
    .execute();
  return entry;
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

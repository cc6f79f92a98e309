import { randomBytes } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Config } from '../../config.js';
import type { Database } from '../../db/database.js';
import type { DB, WorkspaceRole } from '../../db/schema.js';
import { isUniqueViolation } from '../../http/database-errors.js';
import { AppError } from '../../http/errors.js';
import { hashSessionId } from '../../http/access.js';
import { findUnstorableText } from '../../lib/text.js';
import { recordAudit } from '../audit/service.js';
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords.js';

export interface NewSession {
  /** The cookie value; only its SHA-256 is stored. */
  cookieValue: string;
  csrfToken: string;
  username: string;
  activeProjectId: string | null;
  expiresAt: Date;
}

const randomToken = () => randomBytes(32).toString('base64url'); // 256 bits
// The per-username delay starts at this many times the per-(ip, username) limit: one address is
// locked before it gets there, so it takes a guesser at several addresses to trigger it.
const USERNAME_DELAY_FACTOR = 2;

/**
 * Checks the credentials under two limits kept in Postgres, so they hold across processes:
 * - per (ip, username): LOGIN_RATE_LIMIT_MAX_ATTEMPTS failures in the window lock that pair, so a
 *   guesser at one address stops there, and nobody else is locked out by it;
 * - per username, from anywhere: once the name has had twice as many failures in the window (more
 *   than one address can make before its own lock), it takes at most one attempt per
 *   LOGIN_USERNAME_DELAY_SECONDS. That slows a guesser spread over many addresses to a trickle,
 *   yet only ever delays the owner by seconds: it never locks.
 * `ip` is `request.ip`, which names the client behind the bundled web proxy only because that
 * proxy forwards X-Forwarded-For and TRUST_PROXY trusts it (http/trusted-proxies.ts).
 * Unknown users and wrong passwords take the same path and give the same error.
 */
export async function login(
  database: Database,
  config: Config,
  input: {
    username: string;
    password: string;
    ip: string;
    userAgent?: string;
    requestId: string;
    previousCookie?: string;
  },
): Promise<NewSession> {
  const username = input.username.toLowerCase();
  const attemptKey = `${input.ip}|${username}`;
  await assertNotRateLimited(database, config, attemptKey);
  await assertUsernameNotThrottled(database, config, username);

  const user = await database.db
    .selectFrom('app_users')
    .select(['id', 'username', 'password_hash'])
    .where(sql`lower(username)`, '=', input.username.toLowerCase())
    // A deactivated user signs in exactly like an unknown one.
    .where('active', '=', true)
    .executeTakeFirst();
  const valid = await verifyPassword(user?.password_hash, input.password);
  if (!user || !valid) {
    await database.db
      .insertInto('login_attempts')
      .values({ attempt_key: attemptKey, username })
      .execute();
    await recordAudit(database.db, {
      projectId: null,
      accountScopeId: null,
      actor: input.username.slice(0, 120),
      action: 'auth.login',
      entityType: 'session',
      status: 'denied',
      requestId: input.requestId,
    });
    throw new AppError('invalid_credentials', 'invalid username or password');
  }

  const cookieValue = randomToken();
  const csrfToken = randomToken();
  const expiresAt = new Date(Date.now() + config.SESSION_MAX_DAYS * 86_400_000);
  const activeProjectId = await database.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('login_attempts').where('attempt_key', '=', attemptKey).execute();
    // A fresh id at every login; the cookie presented before login (if any) dies here (no fixation).
    if (input.previousCookie) {
      await trx
        .deleteFrom('sessions')
        .where('session_id', '=', hashSessionId(input.previousCookie))
        .execute();
    }
    const activeProjectId = await lastActiveProject(trx, user.id);
    await trx
      .insertInto('sessions')
      .values({
        session_id: hashSessionId(cookieValue),
        user_id: user.id,
        csrf_token: csrfToken,
        active_project_id: activeProjectId,
        expires_at: expiresAt,
        // Shown to the user in their session list, to recognise (or not) where they signed in.
        ip: input.ip.slice(0, 100),
        user_agent: input.userAgent?.slice(0, 500) ?? null,
      })
      .execute();
    await recordAudit(trx, {
      projectId: null,
      accountScopeId: null,
      actor: user.username,
      action: 'auth.login',
      entityType: 'session',
      entityId: user.id,
      payload: { ip: input.ip },
      requestId: input.requestId,
    });
    return activeProjectId;
  });
  await pruneExpired(database, config);
  return { cookieValue, csrfToken, username: user.username, activeProjectId, expiresAt };
}

/**
 * Where the user left off; a first login lands in the oldest project, so the demo opens ready.
 * Only projects the user may see (project_role_of, migration 0015: the rule every check uses).
 */
async function lastActiveProject(trx: Transaction<DB>, userId: string): Promise<string | null> {
  const visible = sql<boolean>`project_role_of(${userId}::uuid, active_project_id) is not null`;
  const last = await trx
    .selectFrom('sessions')
    .select('active_project_id')
    .where('user_id', '=', userId)
    .where('active_project_id', 'is not', null)
    .where(visible)
    .orderBy('last_seen_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (last?.active_project_id) return last.active_project_id;
  const oldest = await trx
    .selectFrom('projects')
    .select('id')
    .where(sql<boolean>`project_role_of(${userId}::uuid, id) is not null`)
    .orderBy('created_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return oldest?.id ?? null;
}

async function assertNotRateLimited(database: Database, config: Config, attemptKey: string) {
  const windowMs = config.LOGIN_RATE_LIMIT_WINDOW_MINUTES * 60_000;
  const since = new Date(Date.now() - windowMs);
  const row = await database.db
    .selectFrom('login_attempts')
    .select([
      sql<number>`count(*)::int`.as('failures'),
      sql<Date | null>`min(attempted_at)`.as('oldest'),
    ])
    .where('attempt_key', '=', attemptKey)
    .where('attempted_at', '>', since)
    .executeTakeFirstOrThrow();
  if (row.failures >= config.LOGIN_RATE_LIMIT_MAX_ATTEMPTS && row.oldest) {
    const retryAfter = Math.max(
      1,
      Math.ceil((row.oldest.getTime() + windowMs - Date.now()) / 1000),
    );
    throw new AppError(
      'rate_limited',
      `too many failed sign-in attempts; try again in ${retryAfter} seconds`,
      { retry_after_seconds: retryAfter },
      { 'retry-after': String(retryAfter) },
    );
  }
}

/**
 * The per-username delay. Concurrent attempts read the same last failure, so a burst can pass a
 * few more than one per delay; each still costs a full argon2 verification, and holding a lock
 * across that verification would stall the embedded database, which runs one transaction at a
 * time.
 */
async function assertUsernameNotThrottled(database: Database, config: Config, username: string) {
  const row = await database.db
    .selectFrom('login_attempts')
    .select([
      sql<number>`count(*)::int`.as('failures'),
      sql<Date | null>`max(attempted_at)`.as('latest'),
    ])
    .where('username', '=', username)
    .where(
      'attempted_at',
      '>',
      sql<Date>`now() - make_interval(mins => ${config.LOGIN_RATE_LIMIT_WINDOW_MINUTES})`,
    )
    .executeTakeFirstOrThrow();
  if (row.failures < USERNAME_DELAY_FACTOR * config.LOGIN_RATE_LIMIT_MAX_ATTEMPTS || !row.latest)
    return;
  const waitMs = row.latest.getTime() + config.LOGIN_USERNAME_DELAY_SECONDS * 1000 - Date.now();
  if (waitMs <= 0) return;
  const retryAfter = Math.ceil(waitMs / 1000);
  throw new AppError(
    'rate_limited',
    `many failed sign-ins for this user from several places; try again in ${retryAfter} seconds`,
    { retry_after_seconds: retryAfter },
    { 'retry-after': String(retryAfter) },
  );
}

/** Expired sessions and stale attempts are garbage; clearing them at login keeps both tables small. */
async function pruneExpired(database: Database, config: Config) {
  await database.db
    .deleteFrom('sessions')
    .where((eb) =>
      eb.or([
        eb('expires_at', '<', sql<Date>`now()`),
        eb(
          'last_seen_at',
          '<',
          sql<Date>`now() - make_interval(mins => ${config.SESSION_IDLE_MINUTES})`,
        ),
      ]),
    )
    .execute();
  await database.db
    .deleteFrom('login_attempts')
    .where(
      'attempted_at',
      '<',
      sql<Date>`now() - make_interval(mins => ${config.LOGIN_RATE_LIMIT_WINDOW_MINUTES})`,
    )
    .execute();
}

export async function logout(
  database: Database,
  session: { sessionId: string; username: string; userId: string },
  requestId: string,
) {
  await database.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('sessions').where('session_id', '=', session.sessionId).execute();
    await recordAudit(trx, {
      projectId: null,
      accountScopeId: null,
      actor: session.username,
      action: 'auth.logout',
      entityType: 'session',
      entityId: session.userId,
      requestId,
    });
  });
}

export async function addUser(
  database: Database,
  username: string,
  password: string,
  options: { role?: WorkspaceRole } = {},
): Promise<void> {
  // The same rule as the login body's schema: a name with something in it that Postgres can store.
  if (!/\S/.test(username) || findUnstorableText(username))
    throw new Error('username must not be blank or contain NUL');
  assertPasswordStrength(password);
  await database.db
    .insertInto('app_users')
    .values({
      username,
      password_hash: await hashPassword(password),
      role: options.role ?? 'member',
    })
    .execute()
    .catch((error: unknown) => {
      if (isUniqueViolation(error)) throw new Error(`user ${username} already exists`);
      throw error;
    });
}

/** Changing a password ends every session of that user. */
export async function setPassword(
  database: Database,
  username: string,
  password: string,
): Promise<void> {
  assertPasswordStrength(password);
  const passwordHash = await hashPassword(password);
  await database.db.transaction().execute(async (trx) => {
    const user = await trx
      .updateTable('app_users')
      .set({ password_hash: passwordHash })
      .where(sql`lower(username)`, '=', username.toLowerCase())
      .returning('id')
      .executeTakeFirst();
    if (!user) throw new Error(`no user named ${username}`);
    await trx.deleteFrom('sessions').where('user_id', '=', user.id).execute();
  });
}

function assertPasswordStrength(password: string) {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new Error(`password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
}

/**
 * The first admin: from AUTH_USERNAME/AUTH_PASSWORD, or `admin` with a random password that is
 * returned so the caller prints it once. Nothing happens when any user exists.
 */
export async function ensureInitialAdmin(
  database: Database,
  config: Config,
): Promise<{ username: string; generatedPassword?: string } | null> {
  const existing = await database.db
    .selectFrom('app_users')
    .select('id')
    .limit(1)
    .executeTakeFirst();
  if (existing) return null;
  const username = config.AUTH_USERNAME ?? 'admin';
  const generatedPassword = config.AUTH_PASSWORD
    ? undefined
    : randomBytes(12).toString('base64url');
  try {
    // The first user owns the workspace: nobody else could give them a project.
    await addUser(database, username, config.AUTH_PASSWORD ?? generatedPassword!, {
      role: 'owner',
    });
  } catch (error) {
    // Another process created the first user at the same moment.
    if (/already exists/.test((error as Error).message)) return null;
    throw error;
  }
  return { username, generatedPassword };
}

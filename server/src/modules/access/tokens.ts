import { randomBytes } from 'node:crypto';
import basex from 'base-x';
import { sql } from 'kysely';
import type { Database } from '../../db/database.js';
import { notFound } from '../../http/errors.js';
import type { Actor } from '../../http/actor.js';
import { recordAccessEvent } from './audit-access.js';
import { sha256Hex } from './identity.js';
import type { TokenPermission } from './permissions.js';

export const TOKEN_PREFIX = 'cairn_pat_';
// Letters and digits only: a secret survives double-click selection, URLs and shell quoting.
const base62 = basex('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz');
// Shown in listings to tell tokens apart: 4 of the secret's ~43 characters (24 of 256 bits).
const VISIBLE_CHARACTERS = 4;

export interface TokenRow {
  id: string;
  name: string;
  prefix: string;
  permission: TokenPermission;
  project_ids: string[] | null;
  created_at: Date;
  expires_at: Date | string;
  last_used_at: Date | null;
  last_used_ip: string | null;
  last_used_user_agent: string | null;
}

const TOKEN_COLUMNS = [
  'id',
  'name',
  'prefix',
  'permission',
  'project_ids',
  'created_at',
  'expires_at',
  'last_used_at',
  'last_used_ip',
  'last_used_user_agent',
] as const;

/**
 * Creates a personal token: `cairn_pat_` and 32 random bytes in base62. The secret is returned
 * this once and stored only as its SHA-256 (a fast hash is enough for 256 random bits, and it
 * lets every request find its token by an index lookup). Named projects must be ones the user
 * can see now; a project that is not is 404, like a missing one.
 */
export async function createToken(
  database: Database,
  input: {
    userId: string;
    name: string;
    projectIds: string[] | 'all';
    permission: TokenPermission;
    expiresInDays: number;
  },
  actor: Actor,
): Promise<{ token: TokenRow; secret: string }> {
  const projectIds = input.projectIds === 'all' ? null : input.projectIds;
  if (projectIds) {
    const visible = await database.db
      .selectFrom('projects')
      .select('id')
      .where('id', 'in', projectIds)
      .where(sql<boolean>`project_role_of(${input.userId}::uuid, id) is not null`)
      .execute();
    const seen = new Set(visible.map((p) => p.id));
    const missing = projectIds.find((id) => !seen.has(id));
    if (missing) throw notFound(`project ${missing}`);
  }
  const secret = TOKEN_PREFIX + base62.encode(randomBytes(32));
  const prefix = secret.slice(0, TOKEN_PREFIX.length + VISIBLE_CHARACTERS);
  return database.db.transaction().execute(async (trx) => {
    const token = await trx
      .insertInto('api_tokens')
      .values({
        user_id: input.userId,
        name: input.name,
        prefix,
        secret_hash: sha256Hex(secret),
        permission: input.permission,
        project_ids: projectIds,
        expires_at: sql<Date>`now() + make_interval(days => ${input.expiresInDays})`,
      })
      .returning(TOKEN_COLUMNS)
      .executeTakeFirstOrThrow();
    await recordAccessEvent(trx, {
      actor: actor.username,
      action: 'token.create',
      entityType: 'api_token',
      entityId: token.id,
      payload: {
        name: token.name,
        prefix,
        permission: token.permission,
        project_ids: projectIds ?? 'all',
        expires_at: token.expires_at,
      },
      requestId: actor.requestId,
    });
    return { token, secret };
  });
}

/** The user's tokens that are not revoked (expired ones included, marked by expires_at). */
export const listTokens = (database: Database, userId: string): Promise<TokenRow[]> =>
  database.db
    .selectFrom('api_tokens')
    .select(TOKEN_COLUMNS)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .orderBy('created_at', 'desc')
    .execute();

/** Revokes one of the user's tokens; its next request is 401 (credential-cache.ts says how). */
export async function revokeToken(
  database: Database,
  input: { userId: string; tokenId: string },
  actor: Actor,
): Promise<void> {
  await database.db.transaction().execute(async (trx) => {
    const revoked = await trx
      .updateTable('api_tokens')
      .set({ revoked_at: sql<Date>`now()` })
      .where('id', '=', input.tokenId)
      .where('user_id', '=', input.userId)
      .where('revoked_at', 'is', null)
      .returning(['id', 'name', 'prefix'])
      .executeTakeFirst();
    if (!revoked) throw notFound('token');
    await recordAccessEvent(trx, {
      actor: actor.username,
      action: 'token.revoke',
      entityType: 'api_token',
      entityId: revoked.id,
      payload: { name: revoked.name, prefix: revoked.prefix },
      requestId: actor.requestId,
    });
  });
}

export const toTokenDto = (t: TokenRow) => ({
  id: t.id,
  name: t.name,
  prefix: t.prefix,
  project_ids: t.project_ids ?? ('all' as const),
  permission: t.permission,
  created_at: t.created_at.toISOString(),
  expires_at: new Date(t.expires_at).toISOString(),
  last_used_at: t.last_used_at?.toISOString() ?? null,
  last_used_ip: t.last_used_ip,
  last_used_user_agent: t.last_used_user_agent,
});

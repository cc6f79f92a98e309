import { createHash, randomBytes } from 'node:crypto';
import type { Database, Scope } from '../../db/database.js';
import { isUniqueViolation } from '../../http/database-errors.js';
import { AppError, notFound } from '../../http/errors.js';
import type { HostPolicy } from '../../lib/net/host-policy.js';
import { checkOutboundUrl, OutboundUrlError } from '../../lib/net/outbound-url.js';
import type { Secrets } from '../../lib/secrets.js';
import type { Actor } from '../../http/actor.js';
import { recordAudit } from '../audit/service.js';
import { systemScope } from '../access/system-actor.js';

/** A bound Chatwoot account with its credentials decrypted: for server-side use only. */
export interface ChatwootSource {
  id: string;
  baseUrl: string;
  accountId: number;
  apiToken: string;
  webhookSecret: string | null;
  webhookUrlTokenHash: string | null;
}

/** The kinds this server binds (migration 0028). */
export type SourceKind = 'chatwoot_account' | 'linear_workspace' | 'attio_workspace';

export interface SourceSummary {
  id: string;
  source_kind: SourceKind;
  external_id: string;
  base_url: string;
  account_id: number | null;
  settings: Record<string, unknown>;
  webhook_secret_enc: string | null;
  webhook_url_token_hash: string | null;
  last_webhook_error: string | null;
  last_webhook_error_at: Date | null;
  created_at: Date;
}

/** `https://Chat.Example.com:443/` and `https://chat.example.com` are the same account host. */
export function normalizeBaseUrl(raw: string | URL): string {
  const url = new URL(raw);
  url.hash = '';
  url.search = '';
  return url.toString().replace(/\/+$/, '');
}

/**
 * The base URL as it will be called, or a `400 validation_error` naming `base_url`: the same
 * address check as every request to it (lib/net), made at bind time so a source that could
 * never be synced is never stored. The message never repeats the URL (it may hold credentials).
 */
export async function checkBaseUrl(raw: string, policy: HostPolicy): Promise<string> {
  try {
    return normalizeBaseUrl(await checkOutboundUrl(raw, policy));
  } catch (error) {
    if (!(error instanceof OutboundUrlError)) throw error;
    throw new AppError('validation_error', `invalid base_url: ${error.message}`, {
      fields: [{ field: 'base_url', message: error.message }],
    });
  }
}

export const hashUrlToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** The columns a SourceSummary is read from (the binders in workspace-source.ts return them too). */
export const summaryColumns = [
  'id',
  'source_kind',
  'external_id',
  'base_url',
  'account_id',
  'settings',
  'webhook_secret_enc',
  'webhook_url_token_hash',
  'last_webhook_error',
  'last_webhook_error_at',
  'created_at',
] as const;

export async function listSources(database: Database, scope: Scope): Promise<SourceSummary[]> {
  return database.withScope(
    scope,
    (trx) =>
      trx
        .selectFrom('project_sources')
        .select(summaryColumns)
        .where('project_id', '=', scope.projectId)
        .where('account_scope_id', '=', scope.accountScopeId)
        .where('source_kind', 'in', ['chatwoot_account', 'linear_workspace', 'attio_workspace'])
        .orderBy('created_at')
        .execute() as Promise<SourceSummary[]>,
  );
}

export async function bindChatwootSource(
  {
    database,
    secrets,
    hostPolicy,
  }: { database: Database; secrets: Secrets; hostPolicy: HostPolicy },
  scope: Scope,
  input: {
    baseUrl: string;
    accountId: number;
    apiToken: string;
    webhookSecret?: string;
    webhookUrlToken?: boolean;
  },
  actor: Actor,
): Promise<{ source: SourceSummary; webhookUrlToken?: string }> {
  const baseUrl = await checkBaseUrl(input.baseUrl, hostPolicy);
  const externalId = `${baseUrl}#${input.accountId}`;
  const webhookUrlToken = input.webhookUrlToken ? randomBytes(32).toString('base64url') : undefined;
  try {
    const source = await database.withScope(scope, async (trx) => {
      const row = (await trx
        .insertInto('project_sources')
        .values({
          project_id: scope.projectId,
          account_scope_id: scope.accountScopeId,
          source_kind: 'chatwoot_account',
          external_id: externalId,
          base_url: baseUrl,
          account_id: input.accountId,
          api_token_enc: secrets.encrypt(input.apiToken),
          webhook_secret_enc: input.webhookSecret ? secrets.encrypt(input.webhookSecret) : null,
          webhook_url_token_hash: webhookUrlToken ? hashUrlToken(webhookUrlToken) : null,
        })
        .returning(summaryColumns)
        .executeTakeFirstOrThrow()) as SourceSummary;
      await recordAudit(trx, {
        ...auditScope(scope, actor),
        action: 'source.bind',
        entityType: 'project_source',
        entityId: row.id,
        // Credentials never enter the audit trail; only whether they were given.
        payload: {
          external_id: externalId,
          webhook_secret_set: Boolean(input.webhookSecret),
          webhook_url_token_set: Boolean(webhookUrlToken),
        },
      });
      return row;
    });
    return { source, webhookUrlToken };
  } catch (error) {
    if (isUniqueViolation(error, 'external_id')) {
      throw new AppError(
        'source_already_bound',
        'this Chatwoot account is already bound to a project',
      );
    }
    if (isUniqueViolation(error)) {
      throw new AppError('conflict', 'this project already has a Chatwoot source; remove it first');
    }
    throw error;
  }
}

export async function unbindSource(
  database: Database,
  scope: Scope,
  id: string,
  actor: Actor,
): Promise<void> {
  await database.withScope(scope, async (trx) => {
    const deleted = await trx
      .deleteFrom('project_sources')
      .where('id', '=', id)
      .where('project_id', '=', scope.projectId)
      .where('account_scope_id', '=', scope.accountScopeId)
      .returning(['id', 'external_id', 'source_kind'])
      .executeTakeFirst();
    if (!deleted) throw notFound('source');
    // A Linear or Attio source's schedule lives and dies with it (sources/linear-source.ts,
    // sources/attio-source.ts).
    const schedule =
      deleted.source_kind === 'linear_workspace'
        ? 'linear_sync'
        : deleted.source_kind === 'attio_workspace'
          ? 'attio_sync'
          : null;
    if (schedule) {
      await trx
        .deleteFrom('scheduled_jobs')
        .where('project_id', '=', scope.projectId)
        .where('job_type', '=', schedule)
        .execute();
    }
    await recordAudit(trx, {
      ...auditScope(scope, actor),
      action: 'source.unbind',
      entityType: 'project_source',
      entityId: id,
      payload: { external_id: deleted.external_id },
    });
  });
}

/** The active project's Chatwoot source with decrypted credentials, or null when none is bound. */
export async function loadChatwootSource(
  database: Database,
  secrets: Secrets,
  scope: Scope,
): Promise<ChatwootSource | null> {
  const row = await database.withScope(scope, (trx) =>
    trx
      .selectFrom('project_sources')
      .selectAll()
      .where('project_id', '=', scope.projectId)
      .where('account_scope_id', '=', scope.accountScopeId)
      .where('source_kind', '=', 'chatwoot_account')
      .executeTakeFirst(),
  );
  return row ? decrypt(row, secrets) : null;
}

/**
 * Finds a source by id for its webhook receiver, which has no session: the owner connection reads
 * across projects here, and everything after runs inside the scope this returns.
 */
export async function loadSourceForWebhook(
  database: Database,
  secrets: Secrets,
  sourceId: string,
): Promise<{ source: ChatwootSource; scope: Scope } | null> {
  if (!/^[0-9a-f-]{36}$/i.test(sourceId)) return null;
  const row = await database.db
    .selectFrom('project_sources')
    .selectAll()
    .where('id', '=', sourceId)
    // Another kind's source id is unknown here: its receiver is elsewhere.
    .where('source_kind', '=', 'chatwoot_account')
    .executeTakeFirst();
  if (!row) return null;
  return {
    source: decrypt(row, secrets),
    // The webhook's signature is its authentication: no user acts here.
    scope: systemScope(
      { projectId: row.project_id, accountScopeId: row.account_scope_id },
      'chatwoot webhook',
    ),
  };
}

function decrypt(
  row: {
    id: string;
    base_url: string;
    account_id: number | null;
    api_token_enc: string;
    webhook_secret_enc: string | null;
    webhook_url_token_hash: string | null;
  },
  secrets: Secrets,
): ChatwootSource {
  return {
    id: row.id,
    baseUrl: row.base_url,
    // Migration 0028: a Chatwoot source always has its account number.
    accountId: row.account_id ?? 0,
    apiToken: secrets.decrypt(row.api_token_enc),
    webhookSecret: row.webhook_secret_enc ? secrets.decrypt(row.webhook_secret_enc) : null,
    webhookUrlTokenHash: row.webhook_url_token_hash,
  };
}

const auditScope = (scope: Scope, actor: Actor) => ({
  projectId: scope.projectId,
  accountScopeId: scope.accountScopeId,
  actor: actor.username,
  requestId: actor.requestId,
});

/**
 * Remembers the last webhook delivery this source refused after authenticating it (a payload that
 * is not Chatwoot's shape). Chatwoot never retries a webhook, so this, shown with the source, is
 * the only trace of an event that was dropped. Its own short transaction: the delivery's is gone.
 */
export async function recordWebhookError(
  database: Database,
  scope: Scope,
  sourceId: string,
  message: string,
): Promise<void> {
  await database.withScope(scope, (trx) =>
    trx
      .updateTable('project_sources')
      .set({ last_webhook_error: message.slice(0, 500), last_webhook_error_at: new Date() })
      .where('id', '=', sourceId)
      .where('project_id', '=', scope.projectId)
      .where('account_scope_id', '=', scope.accountScopeId)
      .execute(),
  );
}

/** The kind of one of the active project's sources, or a 404 (another project's too). */
export async function sourceKindOf(
  database: Database,
  scope: Scope,
  id: string,
): Promise<SourceKind> {
  const row = await database.withScope(scope, (trx) =>
    trx
      .selectFrom('project_sources')
      .select('source_kind')
      .where('id', '=', id)
      .where('project_id', '=', scope.projectId)
      .where('account_scope_id', '=', scope.accountScopeId)
      .executeTakeFirst(),
  );
  if (!row) throw notFound('source');
  return row.source_kind;
}

/**
 * A source row of the given kind by id, for a webhook receiver, which has no session: the owner
 * connection reads across projects here, and everything after runs inside the scope returned.
 */
export async function findSourceForWebhook(database: Database, sourceId: string, kind: SourceKind) {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(sourceId))
    return null;
  const row = await database.db
    .selectFrom('project_sources')
    .selectAll()
    .where('id', '=', sourceId)
    .where('source_kind', '=', kind)
    .executeTakeFirst();
  if (!row) return null;
  return {
    row,
    // The webhook's signature is its authentication: no user acts here.
    scope: systemScope(
      { projectId: row.project_id, accountScopeId: row.account_scope_id },
      `${kind} webhook`,
    ),
  };
}

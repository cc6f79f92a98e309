import { sql } from 'kysely';
import type { Config } from '../../config.js';
import type { Database, Scope } from '../../db/database.js';
import { isUniqueViolation } from '../../http/database-errors.js';
import { AppError, notFound } from '../../http/errors.js';
import type { Actor } from '../../http/actor.js';
import { createGuardedHttp } from '../../lib/net/guarded-http.js';
import type { HostPolicy } from '../../lib/net/host-policy.js';
import type { Secrets } from '../../lib/secrets.js';
import { recordAudit } from '../audit/service.js';
import { AttioApiError, AttioClient } from '../connectors/attio/client.js';
import { checkBaseUrl, findSourceForWebhook, type SourceSummary } from './service.js';

/**
 * Binding a project to an Attio workspace (issue 18, item 2), as linear-source.ts binds Linear:
 * the workspace id `GET /v2/self` names is the source's external id, so one workspace is bound to
 * one project at most (the unique (source_kind, external_id) key of project_sources), and the
 * token is checked before anything is stored, which is also how that id is learned.
 */

export const ATTIO_DEFAULT_URL = 'https://api.attio.com';
// A bind or a connection test is interactive: one retry, and a person does not wait long.
const INTERACTIVE_TIMEOUT_MS = 10_000;

/** A bound Attio workspace with its token decrypted: for server-side use only. */
export interface AttioSourceRecord {
  id: string;
  baseUrl: string;
  token: string;
  workspaceId: string;
  webhookSecret: string | null;
  /** Null: the whole workspace. */
  companyRecordIds: string[] | null;
}

export function attioSettings(settings: Record<string, unknown>): {
  company_record_ids: string[];
} {
  const ids = settings.company_record_ids;
  return {
    company_record_ids: Array.isArray(ids) ? ids.filter((x) => typeof x === 'string') : [],
  };
}

export interface AttioIdentity {
  workspace_id: string;
  workspace_name: string;
  workspace_slug: string;
  scopes: string[];
}

/**
 * `GET /v2/self` with the given token, or an `upstream_error` saying plainly what is wrong: the
 * token refused or inactive, the host refused by the guard, or Attio not reachable.
 */
export async function checkAttioToken(
  hostPolicy: HostPolicy,
  config: Pick<Config, 'ATTIO_TIMEOUT_MS'>,
  baseUrl: string,
  token: string,
): Promise<AttioIdentity> {
  const http = createGuardedHttp({ ...hostPolicy, totalTimeoutMs: INTERACTIVE_TIMEOUT_MS * 2 });
  const client = new AttioClient({
    fetch: http.fetch,
    baseUrl,
    token,
    timeoutMs: Math.min(config.ATTIO_TIMEOUT_MS, INTERACTIVE_TIMEOUT_MS),
    maxRetries: 1,
    retryBaseMs: 200,
    retryMaxMs: 1_000,
    rateLimitWaitMaxMs: 2_000,
  });
  try {
    const self = await client.self();
    if (!self.active) {
      throw new AppError(
        'upstream_error',
        'Attio says the access token is not active (revoked or expired): GET /v2/self answered {active: false}',
      );
    }
    return {
      workspace_id: self.workspace_id,
      workspace_name: self.workspace_name,
      workspace_slug: self.workspace_slug,
      scopes: self.scope.split(/\s+/).filter(Boolean),
    };
  } catch (error) {
    if (error instanceof AttioApiError) {
      const hint =
        error.kind === 'auth' || error.status === 401 || error.status === 403
          ? 'Attio rejected the access token'
          : error.kind === 'blocked'
            ? 'Attio was not contacted'
            : error.kind === 'ratelimited'
              ? 'Attio is rate limiting this token; try again later'
              : 'Attio could not be reached';
      throw new AppError('upstream_error', `${hint}: ${error.message}`, {
        status: error.status,
        attempts: error.attempts,
      });
    }
    throw error;
  } finally {
    await http.close();
  }
}

export async function bindAttioSource(
  deps: {
    database: Database;
    secrets: Secrets;
    hostPolicy: HostPolicy;
    config: Pick<Config, 'ATTIO_TIMEOUT_MS' | 'JOB_CADENCE_ATTIO_SYNC_SECONDS'>;
  },
  scope: Scope,
  input: {
    baseUrl?: string;
    apiToken: string;
    companyRecordIds?: string[];
    webhookSecret?: string;
  },
  actor: Actor,
): Promise<SourceSummary> {
  const { database, secrets, hostPolicy, config } = deps;
  const url = await checkBaseUrl(input.baseUrl ?? ATTIO_DEFAULT_URL, hostPolicy);
  const identity = await checkAttioToken(hostPolicy, config, url, input.apiToken);
  const settings = {
    company_record_ids: [...new Set((input.companyRecordIds ?? []).map((id) => id.toLowerCase()))],
    workspace_name: identity.workspace_name,
    workspace_slug: identity.workspace_slug,
  };
  try {
    return await database.withScope(scope, async (trx) => {
      const row = await trx
        .insertInto('project_sources')
        .values({
          project_id: scope.projectId,
          account_scope_id: scope.accountScopeId,
          source_kind: 'attio_workspace',
          external_id: identity.workspace_id,
          base_url: url,
          account_id: null,
          api_token_enc: secrets.encrypt(input.apiToken),
          webhook_secret_enc: input.webhookSecret ? secrets.encrypt(input.webhookSecret) : null,
          webhook_url_token_hash: null,
          settings: JSON.stringify(settings),
        })
        .returning([
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
        ])
        .executeTakeFirstOrThrow();
      // One schedule per bound source, due at once: the first sync follows the next tick.
      await sql`
        insert into scheduled_jobs (project_id, account_scope_id, job_type, cadence_seconds)
        values (${scope.projectId}::uuid, ${scope.accountScopeId}::uuid, 'attio_sync',
                ${config.JOB_CADENCE_ATTIO_SYNC_SECONDS})
        on conflict (project_id, job_type) do nothing`.execute(trx);
      await recordAudit(trx, {
        projectId: scope.projectId,
        accountScopeId: scope.accountScopeId,
        actor: actor.username,
        requestId: actor.requestId,
        action: 'source.bind',
        entityType: 'project_source',
        entityId: row.id,
        // The token never enters the audit trail; only whether a webhook secret was given.
        payload: {
          source_kind: 'attio_workspace',
          external_id: identity.workspace_id,
          company_record_ids: settings.company_record_ids,
          webhook_secret_set: Boolean(input.webhookSecret),
        },
      });
      return row as SourceSummary;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'external_id')) {
      throw new AppError(
        'source_already_bound',
        'this Attio workspace is already bound to a project',
      );
    }
    if (isUniqueViolation(error)) {
      throw new AppError('conflict', 'this project already has an Attio source; remove it first');
    }
    throw error;
  }
}

type SourceRow = {
  id: string;
  base_url: string;
  external_id: string;
  api_token_enc: string;
  webhook_secret_enc: string | null;
  settings: Record<string, unknown>;
};

function decryptAttio(row: SourceRow, secrets: Secrets): AttioSourceRecord {
  const ids = attioSettings(row.settings).company_record_ids;
  return {
    id: row.id,
    baseUrl: row.base_url,
    token: secrets.decrypt(row.api_token_enc),
    workspaceId: row.external_id,
    webhookSecret: row.webhook_secret_enc ? secrets.decrypt(row.webhook_secret_enc) : null,
    companyRecordIds: ids.length > 0 ? ids : null,
  };
}

/** The active project's Attio source with its token decrypted, or null when none is bound. */
export async function loadAttioSource(
  database: Database,
  secrets: Secrets,
  scope: Scope,
): Promise<AttioSourceRecord | null> {
  const row = await database.withScope(scope, (trx) =>
    trx
      .selectFrom('project_sources')
      .selectAll()
      .where('project_id', '=', scope.projectId)
      .where('account_scope_id', '=', scope.accountScopeId)
      .where('source_kind', '=', 'attio_workspace')
      .executeTakeFirst(),
  );
  return row ? decryptAttio(row, secrets) : null;
}

/** An Attio source by id for its webhook receiver (no session; see findSourceForWebhook). */
export async function loadAttioSourceForWebhook(
  database: Database,
  secrets: Secrets,
  sourceId: string,
): Promise<{ source: AttioSourceRecord; scope: Scope } | null> {
  const found = await findSourceForWebhook(database, sourceId, 'attio_workspace');
  return found ? { source: decryptAttio(found.row, secrets), scope: found.scope } : null;
}

/**
 * `POST /sources/:id/test` for Attio: the token against `GET /v2/self`, and whether it still
 * reaches the workspace the source was bound to. Says plainly what is wrong.
 */
export async function testAttioSource(
  app: {
    database: Database;
    secrets: Secrets;
    hostPolicy: HostPolicy;
    config: Pick<Config, 'ATTIO_TIMEOUT_MS'>;
  },
  scope: Scope,
  sourceId: string,
) {
  const source = await loadAttioSource(app.database, app.secrets, scope);
  if (!source || source.id !== sourceId) throw notFound('source');
  const identity = await checkAttioToken(app.hostPolicy, app.config, source.baseUrl, source.token);
  if (identity.workspace_id !== source.workspaceId) {
    throw new AppError(
      'upstream_error',
      `the access token belongs to the Attio workspace "${identity.workspace_name}", not the one this source was bound to`,
    );
  }
  const warnings: string[] = [];
  if (!source.webhookSecret) {
    warnings.push('no webhook secret is set: changes arrive with the next scheduled sync only');
  }
  return {
    reachable: true as const,
    source_kind: 'attio_workspace' as const,
    ...identity,
    warnings,
  };
}

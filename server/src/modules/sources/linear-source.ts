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
import { LinearApiError, LinearClient } from '../connectors/linear/client.js';
import type { LinearOrganization } from '../connectors/linear/payloads.js';
import { checkBaseUrl, findSourceForWebhook, type SourceSummary } from './service.js';

/**
 * Binding a project to a Linear workspace (issue 18, item 2). The Linear organization id is the
 * source's external id, so one workspace is bound to one project at most (the unique
 * (source_kind, external_id) key of project_sources); the key is checked against `organization`
 * and `viewer` before anything is stored, which is also how that id is learned.
 */

export const LINEAR_DEFAULT_URL = 'https://api.linear.app/graphql';
// A bind or a connection test is interactive: one retry, and a person does not wait long.
const INTERACTIVE_TIMEOUT_MS = 10_000;

/** A bound Linear workspace with its key decrypted: for server-side use only. */
export interface LinearSourceRecord {
  id: string;
  url: string;
  apiKey: string;
  organizationId: string;
  webhookSecret: string | null;
  teamIds: string[];
  projectIds: string[];
}

export interface LinearScopeSettings {
  team_ids: string[];
  project_ids: string[];
}

export function linearSettings(settings: Record<string, unknown>): LinearScopeSettings {
  const list = (v: unknown) => (Array.isArray(v) ? v.filter((x) => typeof x === 'string') : []);
  return { team_ids: list(settings.team_ids), project_ids: list(settings.project_ids) };
}

/**
 * `organization` and `viewer` with the given key, or an `upstream_error` saying plainly what is
 * wrong: the key refused, the host refused by the guard, or Linear not reachable.
 */
export async function checkLinearKey(
  hostPolicy: HostPolicy,
  config: Pick<Config, 'LINEAR_TIMEOUT_MS'>,
  url: string,
  apiKey: string,
): Promise<LinearOrganization> {
  const http = createGuardedHttp({ ...hostPolicy, totalTimeoutMs: INTERACTIVE_TIMEOUT_MS * 2 });
  const client = new LinearClient({
    http,
    url,
    apiKey,
    timeoutMs: Math.min(config.LINEAR_TIMEOUT_MS, INTERACTIVE_TIMEOUT_MS),
    maxRetries: 1,
    retryBaseMs: 200,
    retryMaxMs: 1_000,
    rateLimitWaitMaxMs: 2_000,
  });
  try {
    return await client.organization();
  } catch (error) {
    if (error instanceof LinearApiError) {
      const hint =
        error.kind === 'auth' || error.status === 401
          ? 'Linear rejected the API key'
          : error.kind === 'blocked'
            ? 'Linear was not contacted'
            : error.kind === 'ratelimited'
              ? 'Linear is rate limiting this key; try again later'
              : 'Linear could not be reached';
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

export async function bindLinearSource(
  deps: {
    database: Database;
    secrets: Secrets;
    hostPolicy: HostPolicy;
    config: Pick<Config, 'LINEAR_TIMEOUT_MS' | 'JOB_CADENCE_LINEAR_SYNC_SECONDS'>;
  },
  scope: Scope,
  input: {
    baseUrl?: string;
    apiKey: string;
    teamIds?: string[];
    projectIds?: string[];
    webhookSecret?: string;
  },
  actor: Actor,
): Promise<SourceSummary> {
  const { database, secrets, hostPolicy, config } = deps;
  const url = await checkBaseUrl(input.baseUrl ?? LINEAR_DEFAULT_URL, hostPolicy);
  const { organization } = await checkLinearKey(hostPolicy, config, url, input.apiKey);
  const settings = {
    team_ids: [...new Set(input.teamIds ?? [])],
    project_ids: [...new Set(input.projectIds ?? [])],
    organization_name: organization.name,
    url_key: organization.urlKey,
  };
  try {
    return await database.withScope(scope, async (trx) => {
      const row = await trx
        .insertInto('project_sources')
        .values({
          project_id: scope.projectId,
          account_scope_id: scope.accountScopeId,
          source_kind: 'linear_workspace',
          external_id: organization.id,
          base_url: url,
          account_id: null,
          api_token_enc: secrets.encrypt(input.apiKey),
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
        values (${scope.projectId}::uuid, ${scope.accountScopeId}::uuid, 'linear_sync',
                ${config.JOB_CADENCE_LINEAR_SYNC_SECONDS})
        on conflict (project_id, job_type) do nothing`.execute(trx);
      await recordAudit(trx, {
        projectId: scope.projectId,
        accountScopeId: scope.accountScopeId,
        actor: actor.username,
        requestId: actor.requestId,
        action: 'source.bind',
        entityType: 'project_source',
        entityId: row.id,
        // The key never enters the audit trail; only whether a webhook secret was given.
        payload: {
          source_kind: 'linear_workspace',
          external_id: organization.id,
          team_ids: settings.team_ids,
          project_ids: settings.project_ids,
          webhook_secret_set: Boolean(input.webhookSecret),
        },
      });
      return row as SourceSummary;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'external_id')) {
      throw new AppError(
        'source_already_bound',
        'this Linear workspace is already bound to a project',
      );
    }
    if (isUniqueViolation(error)) {
      throw new AppError('conflict', 'this project already has a Linear source; remove it first');
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

function decryptLinear(row: SourceRow, secrets: Secrets): LinearSourceRecord {
  const scopeSettings = linearSettings(row.settings);
  return {
    id: row.id,
    url: row.base_url,
    apiKey: secrets.decrypt(row.api_token_enc),
    organizationId: row.external_id,
    webhookSecret: row.webhook_secret_enc ? secrets.decrypt(row.webhook_secret_enc) : null,
    teamIds: scopeSettings.team_ids,
    projectIds: scopeSettings.project_ids,
  };
}

/** The active project's Linear source with its key decrypted, or null when none is bound. */
export async function loadLinearSource(
  database: Database,
  secrets: Secrets,
  scope: Scope,
): Promise<LinearSourceRecord | null> {
  const row = await database.withScope(scope, (trx) =>
    trx
      .selectFrom('project_sources')
      .selectAll()
      .where('project_id', '=', scope.projectId)
      .where('account_scope_id', '=', scope.accountScopeId)
      .where('source_kind', '=', 'linear_workspace')
      .executeTakeFirst(),
  );
  return row ? decryptLinear(row, secrets) : null;
}

/**
 * A Linear source by id for its webhook receiver, which has no session: the owner connection
 * reads across projects here, and everything after runs inside the scope this returns.
 */
export async function loadLinearSourceForWebhook(
  database: Database,
  secrets: Secrets,
  sourceId: string,
): Promise<{ source: LinearSourceRecord; scope: Scope } | null> {
  const found = await findSourceForWebhook(database, sourceId, 'linear_workspace');
  return found ? { source: decryptLinear(found.row, secrets), scope: found.scope } : null;
}

/**
 * `POST /sources/:id/test` for Linear: the key against `viewer` and `organization`, and whether
 * it still reaches the workspace the source was bound to. Says plainly what is wrong.
 */
export async function testLinearSource(
  app: {
    database: Database;
    secrets: Secrets;
    hostPolicy: HostPolicy;
    config: Pick<Config, 'LINEAR_TIMEOUT_MS'>;
  },
  scope: Scope,
  sourceId: string,
) {
  const source = await loadLinearSource(app.database, app.secrets, scope);
  if (!source || source.id !== sourceId) throw notFound('source');
  const { organization, viewer } = await checkLinearKey(
    app.hostPolicy,
    app.config,
    source.url,
    source.apiKey,
  );
  if (organization.id !== source.organizationId) {
    throw new AppError(
      'upstream_error',
      `the API key belongs to the Linear workspace "${organization.name}", not the one this source was bound to`,
    );
  }
  const warnings: string[] = [];
  if (!source.webhookSecret) {
    warnings.push('no webhook secret is set: changes arrive with the next scheduled sync only');
  }
  return {
    reachable: true as const,
    source_kind: 'linear_workspace' as const,
    organization_id: organization.id,
    organization_name: organization.name,
    viewer,
    warnings,
  };
}

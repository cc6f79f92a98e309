import type { Config } from '../../config.js';
import type { Database, Scope } from '../../db/database.js';
import type { Actor } from '../../http/actor.js';
import type { HostPolicy } from '../../lib/net/host-policy.js';
import type { Secrets } from '../../lib/secrets.js';
import { LinearApiError, LinearClient } from '../connectors/linear/client.js';
import type { LinearOrganization } from '../connectors/linear/payloads.js';
import { checkBaseUrl, type SourceSummary } from './service.js';
import {
  checkInteractively,
  decryptCommon,
  insertWorkspaceSource,
  INTERACTIVE_RETRIES,
  INTERACTIVE_TIMEOUT_MS,
  workspaceLoaders,
  webhookWarnings,
  wrongWorkspace,
  type WorkspaceSourceRow,
} from './workspace-source.js';

/**
 * Binding a project to a Linear workspace (issue 18, item 2). The Linear organization id is the
 * source's external id, so one workspace is bound to one project at most (the unique
 * (source_kind, external_id) key of project_sources); the key is checked against `organization`
 * and `viewer` before anything is stored, which is also how that id is learned. The flow shared
 * with Attio is workspace-source.ts.
 */

export const LINEAR_DEFAULT_URL = 'https://api.linear.app/graphql';
const WORDS = {
  service: 'Linear',
  credential: 'API key',
  short: 'key',
  aSource: 'a Linear source',
};

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
  return checkInteractively(
    hostPolicy,
    WORDS,
    { isClientError: (e) => e instanceof LinearApiError, refusedStatuses: [401] },
    (http) =>
      new LinearClient({
        http,
        url,
        apiKey,
        timeoutMs: Math.min(config.LINEAR_TIMEOUT_MS, INTERACTIVE_TIMEOUT_MS),
        ...INTERACTIVE_RETRIES,
      }).organization(),
  );
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
  const url = await checkBaseUrl(input.baseUrl ?? LINEAR_DEFAULT_URL, deps.hostPolicy);
  const { organization } = await checkLinearKey(deps.hostPolicy, deps.config, url, input.apiKey);
  const scopeSettings = {
    team_ids: [...new Set(input.teamIds ?? [])],
    project_ids: [...new Set(input.projectIds ?? [])],
  };
  return insertWorkspaceSource(
    deps,
    scope,
    {
      sourceKind: 'linear_workspace',
      words: WORDS,
      externalId: organization.id,
      baseUrl: url,
      credential: input.apiKey,
      webhookSecret: input.webhookSecret,
      settings: {
        ...scopeSettings,
        organization_name: organization.name,
        url_key: organization.urlKey,
      },
      schedule: {
        jobType: 'linear_sync',
        cadenceSeconds: deps.config.JOB_CADENCE_LINEAR_SYNC_SECONDS,
      },
      auditScope: scopeSettings,
    },
    actor,
  );
}

function decryptLinear(row: WorkspaceSourceRow, secrets: Secrets): LinearSourceRecord {
  const scopeSettings = linearSettings(row.settings);
  const { id, credential, webhookSecret } = decryptCommon(row, secrets);
  return {
    id,
    url: row.base_url,
    apiKey: credential,
    organizationId: row.external_id,
    webhookSecret,
    teamIds: scopeSettings.team_ids,
    projectIds: scopeSettings.project_ids,
  };
}

const loaders = workspaceLoaders('linear_workspace', decryptLinear);

/** The active project's Linear source, decrypted, or null when none is bound. */
export const loadLinearSource = loaders.load;

/** A Linear source by id for its webhook receiver (no session; see findSourceForWebhook). */
export const loadLinearSourceForWebhook = loaders.forWebhook;

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
  const source = await loaders.bound(app.database, app.secrets, scope, sourceId);
  const { organization, viewer } = await checkLinearKey(
    app.hostPolicy,
    app.config,
    source.url,
    source.apiKey,
  );
  if (organization.id !== source.organizationId) {
    throw wrongWorkspace(WORDS, organization.name);
  }
  const warnings = webhookWarnings(source);
  return {
    reachable: true as const,
    source_kind: 'linear_workspace' as const,
    organization_id: organization.id,
    organization_name: organization.name,
    viewer,
    warnings,
  };
}

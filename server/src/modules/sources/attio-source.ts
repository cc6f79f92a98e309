import type { Config } from '../../config.js';
import type { Database, Scope } from '../../db/database.js';
import { AppError } from '../../http/errors.js';
import type { Actor } from '../../http/actor.js';
import type { HostPolicy } from '../../lib/net/host-policy.js';
import type { Secrets } from '../../lib/secrets.js';
import { AttioApiError, AttioClient } from '../connectors/attio/client.js';
import type { AttioList } from '../connectors/attio/payloads.js';
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
 * Binding a project to an Attio workspace (issue 18, item 2), as linear-source.ts binds Linear:
 * the workspace id `GET /v2/self` names is the source's external id, so one workspace is bound to
 * one project at most (the unique (source_kind, external_id) key of project_sources), and the
 * token is checked before anything is stored, which is also how that id is learned.
 */

export const ATTIO_DEFAULT_URL = 'https://api.attio.com';
const WORDS = {
  service: 'Attio',
  credential: 'access token',
  short: 'token',
  aSource: 'an Attio source',
};

/** A bound Attio workspace with its token decrypted: for server-side use only. */
export interface AttioSourceRecord {
  id: string;
  baseUrl: string;
  token: string;
  workspaceId: string;
  webhookSecret: string | null;
  /** Null: no companies named (the whole workspace unless `list` is set). */
  companyRecordIds: string[] | null;
  /** An Attio list of companies (id or api_slug) whose entries are in scope too; null: none. */
  list: string | null;
}

export function attioSettings(settings: Record<string, unknown>): {
  company_record_ids: string[];
  list: string | null;
} {
  const ids = settings.company_record_ids;
  return {
    company_record_ids: Array.isArray(ids) ? ids.filter((x) => typeof x === 'string') : [],
    list: typeof settings.list === 'string' ? settings.list : null,
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
  list?: string | null,
): Promise<AttioIdentity> {
  const { self, found } = await checkInteractively(
    hostPolicy,
    WORDS,
    { isClientError: (e) => e instanceof AttioApiError, refusedStatuses: [401, 403] },
    async ({ fetch }) => {
      const client = new AttioClient({
        fetch,
        baseUrl,
        token,
        timeoutMs: Math.min(config.ATTIO_TIMEOUT_MS, INTERACTIVE_TIMEOUT_MS),
        ...INTERACTIVE_RETRIES,
      });
      const self = await client.self();
      // The list only when the token is live: an inactive token is the first thing to say.
      return { self, found: list && self.active ? await client.getList(list) : undefined };
    },
  );
  if (!self.active) {
    throw new AppError(
      'upstream_error',
      'Attio says the access token is not active (revoked or expired): GET /v2/self answered {active: false}',
    );
  }
  if (list) checkCompaniesList(list, found ?? null);
  return {
    workspace_id: self.workspace_id,
    workspace_name: self.workspace_name,
    workspace_slug: self.workspace_slug,
    scopes: self.scope.split(/\s+/).filter(Boolean),
  };
}

/**
 * A 400 naming `list` unless Attio has the list and it holds companies: its `parent_object` is
 * an array of object slugs or ids (openapi.yaml, components.schemas.list), and a list of people
 * or deals cannot scope companies.
 */
function checkCompaniesList(list: string, found: AttioList | null): void {
  const refuse = (message: string) =>
    new AppError('validation_error', `invalid list: ${message}`, {
      fields: [{ field: 'list', message }],
    });
  if (!found) throw refuse(`Attio has no list with the id or slug "${list}"`);
  // The standard companies object is `companies` by slug; its id is what a list may name too.
  if (!found.parent_object.includes('companies')) {
    throw refuse(
      `the Attio list "${found.api_slug}" holds ${found.parent_object.join(', ') || 'nothing'}, not companies`,
    );
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
    list?: string;
    webhookSecret?: string;
  },
  actor: Actor,
): Promise<SourceSummary> {
  const url = await checkBaseUrl(input.baseUrl ?? ATTIO_DEFAULT_URL, deps.hostPolicy);
  const list = input.list ?? null;
  const identity = await checkAttioToken(deps.hostPolicy, deps.config, url, input.apiToken, list);
  const companyRecordIds = [
    ...new Set((input.companyRecordIds ?? []).map((id) => id.toLowerCase())),
  ];
  return insertWorkspaceSource(
    deps,
    scope,
    {
      sourceKind: 'attio_workspace',
      words: WORDS,
      externalId: identity.workspace_id,
      baseUrl: url,
      credential: input.apiToken,
      webhookSecret: input.webhookSecret,
      settings: {
        company_record_ids: companyRecordIds,
        list,
        workspace_name: identity.workspace_name,
        workspace_slug: identity.workspace_slug,
      },
      schedule: {
        jobType: 'attio_sync',
        cadenceSeconds: deps.config.JOB_CADENCE_ATTIO_SYNC_SECONDS,
      },
      auditScope: { company_record_ids: companyRecordIds, list },
    },
    actor,
  );
}

function decryptAttio(row: WorkspaceSourceRow, secrets: Secrets): AttioSourceRecord {
  const { company_record_ids: ids, list } = attioSettings(row.settings);
  const { id, credential, webhookSecret } = decryptCommon(row, secrets);
  return {
    id,
    baseUrl: row.base_url,
    token: credential,
    workspaceId: row.external_id,
    webhookSecret,
    companyRecordIds: ids.length > 0 ? ids : null,
    list,
  };
}

const loaders = workspaceLoaders('attio_workspace', decryptAttio);

/** The active project's Attio source, decrypted, or null when none is bound. */
export const loadAttioSource = loaders.load;

/** A Attio source by id for its webhook receiver (no session; see findSourceForWebhook). */
export const loadAttioSourceForWebhook = loaders.forWebhook;

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
  const source = await loaders.bound(app.database, app.secrets, scope, sourceId);
  const identity = await checkAttioToken(
    app.hostPolicy,
    app.config,
    source.baseUrl,
    source.token,
    source.list,
  );
  if (identity.workspace_id !== source.workspaceId) {
    throw wrongWorkspace(WORDS, identity.workspace_name);
  }
  const warnings = webhookWarnings(source);
  return {
    reachable: true as const,
    source_kind: 'attio_workspace' as const,
    ...identity,
    warnings,
  };
}

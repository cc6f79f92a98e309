import { sql } from 'kysely';
import type { Database, Scope } from '../../db/database.js';
import { isUniqueViolation } from '../../http/database-errors.js';
import { AppError, notFound } from '../../http/errors.js';
import type { Actor } from '../../http/actor.js';
import { createGuardedHttp, type GuardedHttp } from '../../lib/net/guarded-http.js';
import type { HostPolicy } from '../../lib/net/host-policy.js';
import type { Secrets } from '../../lib/secrets.js';
import { recordAudit } from '../audit/service.js';
import { findSourceForWebhook, summaryColumns, type SourceSummary } from './service.js';

/**
 * The binding flow a workspace source kind shares (issue 18, item 2): Linear (linear-source.ts)
 * and Attio (attio-source.ts) differ only in how the credential is checked, which id names the
 * workspace and what the project covers. Everything else is here once: the interactive check's
 * guarded client and its plain error, the insert with its schedule and audit row, the unique-key
 * answers, and reading the row back.
 */

export type WorkspaceSourceKind = 'linear_workspace' | 'attio_workspace';

/** How a kind is named in what a person reads. */
export interface WorkspaceWords {
  /** `Linear`, `Attio`. */
  service: string;
  /** `API key`, `access token`. */
  credential: string;
  /** The short form: `key`, `token`. */
  short: string;
  /** `a Linear source`, `an Attio source`. */
  aSource: string;
}

// A bind or a connection test is interactive: one retry, and a person does not wait long.
export const INTERACTIVE_TIMEOUT_MS = 10_000;
export const INTERACTIVE_RETRIES = {
  maxRetries: 1,
  retryBaseMs: 200,
  retryMaxMs: 1_000,
  rateLimitWaitMaxMs: 2_000,
} as const;

/** What the connectors' client errors (LinearApiError, AttioApiError) have in common. */
interface UpstreamFailure {
  message: string;
  status: number | null;
  attempts: number;
  kind: string;
}

/**
 * Runs a credential check with a client on the guarded agent, closed after; a client error
 * becomes an `upstream_error` saying plainly what is wrong: the credential refused, the host
 * refused by the guard, rate limited, or the service not reachable.
 */
export async function checkInteractively<T>(
  hostPolicy: HostPolicy,
  words: WorkspaceWords,
  options: {
    isClientError: (error: unknown) => error is UpstreamFailure;
    /** HTTP statuses that mean the credential was refused (besides a kind of `auth`). */
    refusedStatuses: readonly number[];
  },
  check: (http: GuardedHttp) => Promise<T>,
): Promise<T> {
  const http = createGuardedHttp({ ...hostPolicy, totalTimeoutMs: INTERACTIVE_TIMEOUT_MS * 2 });
  try {
    return await check(http);
  } catch (error) {
    if (options.isClientError(error)) {
      const hint =
        error.kind === 'auth' ||
        (error.status !== null && options.refusedStatuses.includes(error.status))
          ? `${words.service} rejected the ${words.credential}`
          : error.kind === 'blocked'
            ? `${words.service} was not contacted`
            : error.kind === 'ratelimited'
              ? `${words.service} is rate limiting this ${words.short}; try again later`
              : `${words.service} could not be reached`;
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

/**
 * Stores a checked binding: the row (credential and webhook secret encrypted), one schedule for
 * the kind's sync due at once (the first sync follows the next tick), and the audit entry, in one
 * transaction. The workspace's unique key answers `source_already_bound`, a second source of the
 * kind in the project `conflict`.
 */
export async function insertWorkspaceSource(
  deps: { database: Database; secrets: Secrets },
  scope: Scope,
  input: {
    sourceKind: WorkspaceSourceKind;
    words: WorkspaceWords;
    externalId: string;
    baseUrl: string;
    credential: string;
    webhookSecret?: string;
    settings: Record<string, unknown>;
    schedule: { jobType: 'linear_sync' | 'attio_sync'; cadenceSeconds: number };
    /** What the project covers, for the audit entry (never the credential). */
    auditScope: Record<string, unknown>;
  },
  actor: Actor,
): Promise<SourceSummary> {
  const { database, secrets } = deps;
  try {
    return await database.withScope(scope, async (trx) => {
      const row = await trx
        .insertInto('project_sources')
        .values({
          project_id: scope.projectId,
          account_scope_id: scope.accountScopeId,
          source_kind: input.sourceKind,
          external_id: input.externalId,
          base_url: input.baseUrl,
          account_id: null,
          api_token_enc: secrets.encrypt(input.credential),
          webhook_secret_enc: input.webhookSecret ? secrets.encrypt(input.webhookSecret) : null,
          webhook_url_token_hash: null,
          settings: JSON.stringify(input.settings),
        })
        .returning(summaryColumns)
        .executeTakeFirstOrThrow();
      await sql`
        insert into scheduled_jobs (project_id, account_scope_id, job_type, cadence_seconds)
        values (${scope.projectId}::uuid, ${scope.accountScopeId}::uuid, ${input.schedule.jobType},
                ${input.schedule.cadenceSeconds})
        on conflict (project_id, job_type) do nothing`.execute(trx);
      await recordAudit(trx, {
        projectId: scope.projectId,
        accountScopeId: scope.accountScopeId,
        actor: actor.username,
        requestId: actor.requestId,
        action: 'source.bind',
        entityType: 'project_source',
        entityId: row.id,
        // The credential never enters the audit trail; only whether a webhook secret was given.
        payload: {
          source_kind: input.sourceKind,
          external_id: input.externalId,
          ...input.auditScope,
          webhook_secret_set: Boolean(input.webhookSecret),
        },
      });
      return row as SourceSummary;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'external_id')) {
      throw new AppError(
        'source_already_bound',
        `this ${input.words.service} workspace is already bound to a project`,
      );
    }
    if (isUniqueViolation(error)) {
      throw new AppError(
        'conflict',
        `this project already has ${input.words.aSource}; remove it first`,
      );
    }
    throw error;
  }
}

/** A workspace source's stored row, with the fields every kind decrypts from. */
export interface WorkspaceSourceRow {
  id: string;
  base_url: string;
  external_id: string;
  api_token_enc: string;
  webhook_secret_enc: string | null;
  settings: Record<string, unknown>;
}

/** What every kind's decrypted record holds besides its own settings. */
export function decryptCommon(row: WorkspaceSourceRow, secrets: Secrets) {
  return {
    id: row.id,
    credential: secrets.decrypt(row.api_token_enc),
    webhookSecret: row.webhook_secret_enc ? secrets.decrypt(row.webhook_secret_enc) : null,
  };
}

/** The active project's source of the kind, or undefined when none is bound. */
async function selectWorkspaceSource(
  database: Database,
  scope: Scope,
  sourceKind: WorkspaceSourceKind,
): Promise<WorkspaceSourceRow | undefined> {
  return database.withScope(scope, (trx) =>
    trx
      .selectFrom('project_sources')
      .selectAll()
      .where('project_id', '=', scope.projectId)
      .where('account_scope_id', '=', scope.accountScopeId)
      .where('source_kind', '=', sourceKind)
      .executeTakeFirst(),
  );
}

/** What a connection test warns about for every kind. */
export function webhookWarnings(source: { webhookSecret: string | null }): string[] {
  return source.webhookSecret
    ? []
    : ['no webhook secret is set: changes arrive with the next scheduled sync only'];
}

/** How a kind's source is read, given how its row is decrypted into the kind's record. */
export function workspaceLoaders<R extends { id: string }>(
  sourceKind: WorkspaceSourceKind,
  decrypt: (row: WorkspaceSourceRow, secrets: Secrets) => R,
) {
  /** The active project's source with its credential decrypted, or null when none is bound. */
  async function load(database: Database, secrets: Secrets, scope: Scope): Promise<R | null> {
    const row = await selectWorkspaceSource(database, scope, sourceKind);
    return row ? decrypt(row, secrets) : null;
  }
  return {
    load,
    /**
     * A source by id for its webhook receiver, which has no session: the owner connection reads
     * across projects here, and everything after runs inside the scope this returns.
     */
    async forWebhook(
      database: Database,
      secrets: Secrets,
      sourceId: string,
    ): Promise<{ source: R; scope: Scope } | null> {
      const found = await findSourceForWebhook(database, sourceId, sourceKind);
      return found ? { source: decrypt(found.row, secrets), scope: found.scope } : null;
    },
    /** The active project's source with this id, else 404 (another project's is not found). */
    async bound(database: Database, secrets: Secrets, scope: Scope, sourceId: string) {
      const source = await load(database, secrets, scope);
      if (!source || source.id !== sourceId) throw notFound('source');
      return source;
    },
  };
}

/** A connection test that reached a different workspace than the one bound. */
export function wrongWorkspace(words: WorkspaceWords, workspaceName: string): AppError {
  return new AppError(
    'upstream_error',
    `the ${words.credential} belongs to the ${words.service} workspace "${workspaceName}", not the one this source was bound to`,
  );
}

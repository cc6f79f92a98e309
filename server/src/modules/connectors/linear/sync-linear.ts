import type { Config } from '../../../config.js';
import type { Database, Scope } from '../../../db/database.js';
import { createGuardedHttp } from '../../../lib/net/guarded-http.js';
import type { HostResolver } from '../../../lib/net/host-policy.js';
import { deleteLinearChunks, writeLinearChunks } from './chunks.js';
import { LinearApiError, LinearClient, type LinearClientOptions, type Page } from './client.js';
import type { LinearEntityFilters, LinearEntityKind } from './documents.js';
import { normalize, type LinRows } from './normalize.js';
import { readWatermark, writeWatermark, type Watermark } from '../../ingest/watermarks.js';
import { deleteRows, storedIds, upsertRows } from './store.js';

export interface LinearSource {
  /** The GraphQL endpoint (https://api.linear.app/graphql, or a simulator's). */
  url: string;
  apiKey: string;
  /**
   * What the binding covers (POST /sources): issues of these teams or these projects, their
   * comments, and these projects. Both empty (the default): the whole workspace. Users and
   * customers are workspace-wide either way.
   */
  teamIds?: string[];
  projectIds?: string[];
}

/**
 * The binding's scope as a filter per kind (`IssueFilter`, `CommentFilter`, `ProjectFilter` of
 * Linear's schema, API-NOTES §3), or null where the kind is not narrowed. An issue is covered
 * when its team or its project is one of the binding's.
 */
export function scopeFilters(source: Pick<LinearSource, 'teamIds' | 'projectIds'>): {
  [K in LinearEntityKind]: LinearEntityFilters[K] | null;
} {
  const teams = source.teamIds ?? [];
  const projects = source.projectIds ?? [];
  const issue: LinearEntityFilters['issues'][] = [];
  if (teams.length > 0) issue.push({ team: { id: { in: teams } } });
  if (projects.length > 0) issue.push({ project: { id: { in: projects } } });
  const issueFilter = issue.length === 0 ? null : issue.length === 1 ? issue[0]! : { or: issue };
  return {
    users: null,
    customers: null,
    projects: projects.length > 0 ? { id: { in: projects } } : null,
    issues: issueFilter,
    comments: issueFilter ? { issue: issueFilter } : null,
  };
}

/** Whether an issue (its team and project ids) is inside the binding's scope. */
export function issueInScope(
  source: Pick<LinearSource, 'teamIds' | 'projectIds'>,
  issue: { teamId: string | null; projectId: string | null },
): boolean {
  const teams = source.teamIds ?? [];
  const projects = source.projectIds ?? [];
  if (teams.length === 0 && projects.length === 0) return true;
  return (
    (issue.teamId !== null && teams.includes(issue.teamId)) ||
    (issue.projectId !== null && projects.includes(issue.projectId))
  );
}

export interface LinearSyncOptions {
  database: Database;
  scope: Scope;
  source: LinearSource;
  config: Pick<
    Config,
    | 'SOURCE_HOST_ALLOWLIST'
    | 'LINEAR_LOOKBACK_SECONDS'
    | 'LINEAR_TIMEOUT_MS'
    | 'LINEAR_MAX_RETRIES'
    | 'LINEAR_RATE_LIMIT_WAIT_MAX_MS'
    | 'LINEAR_ID_LISTING_HOURS'
    | 'CHUNK_SIZE'
    | 'MIN_EMBED_CHARS'
  >;
  /** Force (or skip) the id listing that finds hard deletes; by default it runs when due. */
  listIds?: boolean;
  signal?: AbortSignal;
  resolveHost?: HostResolver;
  /** Test hooks for the client (fast backoff). */
  client?: Partial<LinearClientOptions>;
  now?: () => number;
}

export interface LinearKindCounts {
  read: number;
  inserted: number;
  updated: number;
  deleted: number;
}

export interface LinearSyncCounts {
  organization_id: string;
  mode: 'full' | 'incremental';
  ids_listed: boolean;
  kinds: Record<LinearEntityKind, LinearKindCounts>;
  requests: number;
  complexity: number;
  rate_limited: number;
}

export class LinearSyncError extends Error {
  constructor(
    message: string,
    readonly counts: LinearSyncCounts | null,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'LinearSyncError';
  }
}

/** Users and customers first: issues and comments point at them. */
export const SYNC_ORDER: LinearEntityKind[] = [
  'users',
  'customers',
  'projects',
  'issues',
  'comments',
];

/**
 * Pulls one Linear workspace into the project's lin_* tables (facts: API-NOTES §2–§4).
 *
 * - Each kind is read ordered by `updatedAt`, archived included, pages of 100. The first run reads
 *   everything; later runs ask for `updatedAt > watermark − LINEAR_LOOKBACK_SECONDS`.
 * - Every page is written in its own short transaction, comparing content hashes so unchanged
 *   entities are not written. A kind's watermark (the largest `updatedAt` seen) moves only after
 *   all its pages are committed, so a run that fails or is killed is resumed by the next one and
 *   re-reading is harmless.
 * - Hard deletes never show in an `updatedAt` read: a listing of all ids (cheap, 250 a page) runs
 *   when the last one is older than LINEAR_ID_LISTING_HOURS, and rows whose id is gone are deleted.
 */
export async function syncLinear(options: LinearSyncOptions): Promise<LinearSyncCounts> {
  const http = createGuardedHttp({
    allowlist: options.config.SOURCE_HOST_ALLOWLIST,
    resolve: options.resolveHost,
  });
  const api = new LinearClient({
    http,
    url: options.source.url,
    apiKey: options.source.apiKey,
    timeoutMs: options.config.LINEAR_TIMEOUT_MS,
    maxRetries: options.config.LINEAR_MAX_RETRIES,
    rateLimitWaitMaxMs: options.config.LINEAR_RATE_LIMIT_WAIT_MAX_MS,
    signal: options.signal,
    ...options.client,
  });
  let counts: LinearSyncCounts | null = null;
  try {
    const { organization } = await api.organization();
    counts = emptyCounts(organization.id);
    await syncWith(options, api, counts);
    return counts;
  } catch (error) {
    if (error instanceof LinearSyncError) throw error;
    const message =
      error instanceof LinearApiError ? error.message : `Linear sync failed: ${String(error)}`;
    throw new LinearSyncError(message, counts, error);
  } finally {
    if (counts) {
      counts.requests = api.usage.requests;
      counts.complexity = api.usage.complexity;
      counts.rate_limited = api.usage.rateLimited;
    }
    await http.close();
  }
}

async function syncWith(options: LinearSyncOptions, api: LinearClient, counts: LinearSyncCounts) {
  const { database, scope, config } = options;
  const now = (options.now ?? Date.now)();
  const org = counts.organization_id;
  const idsSource = `linear:${org}:ids`;
  const marks = await database.withScope(scope, async (trx) => {
    const out = {} as Record<LinearEntityKind, Watermark | null>;
    for (const kind of SYNC_ORDER)
      out[kind] = await readWatermark(trx, scope, `linear:${org}:${kind}`);
    return { kinds: out, ids: await readWatermark(trx, scope, idsSource) };
  });
  counts.mode = SYNC_ORDER.some((k) => marks.kinds[k]?.cursor_id) ? 'incremental' : 'full';

  for (const kind of SYNC_ORDER) {
    const cursor = marks.kinds[kind]?.cursor_id ?? null;
    const since = cursor
      ? new Date(Date.parse(cursor) - config.LINEAR_LOOKBACK_SECONDS * 1000).toISOString()
      : null;
    const max = await readKind(options, api, kind, org, since, counts.kinds[kind]);
    const next = max && (!cursor || max > cursor) ? max : cursor;
    if (next !== cursor) {
      await database.withScope(scope, (trx) =>
        // The cursor is Linear's own ISO `updatedAt` text in cursor_id, so no precision is lost.
        writeWatermark(trx, scope, `linear:${org}:${kind}`, {
          cursor_ts: next ? new Date(next) : null,
          cursor_id: next,
          meta: {},
        }),
      );
    }
  }

  const lastListed = Number(marks.ids?.meta['listed_at'] ?? 0);
  const due =
    options.listIds ??
    (counts.mode === 'incremental' &&
      now - lastListed >= config.LINEAR_ID_LISTING_HOURS * 3_600_000);
  // What Linear reports per kind, for completeness (GET /sources/:id/completeness): the ids a
  // listing saw, or every entity a full read saw; between listings, the last figure plus the
  // entities that were new since.
  const before = (marks.ids?.meta['reported'] ?? {}) as Partial<Record<LinearEntityKind, number>>;
  const reported = {} as Record<LinearEntityKind, number>;
  for (const kind of SYNC_ORDER) {
    reported[kind] =
      counts.mode === 'full'
        ? counts.kinds[kind].read
        : (before[kind] ?? 0) + counts.kinds[kind].inserted;
  }
  if (due) {
    counts.ids_listed = true;
    for (const kind of SYNC_ORDER) {
      const { deleted, live } = await removeDeleted(options, api, kind);
      counts.kinds[kind].deleted = deleted;
      reported[kind] = live;
    }
  }
  // A full read has seen every id, so it counts as a listing.
  const listedAt = due || counts.mode === 'full' ? now : (marks.ids?.meta['listed_at'] ?? null);
  await database.withScope(scope, (trx) =>
    writeWatermark(trx, scope, idsSource, {
      cursor_ts: null,
      cursor_id: null,
      meta: { listed_at: listedAt, reported, synced_at: now },
    }),
  );
}

/** Every page of one kind since `since`; returns the largest `updatedAt` read. */
async function readKind<K extends LinearEntityKind>(
  options: LinearSyncOptions,
  api: LinearClient,
  kind: K,
  org: string,
  since: string | null,
  tally: LinearKindCounts,
): Promise<string | null> {
  const { database, scope } = options;
  const toRow = normalize[kind] as (org: string, node: unknown) => LinRows[K];
  let after: string | null = null;
  let max: string | null = null;
  for (;;) {
    const page: Page<unknown> = await api.list(kind, {
      after,
      updatedAfter: since,
      filter: scopeFilters(options.source)[kind],
    });
    const rows = page.nodes.map((node: unknown) => toRow(org, node));
    tally.read += rows.length;
    for (const row of rows) if (!max || row.source_updated_at > max) max = row.source_updated_at;
    // Rows and their chunks commit together: a search never sees an issue without its text.
    const written = await database.withScope(scope, async (trx) => {
      const result = await upsertRows(trx, scope, kind, rows);
      if (kind === 'issues' || kind === 'comments') {
        await writeLinearChunks(trx, scope, options.config, {
          [kind]: result.written,
          inserted: result.insertedIds,
        });
      }
      return result;
    });
    tally.inserted += written.inserted;
    tally.updated += written.updated;
    if (!page.hasNextPage || !page.endCursor) return max;
    after = page.endCursor;
  }
}

/** Lists every id of a kind and deletes the stored rows Linear no longer has. */
async function removeDeleted(
  options: LinearSyncOptions,
  api: LinearClient,
  kind: LinearEntityKind,
): Promise<{ deleted: number; live: number }> {
  const { database, scope } = options;
  const live = new Set<string>();
  let after: string | null = null;
  for (;;) {
    // Scoped like the reads: an entity that left the binding's scope is removed like a deleted one.
    const page: Page<{ id: string }> = await api.listIds(kind, {
      after,
      filter: scopeFilters(options.source)[kind],
    });
    for (const node of page.nodes) live.add(node.id);
    if (!page.hasNextPage || !page.endCursor) break;
    after = page.endCursor;
  }
  return database.withScope(scope, async (trx) => {
    const gone = (await storedIds(trx, scope, kind)).filter((id) => !live.has(id));
    if (kind === 'issues' || kind === 'comments') await deleteLinearChunks(trx, scope, kind, gone);
    return { deleted: await deleteRows(trx, scope, kind, gone), live: live.size };
  });
}

function emptyCounts(organizationId: string): LinearSyncCounts {
  const kinds = {} as Record<LinearEntityKind, LinearKindCounts>;
  for (const kind of SYNC_ORDER) kinds[kind] = { read: 0, inserted: 0, updated: 0, deleted: 0 };
  return {
    organization_id: organizationId,
    mode: 'full',
    ids_listed: false,
    kinds,
    requests: 0,
    complexity: 0,
    rate_limited: 0,
  };
}

import type { Config } from '../../../config.js';
import type { Database, Scope } from '../../../db/database.js';
import { createGuardedHttp } from '../../../lib/net/guarded-http.js';
import { scrubJson } from '../../../lib/text.js';
import type { HostResolver } from '../../../lib/net/host-policy.js';
import { deleteAttioChunks, writeAttioChunks } from './chunks.js';
import {
  AttioApiError,
  AttioClient,
  LIST_ENTRIES_PAGE_SIZE,
  NOTES_PAGE_SIZE,
  TASKS_PAGE_SIZE,
  type AttioClientOptions,
  type AttioObject,
} from './client.js';
import { normalize, type AttioEntityKind, type AttRows } from './normalize.js';
import { deleteRows, storedHashes, storedIds, upsertRows, writeReported } from './store.js';

export interface AttioSource {
  /** The API base (https://api.attio.com, or a simulator's); paths are under /v2. */
  baseUrl: string;
  token: string;
  /**
   * Only these companies with their people (`company`), deals (`associated_company`), and the
   * notes and tasks of all of them; null or absent: the whole workspace.
   */
  companyRecordIds?: string[] | null;
  /**
   * An Attio list of companies (its id or api_slug): its entries' companies are in scope too, read
   * again each run, so a company taken out of the list leaves with its rows at the next run. With
   * companyRecordIds as well, the scope is the union of both.
   */
  list?: string | null;
}

export interface AttioSyncOptions {
  database: Database;
  scope: Scope;
  source: AttioSource;
  config: Pick<
    Config,
    | 'SOURCE_HOST_ALLOWLIST'
    | 'ATTIO_TIMEOUT_MS'
    | 'ATTIO_MAX_RETRIES'
    | 'ATTIO_RATE_LIMIT_WAIT_MAX_MS'
    | 'ATTIO_RECORDS_PAGE_SIZE'
    | 'CHUNK_SIZE'
  >;
  signal?: AbortSignal;
  resolveHost?: HostResolver;
  /** Test hooks for the client (fast backoff). */
  client?: Partial<AttioClientOptions>;
}

export interface AttioKindCounts {
  read: number;
  inserted: number;
  updated: number;
  deleted: number;
}

export interface AttioSyncCounts {
  workspace_id: string;
  workspace_slug: string;
  scoped: boolean;
  kinds: Record<AttioEntityKind, AttioKindCounts>;
  /** Listings read twice because they would have deleted many rows (see removeGone). */
  relisted: AttioEntityKind[];
  /** Per kind, how many entities the run's complete listings held (completeness.ts). */
  reported: Partial<Record<AttioEntityKind, number>>;
  requests: number;
  rate_limited: number;
}

export class AttioSyncError extends Error {
  constructor(
    message: string,
    readonly counts: AttioSyncCounts | null,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'AttioSyncError';
  }
}

/** Records first: scoped notes and tasks are listed per record read. */
export const SYNC_ORDER: AttioEntityKind[] = [
  'members',
  'companies',
  'people',
  'deals',
  'notes',
  'tasks',
];

/**
 * Gone ids up to this many are confirmed one by one (a 404, or the record now outside the
 * scope); more are confirmed by a second complete listing. Either way a page that came back
 * short or empty by mistake (the simulator's `empty_page` fault) never deletes what still exists.
 */
const CONFIRM_ONE_BY_ONE_MAX = 50;

type RecordKind = AttioObject;
const RECORD_KINDS: RecordKind[] = ['companies', 'people', 'deals'];
const isRecordKind = (kind: AttioEntityKind): kind is RecordKind =>
  (RECORD_KINDS as AttioEntityKind[]).includes(kind);

/** A record in scope: notes and tasks of it are synced. */
interface ScopeRecord {
  object: RecordKind;
  id: string;
}

interface RunState {
  options: AttioSyncOptions;
  api: AttioClient;
  counts: AttioSyncCounts;
  /** Null: the whole workspace. */
  companies: Set<string> | null;
  /** Records of this run's listings, for scoped notes and tasks. */
  records: ScopeRecord[];
  recordIds: Set<string>;
}

/**
 * Pulls one Attio workspace (or the chosen companies of it) into the project's att_* tables
 * (facts: API-NOTES §3–§4).
 *
 * - Attio has no updated-since filter, so every run lists everything in scope with limit/offset
 *   (records 500 a page, notes 50, tasks 500) and writes only rows whose content hash changed:
 *   a re-sync with no changes writes nothing.
 * - Every page is written in its own short transaction, chunks of notes and tasks with it. A
 *   run that fails or is killed leaves what it committed; the next run re-reads everything and
 *   converges.
 * - Deletes: rows absent from a complete listing, confirmed (CONFIRM_ONE_BY_ONE_MAX), are
 *   deleted with their chunks.
 */
export async function syncAttio(options: AttioSyncOptions): Promise<AttioSyncCounts> {
  const http = createGuardedHttp({
    allowlist: options.config.SOURCE_HOST_ALLOWLIST,
    resolve: options.resolveHost,
  });
  const api = new AttioClient({
    fetch: http.fetch,
    baseUrl: options.source.baseUrl,
    token: options.source.token,
    timeoutMs: options.config.ATTIO_TIMEOUT_MS,
    maxRetries: options.config.ATTIO_MAX_RETRIES,
    rateLimitWaitMaxMs: options.config.ATTIO_RATE_LIMIT_WAIT_MAX_MS,
    signal: options.signal,
    ...options.client,
  });
  let counts: AttioSyncCounts | null = null;
  try {
    const self = await api.self();
    if (!self.active) {
      throw new AttioSyncError(
        'Attio sync failed: the access token is not active (revoked or expired); GET /v2/self answered {active: false}',
        null,
      );
    }
    const companies = await scopeCompanies(api, options.source);
    counts = emptyCounts(self.workspace_id, self.workspace_slug, companies !== null);
    const state: RunState = {
      options,
      api,
      counts,
      companies,
      records: [],
      recordIds: new Set(),
    };
    for (const kind of SYNC_ORDER) await syncKind(state, kind);
    // What this complete run saw is what completeness compares the stored rows with.
    await options.database.withScope(options.scope, (trx) =>
      writeReported(trx, options.scope, self.workspace_id, counts!.reported),
    );
    return counts;
  } catch (error) {
    if (error instanceof AttioSyncError) throw error;
    const message =
      error instanceof AttioApiError ? error.message : `Attio sync failed: ${String(error)}`;
    throw new AttioSyncError(message, counts, error);
  } finally {
    if (counts) {
      counts.requests = api.usage.requests;
      counts.rate_limited = api.usage.rateLimited;
    }
    await http.close();
  }
}

/**
 * The companies in scope this run: the chosen ids and the companies of the list's entries (read
 * whole before anything is written, so a list Attio no longer has fails the run instead of
 * emptying the project); null when neither is given (the whole workspace).
 */
async function scopeCompanies(api: AttioClient, source: AttioSource): Promise<Set<string> | null> {
  const ids = source.companyRecordIds;
  if (!ids && !source.list) return null;
  const companies = new Set(ids ?? []);
  if (source.list) {
    const list = source.list;
    const limit = LIST_ENTRIES_PAGE_SIZE;
    await pages(
      limit,
      (offset) => api.queryListEntries(list, { limit, offset }),
      async (entries) => {
        for (const entry of entries) companies.add(entry.parent_record_id);
      },
    );
  }
  return companies;
}

async function syncKind(state: RunState, kind: AttioEntityKind): Promise<void> {
  // A scope with no company chosen: nothing but the members to list (and a filter `$in: []`
  // may be refused).
  if (state.companies?.size === 0 && kind !== 'members') {
    await removeGone(state, kind, new Set());
    state.counts.reported[kind] = 0;
    return;
  }
  const seen = await listKind(state, kind);
  const live = await removeGone(state, kind, seen);
  state.counts.reported[kind] = live.size;
  if (!isRecordKind(kind)) return;
  for (const id of live) {
    state.records.push({ object: kind, id });
    state.recordIds.add(id);
  }
}

/** One complete listing of a kind, every page upserted as it arrives; returns the ids read. */
async function listKind(state: RunState, kind: AttioEntityKind): Promise<Set<string>> {
  const seen = new Set<string>();
  const { api, options } = state;
  const write = (items: unknown[]) => writePage(state, kind, items, seen);

  if (kind === 'members') {
    await write(await api.listMembers());
  } else if (isRecordKind(kind)) {
    const limit = options.config.ATTIO_RECORDS_PAGE_SIZE;
    const filter = state.companies ? scopeFilter(kind, [...state.companies]) : undefined;
    await pages(limit, (offset) => api.queryRecords(kind, { limit, offset }, filter), write);
  } else {
    const [limit, list] =
      kind === 'notes'
        ? ([NOTES_PAGE_SIZE, api.listNotes.bind(api)] as const)
        : ([TASKS_PAGE_SIZE, api.listTasks.bind(api)] as const);
    if (!state.companies) {
      await pages(limit, (offset) => list({ limit, offset }), write);
    } else {
      // Scoped: one listing per record in scope (`parent_*` / `linked_*` filters).
      for (const record of state.records) {
        const parent = { object: record.object, recordId: record.id };
        await pages(limit, (offset) => list({ limit, offset }, parent), write);
      }
    }
  }
  return seen;
}

/** Offset paging: a page shorter than `limit` is the last (API-NOTES §4). */
async function pages<T>(
  limit: number,
  fetchPage: (offset: number) => Promise<T[]>,
  write: (items: T[]) => Promise<void>,
): Promise<void> {
  for (let offset = 0; ; offset += limit) {
    const items = await fetchPage(offset);
    await write(items);
    if (items.length < limit) return;
  }
}

/** Normalizes, drops repeats (offset pages shift when the CRM changes mid-listing), upserts. */
async function writePage(
  state: RunState,
  kind: AttioEntityKind,
  items: unknown[],
  seen: Set<string>,
): Promise<void> {
  const { database, scope, config } = state.options;
  const toRow = normalize[kind] as (item: unknown) => AttRows[typeof kind];
  const tally = state.counts.kinds[kind];
  const rows: AttRows[typeof kind][] = [];
  for (const item of items) {
    // Text Postgres cannot store (NUL, lone surrogates) becomes U+FFFD, as the webhook does.
    const row = toRow(scrubJson(item));
    tally.read++;
    if (seen.has(row.id) || !inScope(state, kind, row)) continue;
    seen.add(row.id);
    rows.push(row);
  }
  if (rows.length === 0) return;
  // Rows and their chunks commit together: a search never sees a note without its text.
  const result = await database.withScope(scope, async (trx) => {
    // Every run reads everything: compare hashes here first, so an unchanged page costs one
    // index lookup instead of shipping its rows to the database to be refused there.
    const hashes = await storedHashes(
      trx,
      scope,
      kind,
      rows.map((r) => r.id),
    );
    const changed = rows.filter((r) => hashes.get(r.id) !== r.content_hash);
    const written = await upsertRows(trx, scope, kind, changed);
    if (kind === 'notes' || kind === 'tasks') {
      await writeAttioChunks(trx, scope, config, {
        [kind]: written.written,
        inserted: written.insertedIds,
      });
    }
    return written;
  });
  tally.inserted += result.inserted;
  tally.updated += result.updated;
}

/**
 * Deletes the stored rows of a kind that a complete listing did not return, once confirmed:
 * few are fetched one by one (gone = 404 or outside the scope; still there = written, the
 * listing missed it), many are confirmed by listing again. Returns the ids that are live.
 */
async function removeGone(
  state: RunState,
  kind: AttioEntityKind,
  seen: Set<string>,
): Promise<Set<string>> {
  const { database, scope } = state.options;
  const stored = await database.withScope(scope, (trx) => storedIds(trx, scope, kind));
  let gone = stored.filter((id) => !seen.has(id));
  if (gone.length === 0) return seen;
  const live = new Set(seen);
  if (state.companies?.size === 0 && kind !== 'members') {
    // Nothing is in scope: every stored row goes, no need to ask.
  } else if (gone.length > CONFIRM_ONE_BY_ONE_MAX) {
    state.counts.relisted.push(kind);
    for (const id of await listKind(state, kind)) live.add(id);
    gone = gone.filter((id) => !live.has(id));
  } else {
    const confirmed: string[] = [];
    for (const id of gone) {
      const current = await fetchOne(state, kind, id);
      if (current === null) confirmed.push(id);
      else {
        live.add(id);
        await writePage(state, kind, [current], new Set());
      }
    }
    gone = confirmed;
  }
  if (gone.length > 0) {
    const deleted = await database.withScope(scope, async (trx) => {
      if (kind === 'notes' || kind === 'tasks') await deleteAttioChunks(trx, scope, kind, gone);
      return deleteRows(trx, scope, kind, gone);
    });
    state.counts.kinds[kind].deleted += deleted;
  }
  return live;
}

/** The entity as Attio has it now, or null when it is gone or outside the scope. */
async function fetchOne(state: RunState, kind: AttioEntityKind, id: string): Promise<unknown> {
  const { api } = state;
  const item =
    kind === 'members'
      ? await api.getMember(id)
      : kind === 'notes'
        ? await api.getNote(id)
        : kind === 'tasks'
          ? await api.getTask(id)
          : await api.getRecord(kind, id);
  if (item === null) return null;
  const row = (normalize[kind] as (item: unknown) => AttRows[typeof kind])(scrubJson(item));
  return inScope(state, kind, row) ? item : null;
}

function inScope(state: RunState, kind: AttioEntityKind, row: AttRows[AttioEntityKind]): boolean {
  const companies = state.companies;
  if (!companies) return true;
  switch (kind) {
    case 'members':
      return true;
    case 'companies':
      return companies.has(row.id);
    case 'people':
    case 'deals':
      return companies.has((row as AttRows['people' | 'deals']).company_id ?? '');
    case 'notes':
      return state.recordIds.has((row as AttRows['notes']).parent_record_id);
    case 'tasks':
      return (row as AttRows['tasks']).linked_record_ids.some((id) => state.recordIds.has(id));
  }
}

/** The records query filter of a scope (API-NOTES §4: verbose `$in` on a field of the value). */
function scopeFilter(kind: RecordKind, companyIds: string[]): Record<string, unknown> {
  switch (kind) {
    case 'companies':
      return { record_id: { $in: companyIds } };
    case 'people':
      return { company: { target_record_id: { $in: companyIds } } };
    case 'deals':
      return { associated_company: { target_record_id: { $in: companyIds } } };
  }
}

function emptyCounts(workspaceId: string, slug: string, scoped: boolean): AttioSyncCounts {
  const kinds = {} as Record<AttioEntityKind, AttioKindCounts>;
  for (const kind of SYNC_ORDER) kinds[kind] = { read: 0, inserted: 0, updated: 0, deleted: 0 };
  return {
    workspace_id: workspaceId,
    workspace_slug: slug,
    scoped,
    kinds,
    relisted: [],
    reported: {},
    requests: 0,
    rate_limited: 0,
  };
}

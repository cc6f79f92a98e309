import type { Config } from '../../../config.js';
import type { Database, Scope } from '../../../db/database.js';
import { createGuardedHttp, type GuardedHttp } from '../../../lib/net/guarded-http.js';
import type { HostResolver } from '../../../lib/net/host-policy.js';
import type { ChatwootSource } from '../../sources/service.js';
import {
  ChatwootApiError,
  ChatwootClient,
  CONTACTS_PAGE_SIZE,
  CONVERSATIONS_PAGE_SIZE,
  MESSAGES_RANGE_PAGE_SIZE,
  type ChatwootClientOptions,
  type ChatwootContact,
  type ChatwootConversation,
  type ChatwootMessage,
} from './client.js';
import { conversationGlobalId, watermarkSource } from './ids.js';
import { runMessagesAppliedHooks, type IngestSubscribers } from '../../ingest/events.js';
import { readWatermark, writeWatermark, type Watermark } from '../../ingest/watermarks.js';
import { WritePipeline } from '../../ingest/write-pipeline.js';
import {
  applyConversations,
  applyFetchedConversations,
  type FetchedConversation,
} from './apply.js';
import { toContactRow, type Ids } from './normalize.js';
import { readIncompleteConversations, readLedger, upsertContacts } from './sql.js';
import { chatwootSeconds, parseChatwootTime } from './time.js';

export type SyncPhase = 'contacts' | 'conversations' | 'messages' | 'done';

export interface SyncCounts {
  mode: 'full' | 'incremental';
  contacts: number;
  contacts_written: number;
  conversations: number;
  conversations_written: number;
  conversations_fetched: number;
  conversations_failed: number;
  messages_fetched: number;
  messages_inserted: number;
  messages_updated: number;
  messages_deleted: number;
  chunks_created: number;
  chunks_reset: number;
  chunks_removed: number;
  requests: number;
}

/** A run that committed what it could but could not cover everything; the watermark stayed put. */
export class ChatwootSyncError extends Error {
  constructor(
    message: string,
    readonly counts: SyncCounts,
    readonly failures: string[],
  ) {
    super(message);
    this.name = 'ChatwootSyncError';
  }
}

/** The ingest subscribers run in each write transaction (ingest/events.ts). */
export interface SyncOptions extends IngestSubscribers {
  database: Database;
  config: Pick<
    Config,
    | 'CHATWOOT_PAGES_LIMIT'
    | 'CHATWOOT_MESSAGES_LIMIT'
    | 'CHATWOOT_LOOKBACK_DAYS'
    | 'CHATWOOT_TIMEOUT_MS'
    | 'CHATWOOT_MAX_RETRIES'
    | 'CHATWOOT_CONCURRENCY'
    | 'CHUNK_SIZE'
    | 'MIN_EMBED_CHARS'
    | 'SOURCE_HOST_ALLOWLIST'
  >;
  scope: Scope;
  source: Pick<ChatwootSource, 'baseUrl' | 'accountId' | 'apiToken'>;
  signal?: AbortSignal;
  onProgress?: (processed: number, total: number | null, phase: SyncPhase) => void;
  /** Backoff tuning, for tests that inject faults and should not wait a minute. */
  client?: Pick<ChatwootClientOptions, 'retryBaseMs' | 'retryMaxMs' | 'onRetry'>;
  /** Messages per write transaction (default WRITE_BATCH_MESSAGES). */
  writeBatchMessages?: number;
  /** Resolves host names for the outbound guard; tests inject one. */
  resolveHost?: HostResolver;
}

// One transaction per ~2,000 messages: large enough that per-statement overhead vanishes, small
// enough that the embedded database (one session) is never held for long and a kill loses little.
const WRITE_BATCH_MESSAGES = 2_000;
const WRITE_BATCH_CONVERSATIONS = 500;
// Two write transactions in flight (the embedded database runs them one after the other anyway).
const WRITE_CONCURRENCY = 2;
const CONTACT_WRITE_BATCH = 1_000;

/**
 * Pulls one Chatwoot account into the project's raw tables.
 *
 * - Contacts come from the contacts list (every page, fetched in parallel) and from each
 *   conversation's `meta.sender`, because the list omits contacts with no email, phone or
 *   identifier (docs/chatwoot.md §6).
 * - Conversations are listed newest activity first with `status=all` (§3). The first run lists them
 *   all; later runs stop at the watermark minus CHATWOOT_LOOKBACK_DAYS and add `updated_within`,
 *   which also catches older conversations whose messages were edited or deleted.
 * - A conversation's messages are fetched in full (id ranges of 1,000 from the first message) when
 *   its `updated_at` differs from the one its last complete fetch answered to. A full fetch is what
 *   lets edits and deletions be seen at all: neither moves any cursor.
 * - Every write is a short transaction after the fetches it covers; the per-conversation ledger
 *   row commits with the messages, so a killed run resumes exactly where it stopped, and the
 *   watermark moves only when the whole run succeeded.
 */
export async function syncChatwoot(options: SyncOptions): Promise<SyncCounts> {
  // The source's base URL is user input: every request of the run goes through one guarded agent.
  const http = createGuardedHttp({
    allowlist: options.config.SOURCE_HOST_ALLOWLIST,
    resolve: options.resolveHost,
  });
  try {
    return await syncWith(options, http);
  } finally {
    await http.close();
  }
}

async function syncWith(options: SyncOptions, http: GuardedHttp): Promise<SyncCounts> {
  const { database, scope, source } = options;
  const run = startRun(options, http);
  const wmSource = watermarkSource(source.accountId);
  const watermark = await database.withScope(scope, (trx) => readWatermark(trx, scope, wmSource));
  run.counts.mode = watermark ? 'incremental' : 'full';

  await syncContacts(run);
  const listing = await listConversationsOrFail(run, watermark);
  await writeConversations(run, listing.conversations);
  const due = await conversationsDue(run, listing.conversations);
  await fetchAndApplyMessages(run, due);

  const { counts, failures } = run;
  counts.requests = run.requests();
  if (failures.length > 0) {
    throw new ChatwootSyncError(
      `sync incomplete, ${failures.length} failure${failures.length === 1 ? '' : 's'}; the next run retries them: ${failures.slice(0, 5).join('; ')}`,
      counts,
      failures,
    );
  }
  const next = nextWatermark(watermark, listing, counts);
  await database.withScope(scope, (trx) => writeWatermark(trx, scope, wmSource, next));
  run.progress(due.length, due.length, 'done');
  return counts;
}

/** What every step of one run shares. */
interface SyncRun extends SyncOptions {
  ids: Ids;
  api: ChatwootClient;
  counts: SyncCounts;
  failures: string[];
  progress: NonNullable<SyncOptions['onProgress']>;
  requests: () => number;
}

function startRun(options: SyncOptions, http: GuardedHttp): SyncRun {
  const { config, source } = options;
  const client = new ChatwootClient({
    fetch: http.fetch,
    baseUrl: source.baseUrl,
    accountId: source.accountId,
    apiToken: source.apiToken,
    timeoutMs: config.CHATWOOT_TIMEOUT_MS,
    maxRetries: config.CHATWOOT_MAX_RETRIES,
    concurrency: config.CHATWOOT_CONCURRENCY,
    signal: options.signal,
    ...options.client,
  });
  return {
    ...options,
    ids: { projectId: options.scope.projectId, accountId: source.accountId },
    api: client,
    counts: emptyCounts(),
    failures: [],
    progress: options.onProgress ?? (() => undefined),
    requests: countRequests(client),
  };
}

/** The contacts list; a failed page is recorded and the run goes on (conversations carry senders). */
async function syncContacts(run: SyncRun): Promise<void> {
  const { database, scope, signal, counts } = run;
  run.progress(0, null, 'contacts');
  try {
    const contacts = await listAllContacts(run.api, run.config.CHATWOOT_PAGES_LIMIT);
    counts.contacts = contacts.length;
    for (let i = 0; i < contacts.length; i += CONTACT_WRITE_BATCH) {
      throwIfAborted(signal);
      const rows = contacts
        .slice(i, i + CONTACT_WRITE_BATCH)
        .map((c) => toContactRow(run.ids, c, 'contacts_list'));
      const written = await database.withScope(scope, (trx) => upsertContacts(trx, scope, rows));
      counts.contacts_written += written.inserted + written.updated;
      run.progress(Math.min(i + CONTACT_WRITE_BATCH, contacts.length), contacts.length, 'contacts');
    }
  } catch (error) {
    if (isAbort(error, signal)) throw abortError(counts, run.requests());
    run.failures.push(describe(error));
  }
}

/** Without the conversation list there is nothing to reconcile: the run fails here. */
async function listConversationsOrFail(run: SyncRun, watermark: Watermark | null) {
  run.progress(0, null, 'conversations');
  const listing = await listConversations(run.api, run.config, watermark).catch(
    (error: unknown) => {
      if (isAbort(error, run.signal)) throw abortError(run.counts, run.requests());
      throw new ChatwootSyncError(
        `conversation list failed: ${describe(error)}`,
        { ...run.counts, requests: run.requests() },
        [...run.failures, describe(error)],
      );
    },
  );
  run.counts.conversations = listing.conversations.length;
  return listing;
}

/** The listing's view of every conversation (row, senders, ledger source side) in batches. */
async function writeConversations(run: SyncRun, conversations: ChatwootConversation[]) {
  const { database, scope, signal, counts } = run;
  const writes = new WritePipeline(WRITE_CONCURRENCY);
  let done = 0;
  for (let i = 0; i < conversations.length && !writes.failed; i += WRITE_BATCH_CONVERSATIONS) {
    if (signal?.aborted) await writes.drain().catch(() => undefined);
    throwIfAborted(signal, counts, run.requests);
    const batch = conversations.slice(i, i + WRITE_BATCH_CONVERSATIONS);
    await writes.start(async () => {
      counts.conversations_written += await database.withScope(scope, (trx) =>
        applyConversations(trx, scope, run.ids, batch),
      );
      done += batch.length;
      run.progress(done, conversations.length, 'conversations');
    });
  }
  await writes.drain();
}

/**
 * Listed conversations whose `updated_at` differs from the one their last complete fetch answered
 * to, plus those an earlier run left incomplete even when the listing window (watermark minus
 * lookback) no longer reaches them.
 */
async function conversationsDue(
  run: SyncRun,
  conversations: ChatwootConversation[],
): Promise<ChatwootConversation[]> {
  const { database, scope, source } = run;
  const globalId = (c: ChatwootConversation) =>
    conversationGlobalId(scope.projectId, source.accountId, c.id);
  const { ledger, incomplete } = await database.withScope(scope, async (trx) => ({
    ledger: await readLedger(trx, scope, conversations.map(globalId)),
    incomplete: await readIncompleteConversations(trx, scope, source.accountId),
  }));
  const due = conversations.filter((conversation) => {
    const state = ledger.get(globalId(conversation));
    return (
      !state ||
      !state.fetched_complete ||
      state.synced_updated_at !== chatwootSeconds(conversation.updated_at)
    );
  });
  const listed = new Set(conversations.map((c) => c.id));
  return [...due, ...incomplete.filter((c) => !listed.has(c.id))];
}

/** Moves only forward; reduce rather than Math.max(...) so a huge account cannot overflow the stack. */
function nextWatermark(
  previous: Watermark | null,
  listing: Listing,
  counts: SyncCounts,
): Watermark {
  const newest = (read: (c: ChatwootConversation) => number | null) =>
    listing.conversations.reduce((max, c) => Math.max(max, read(c) ?? 0), 0);
  const previousActivity = previous?.cursor_ts ? previous.cursor_ts.getTime() / 1000 : 0;
  return {
    cursor_ts: new Date(Math.max(previousActivity, newest(activitySeconds)) * 1000),
    cursor_id:
      listing.newestConversationId === null
        ? (previous?.cursor_id ?? null)
        : String(listing.newestConversationId),
    meta: {
      max_updated_at: Math.max(
        previous?.meta.max_updated_at ?? 0,
        newest((c) => chatwootSeconds(c.updated_at)),
      ),
      last_mode: counts.mode,
      last_counts: counts,
    },
  };
}

async function fetchAndApplyMessages(run: SyncRun, due: ChatwootConversation[]) {
  const { database, config, scope, signal, api: client, counts, failures, progress, ids } = run;
  let buffer: FetchedConversation[] = [];
  let buffered = 0;
  let processed = 0;
  const writes = new WritePipeline(WRITE_CONCURRENCY);
  progress(0, due.length, 'messages');

  const write = async (batch: FetchedConversation[]) => {
    const result = await database.withScope(scope, async (trx) => {
      const applied = await applyFetchedConversations(
        trx,
        scope,
        ids,
        batch,
        config,
        run.onInboundReplies,
      );
      await runMessagesAppliedHooks(
        run.onMessagesApplied,
        trx,
        scope,
        batch.flatMap((b) =>
          b.messages === null
            ? []
            : [conversationGlobalId(ids.projectId, ids.accountId, b.conversation.id)],
        ),
      );
      return applied;
    });
    counts.conversations_fetched += batch.filter((b) => b.messages !== null).length;
    counts.messages_inserted += result.messagesInserted;
    counts.messages_updated += result.messagesUpdated;
    counts.messages_deleted += result.messagesDeleted;
    counts.chunks_created += result.chunks.created;
    counts.chunks_reset += result.chunks.reset;
    counts.chunks_removed += result.chunks.removed;
    processed += batch.length;
    progress(processed, due.length, 'messages');
  };

  // Batches commit while fetching continues (each holds whole conversations, so two never touch
  // the same rows). The worker that fills a batch waits for its write, which bounds memory to
  // about a batch per worker.
  const flush = async () => {
    const batch = buffer;
    buffer = [];
    buffered = 0;
    if (batch.length > 0) await (await writes.start(() => write(batch))).done;
  };

  let next = 0;
  // Twice the HTTP bound: while one conversation's page is being parsed another is in flight.
  const workers = Array.from(
    { length: Math.min(due.length, config.CHATWOOT_CONCURRENCY * 2) },
    async () => {
      while (next < due.length && !writes.failed && !signal?.aborted) {
        const conversation = due[next++]!;
        const attempt = () =>
          fetchConversationMessages(client, conversation, config.CHATWOOT_MESSAGES_LIMIT).catch(
            (error: unknown): FetchedConversation => ({
              conversation,
              messages: null,
              complete: false,
              error: isAbort(error, signal) ? 'aborted' : describe(error),
            }),
          );
        let fetched = await attempt();
        if (signal?.aborted) break;
        // An inconsistent answer (the list shows a newer message than the thread returned) is most
        // often a page that went missing in transit: ask once more before calling it a gap.
        if (!fetched.complete && fetched.messages !== null) fetched = await attempt();
        if (signal?.aborted) break;
        if (!fetched.complete) {
          failures.push(`conversation ${conversation.id}: ${fetched.error}`);
          counts.conversations_failed++;
        }
        counts.messages_fetched += fetched.messages?.length ?? 0;
        buffer.push(fetched);
        buffered += fetched.messages?.length ?? 0;
        if (
          buffered >= (run.writeBatchMessages ?? WRITE_BATCH_MESSAGES) ||
          buffer.length >= WRITE_BATCH_CONVERSATIONS
        )
          await flush();
      }
    },
  );
  await Promise.all(workers);
  if (!signal?.aborted) await flush();
  await writes.drain();
  throwIfAborted(signal, counts);
}

/**
 * Every message of a conversation, in ranges of up to 1,000 from the first id upwards (docs/chatwoot.md
 * §4: `after` and `before` together). An empty range right after a full one is asked for twice,
 * because a premature end would make still-existing messages look deleted.
 */
async function fetchConversationMessages(
  client: ChatwootClient,
  conversation: ChatwootConversation,
  limit: number,
): Promise<FetchedConversation> {
  const byId = new Map<number, ChatwootMessage>();
  let from = 1;
  let confirmedEmpty = false;
  for (;;) {
    const page = await client.listMessagesBetween(conversation.id, from, NO_UPPER_BOUND);
    const items = page.payload.filter((m) => m.id >= from);
    if (items.length === 0 && from > 1 && !confirmedEmpty) {
      confirmedEmpty = true;
      continue;
    }
    for (const message of items) byId.set(message.id, message);
    if (byId.size >= limit)
      return {
        conversation,
        messages: [...byId.values()],
        complete: false,
        error: `more than ${limit} messages`,
      };
    if (page.payload.length < MESSAGES_RANGE_PAGE_SIZE || items.length === 0) break;
    from = Math.max(...items.map((m) => m.id)) + 1;
    confirmedEmpty = false;
  }
  const messages = [...byId.values()];
  const newestListed = conversation.messages?.[0]?.id;
  const newestFetched = messages.length ? Math.max(...messages.map((m) => m.id)) : undefined;
  if (newestListed !== undefined && (newestFetched === undefined || newestFetched < newestListed)) {
    return {
      conversation,
      messages,
      complete: false,
      error: `the list shows message ${newestListed} but the fetch ended at ${newestFetched ?? 'none'}`,
    };
  }
  return { conversation, messages, complete: true, error: null };
}

// Chatwoot compares the cursor with the id column in SQL; any id there is below this.
const NO_UPPER_BOUND = Number.MAX_SAFE_INTEGER;

async function listAllContacts(
  client: ChatwootClient,
  pagesLimit: number,
): Promise<ChatwootContact[]> {
  const first = await client.listContacts({ page: 1 });
  const total = typeof first.meta.count === 'number' ? first.meta.count : null;
  const byId = new Map(first.payload.map((c) => [c.id, c]));
  if (total === null) {
    // No count: page until a short page.
    let page = first;
    for (let n = 2; page.payload.length >= CONTACTS_PAGE_SIZE && n <= pagesLimit; n++) {
      page = await client.listContacts({ page: n });
      for (const c of page.payload) byId.set(c.id, c);
    }
    return [...byId.values()];
  }
  const pages = Math.min(Math.ceil(total / CONTACTS_PAGE_SIZE), pagesLimit);
  const rest = await Promise.all(range(2, pages).map((page) => client.listContacts({ page })));
  for (const page of rest) for (const c of page.payload) byId.set(c.id, c);
  return [...byId.values()];
}

interface Listing {
  conversations: ChatwootConversation[];
  newestConversationId: number | null;
}

/**
 * The conversations this run must look at. Pages are fetched in waves as wide as the HTTP bound;
 * an incremental run stops after the wave that reaches activity older than the watermark minus
 * the lookback. A full listing that saw fewer distinct conversations than `all_count` (items
 * shift between pages while new activity arrives) is listed once more.
 */
async function listConversations(
  client: ChatwootClient,
  config: SyncOptions['config'],
  watermark: Watermark | null,
): Promise<Listing> {
  const byId = new Map<number, ChatwootConversation>();
  const keep = (c: ChatwootConversation) => {
    const seen = byId.get(c.id);
    if (!seen || (chatwootSeconds(c.updated_at) ?? 0) >= (chatwootSeconds(seen.updated_at) ?? 0))
      byId.set(c.id, c);
  };
  const lookbackSeconds = config.CHATWOOT_LOOKBACK_DAYS * 86_400;
  const threshold = watermark?.cursor_ts
    ? watermark.cursor_ts.getTime() / 1000 - lookbackSeconds
    : null;
  const wave = Math.max(1, config.CHATWOOT_CONCURRENCY);

  const listPass = async () => {
    let allCount: number | null = null;
    for (let start = 1; start <= config.CHATWOOT_PAGES_LIMIT; start += wave) {
      const pages = await Promise.all(
        range(start, Math.min(start + wave - 1, config.CHATWOOT_PAGES_LIMIT)).map((page) =>
          client.listConversations({ page }),
        ),
      );
      let reachedEnd = false;
      for (const page of pages) {
        if (typeof page.meta.all_count === 'number') allCount ??= page.meta.all_count;
        page.payload.forEach(keep);
        if (page.payload.length < CONVERSATIONS_PAGE_SIZE) reachedEnd = true;
        if (threshold !== null && page.payload.some((c) => (activitySeconds(c) ?? 0) < threshold))
          reachedEnd = true;
      }
      if (reachedEnd) break;
    }
    return allCount;
  };

  const allCount = await listPass();
  if (threshold === null && allCount !== null && byId.size < allCount) await listPass();
  if (watermark?.meta.max_updated_at) {
    const seconds = Date.now() / 1000 - watermark.meta.max_updated_at + lookbackSeconds;
    (await client.listConversationsUpdatedWithin(Math.max(1, seconds))).forEach(keep);
  }
  const conversations = [...byId.values()];
  const newest = conversations.reduce<ChatwootConversation | null>(
    (a, c) => (!a || (activitySeconds(c) ?? 0) > (activitySeconds(a) ?? 0) ? c : a),
    null,
  );
  return { conversations, newestConversationId: newest?.id ?? null };
}

const activitySeconds = (c: ChatwootConversation) => {
  const date = parseChatwootTime(c.last_activity_at ?? c.timestamp);
  return date ? date.getTime() / 1000 : null;
};

function range(from: number, to: number): number[] {
  return to < from ? [] : Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function countRequests(client: ChatwootClient): () => number {
  let n = 0;
  const wrap = <
    K extends
      | 'listContacts'
      | 'listConversations'
      | 'listMessagesBetween'
      | 'listConversationsUpdatedWithin',
  >(
    key: K,
  ) => {
    const original = client[key].bind(client) as (...args: unknown[]) => Promise<unknown>;
    (client as unknown as Record<K, unknown>)[key] = (...args: unknown[]) => {
      n++;
      return original(...args);
    };
  };
  wrap('listContacts');
  wrap('listConversations');
  wrap('listMessagesBetween');
  wrap('listConversationsUpdatedWithin');
  return () => n;
}

function emptyCounts(): SyncCounts {
  return {
    mode: 'full',
    contacts: 0,
    contacts_written: 0,
    conversations: 0,
    conversations_written: 0,
    conversations_fetched: 0,
    conversations_failed: 0,
    messages_fetched: 0,
    messages_inserted: 0,
    messages_updated: 0,
    messages_deleted: 0,
    chunks_created: 0,
    chunks_reset: 0,
    chunks_removed: 0,
    requests: 0,
  };
}

function describe(error: unknown): string {
  if (error instanceof ChatwootApiError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

function isAbort(error: unknown, signal?: AbortSignal) {
  return (
    Boolean(signal?.aborted) || (error instanceof ChatwootApiError && error.kind === 'aborted')
  );
}

/** Thrown when the caller aborts; everything committed so far stays and the next run resumes. */
export class SyncAbortedError extends Error {
  constructor(readonly counts: SyncCounts) {
    super('the Chatwoot sync was aborted; committed batches are kept and the next run resumes');
    this.name = 'SyncAbortedError';
  }
}

function abortError(counts: SyncCounts, requests: number) {
  return new SyncAbortedError({ ...counts, requests });
}

function throwIfAborted(
  signal: AbortSignal | undefined,
  counts?: SyncCounts,
  requests?: () => number,
) {
  if (signal?.aborted)
    throw abortError(counts ?? emptyCounts(), requests?.() ?? counts?.requests ?? 0);
}

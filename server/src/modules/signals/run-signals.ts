import type { Transaction } from 'kysely';
import type { Database, Scope } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import type { MessagesAppliedHook } from '../ingest/events.js';
import { runDetectors } from './detectors/index.js';
import { withDefaults } from './detectors/index.js';
import {
  emptyLlmCounts,
  runLlmDetector,
  type LlmDetector,
  type LlmRunCounts,
} from './llm-detector.js';
import {
  loadConversationViews,
  loadSignalSettings,
  loadStalledOfDeletedItems,
  loadWorkItemViews,
} from './load-views.js';
import { wakeSnoozed } from './service.js';
import { writeDetectorRun, type SignalWriteCounts } from './write-run.js';

/**
 * The detectors over the given conversations, written in the caller's transaction: what ingest
 * runs for the conversations a write touched (ingest/events.ts `MessagesAppliedHook`), so a
 * reply that lands resolves its `awaiting_reply` signal in the same transaction that stores it.
 */
export async function runSignalsForConversations(
  trx: Transaction<DB>,
  scope: Scope,
  conversationIds: readonly string[],
  now: Date = new Date(),
): Promise<SignalWriteCounts & { conversations: number }> {
  const settings = await loadSignalSettings(trx, scope);
  const conversations = await loadConversationViews(trx, scope, conversationIds);
  const run = runDetectors({ settings, now, conversations });
  const counts = await writeDetectorRun(trx, scope, run, now);
  return { ...counts, conversations: conversations.length };
}

/**
 * The `stalled` detector over the project's Linear issues, Attio tasks and deals, in the caller's
 * transaction. Their syncs run no detector, so the scheduled run judges them all each time: one
 * read per kind, and over unchanged rows the writer writes nothing. An item deleted at the source
 * closes its open signal here too (loadStalledOfDeletedItems).
 */
export async function runSignalsForWorkItems(
  trx: Transaction<DB>,
  scope: Scope,
  now: Date = new Date(),
): Promise<SignalWriteCounts & { work_items: number }> {
  const settings = await loadSignalSettings(trx, scope);
  const items = await loadWorkItemViews(trx, scope);
  const run = runDetectors({ settings, now, detectors: ['stalled'], ...items });
  const deleted = await loadStalledOfDeletedItems(trx, scope);
  const counts = await writeDetectorRun(
    trx,
    scope,
    { ...run, resolutions: [...run.resolutions, ...deleted] },
    now,
  );
  const workItems =
    items.linear_issues.length + items.attio_tasks.length + items.attio_deals.length;
  return { ...counts, work_items: workItems };
}

const WRITE_COUNTS: (keyof SignalWriteCounts)[] = [
  'inserted',
  'updated',
  'reopened',
  'resolved',
  'unchanged',
  'dropped',
];

// Conversations per transaction of a full run: a few thousand messages, a short transaction.
const FULL_RUN_BATCH = 200;

/**
 * Every conversation of the project, in batches of short transactions, then its Linear issues,
 * Attio tasks and deals (runSignalsForWorkItems): the `signals_run` job, which re-evaluates the time-based conditions (targets elapsed, promises fallen due) that no
 * sync will touch. Over unchanged data and an unchanged step of time it writes nothing.
 */
export async function runSignalsForProject(options: {
  database: Database;
  scope: Scope;
  now?: Date;
  signal?: AbortSignal;
  onProgress?: (processed: number) => void;
  /** The optional `llm` detector (SIGNALS_LLM=on), run after the deterministic ones. */
  llm?: LlmDetector | null;
  onLlmError?: (error: unknown, conversationId: string) => void;
}): Promise<
  SignalWriteCounts & { conversations: number; work_items: number } & Partial<LlmRunCounts>
> {
  const { database, scope } = options;
  const now = options.now ?? new Date();
  const total = {
    conversations: 0,
    work_items: 0,
    inserted: 0,
    updated: 0,
    reopened: 0,
    resolved: 0,
    unchanged: 0,
    dropped: 0,
  };
  const add = (counts: SignalWriteCounts) => {
    for (const key of WRITE_COUNTS) total[key] += counts[key];
  };
  // Snoozes that have run out come back first, so this run's comparison sees them as open.
  await database.withScope(scope, (trx) => wakeSnoozed(trx, scope, now));
  let after = '';
  for (;;) {
    if (options.signal?.aborted) break;
    const done = await database.withScope(scope, async (trx) => {
      const page = await trx
        .selectFrom('cw_conversations')
        .select('id')
        .where('project_id', '=', scope.projectId)
        .where('id', '>', after)
        .orderBy('id')
        .limit(FULL_RUN_BATCH)
        .execute();
      if (page.length === 0) return true;
      after = page.at(-1)!.id;
      const counts = await runSignalsForConversations(
        trx,
        scope,
        page.map((p) => p.id),
        now,
      );
      add(counts);
      total.conversations += counts.conversations;
      return page.length < FULL_RUN_BATCH;
    });
    options.onProgress?.(total.conversations);
    if (done) break;
  }
  if (!options.signal?.aborted) {
    const counts = await database.withScope(scope, (trx) =>
      runSignalsForWorkItems(trx, scope, now),
    );
    add(counts);
    total.work_items = counts.work_items;
  }
  if (!options.llm) return total;
  // The model's calls happen outside any transaction; a failure is counted, never thrown.
  let llm = emptyLlmCounts();
  try {
    const settings = await database.withScope(scope, (trx) => loadSignalSettings(trx, scope));
    llm = await runLlmDetector({
      database,
      scope,
      detector: options.llm,
      timeZone: withDefaults(settings).time_zone,
      now,
      signal: options.signal,
      onError: options.onLlmError,
    });
  } catch (error) {
    llm.llm_failed++;
    options.onLlmError?.(error, '');
  }
  return { ...total, ...llm };
}

/** The hook ingestion runs after a write (ingest/events.ts `MessagesAppliedHook`). */
export const signalsAfterMessagesApplied: MessagesAppliedHook = async (trx, scope, ids) => {
  await runSignalsForConversations(trx, scope, ids);
};

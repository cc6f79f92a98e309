/**
 * Chatwoot ingestion benchmark (not a test: it prints figures, asserts nothing).
 *
 *   npx tsx bench/ingest/run.ts                                                   # embedded PGlite
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/ingest/run.ts
 *
 * With DATABASE_URL it creates (and afterwards drops, unless BENCH_KEEP_DB=1) a fresh database on
 * that server. BENCH_MESSAGES (default 100000), BENCH_CONVERSATIONS (default messages / 25),
 * BENCH_BASELINE_ROWS (default 5000) and CHATWOOT_CONCURRENCY shape the run.
 *
 * Against the simulator over real HTTP it measures:
 *  1. a first sync (backfill) of every message;
 *  2. a re-sync with no change at the source (must write nothing);
 *  3. a re-sync after 10% of the messages were edited at random (most conversations touched);
 * and, in the same run and on the same database, the write path alone on a sample of the stored
 * rows: single-row autocommit upserts (the baseline) against one batched upsert statement.
 */
import { startChatwootSim } from '@cairn/chatwoot-sim';
import { sql } from 'kysely';
import pg from 'pg';
import { openDatabase } from '../../server/src/db/database.js';
import { migrate } from '../../server/src/db/migrator.js';
import type { MessageRow } from '../../server/src/modules/connectors/chatwoot/normalize.js';
import {
  upsertConversations,
  upsertMessages,
} from '../../server/src/modules/connectors/chatwoot/sql.js';
import {
  syncChatwoot,
  type SyncCounts,
} from '../../server/src/modules/connectors/chatwoot/sync-chatwoot.js';
import { stopOnReply } from '../../server/src/modules/outbound/stop-on-reply.js';
import {
  createBenchDatabase,
  createBenchProject,
  loopbackBenchConfig,
} from '../support/database.js';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 100_000);
const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? Math.round(MESSAGES / 25));
const BASELINE_ROWS = Number(process.env.BENCH_BASELINE_ROWS ?? 5_000);
// The simulator listens on loopback: opened for it like a studio-network Chatwoot, guard on.
const config = loopbackBenchConfig();
const log = (...parts: unknown[]) => console.log(...parts);
const rate = (n: number, ms: number) => Math.round(n / (ms / 1000)).toLocaleString('en-US');

async function timed<T>(fn: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await fn();
  return { result, ms: performance.now() - started };
}

function summary(counts: SyncCounts) {
  const {
    messages_fetched,
    messages_inserted,
    messages_updated,
    messages_deleted,
    chunks_created,
    chunks_reset,
    conversations_fetched,
    requests,
  } = counts;
  return JSON.stringify({
    conversations_fetched,
    messages_fetched,
    messages_inserted,
    messages_updated,
    messages_deleted,
    chunks_created,
    chunks_reset,
    requests,
  });
}

async function main() {
  const home = config.DATABASE_URL
    ? `server Postgres (${new URL(config.DATABASE_URL).host})`
    : 'embedded PGlite';
  log(
    `# ingest bench: ${MESSAGES.toLocaleString('en-US')} messages in ${CONVERSATIONS} conversations, ${home}, concurrency ${config.CHATWOOT_CONCURRENCY}`,
  );
  const benchDb = await createBenchDatabase('ingest', config.DATABASE_URL);
  const sim = await startChatwootSim({
    seed: 'bench-ingest',
    size: { conversations: CONVERSATIONS, totalMessages: MESSAGES },
  });
  const pool = new pg.Pool({ connectionString: benchDb.url, max: 2 });
  await migrate({ pool, embeddingDim: config.EMBEDDING_DIM, appRole: config.DB_APP_ROLE });
  await pool.end();
  const database = await openDatabase({ ...config, DATABASE_URL: benchDb.url });
  try {
    const scope = await createBenchProject(database, 'sync');
    const source = { baseUrl: sim.url, accountId: sim.accountId, apiToken: sim.token };
    // Stop-on-reply subscribed as the sync job does (jobs/handlers.ts): the same work per write.
    const sync = () =>
      syncChatwoot({ database, config, scope, source, onInboundReplies: [stopOnReply] });
    const truth = sim.control.stats().generatedMessages;

    const cpuBefore = process.cpuUsage();
    const first = await timed(sync);
    const cpu = process.cpuUsage(cpuBefore);
    log(
      `first sync:        ${(first.ms / 1000).toFixed(1)} s, ${rate(first.result.messages_inserted, first.ms)} messages/s  ${summary(first.result)}`,
    );
    // Every row the first sync wrote, for a like-for-like reading against the baseline's rows/s.
    const rowsWritten =
      first.result.messages_inserted +
      first.result.chunks_created +
      first.result.conversations_written +
      first.result.contacts_written;
    log(
      `  ${rowsWritten.toLocaleString('en-US')} rows written (messages, chunks, conversations, contacts): ${rate(rowsWritten, first.ms)} rows/s; ` +
        `this process (sync client and simulator) used ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s of CPU`,
    );
    if (first.result.messages_inserted !== truth)
      log(`  !! stored ${first.result.messages_inserted} of ${truth} messages`);

    const again = await timed(sync);
    log(
      `no-change re-sync: ${(again.ms / 1000).toFixed(2)} s, ${rate(first.result.messages_inserted, again.ms)} messages/s covered, ${(first.ms / again.ms).toFixed(1)}× faster than the first  ${summary(again.result)}`,
    );

    // 10% of the messages edited at random: nearly every conversation is touched and re-read.
    const ids = [...sim.control.groundTruth.messages()].map((m) => m.id as number);
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const edited = new Set<number>();
    while (edited.size < Math.round(ids.length / 10))
      edited.add(ids[Math.floor(random() * ids.length)]!);
    for (const id of edited)
      sim.control.editMessage(
        id,
        `Edited for the bench: revised deadline, invoice ${id} and the approved logo files.`,
      );
    const changed = await timed(sync);
    log(
      `10%-changed sync:  ${(changed.ms / 1000).toFixed(1)} s, ${rate(changed.result.messages_fetched, changed.ms)} messages/s re-read, ${rate(changed.result.messages_updated, changed.ms)} changed messages/s  ${summary(changed.result)}`,
    );

    // The write path alone, on a sample of the rows the sync stored, into fresh projects.
    const sample = await database.withScope(scope, async (trx) => {
      const { rows } = await sql<
        MessageRow & { conversation_data: unknown; conversation_id: number }
      >`
        select m.id, m.account_id, m.message_id, m.conversation_global_id, m.contact_global_id, m.sender_type,
          m.sender_id, m.private, m.message_type, m.content_type, m.content, m.data,
          m.source_created_at::text as source_created_at, null as source_updated_at, null as carried,
          c.conversation_id, c.data as conversation_data
        from cw_messages m join cw_conversations c on c.id = m.conversation_global_id
        where m.project_id = ${scope.projectId}::uuid order by m.message_id limit ${BASELINE_ROWS}`.execute(
        trx,
      );
      return rows;
    });
    const rehome = async (name: string) => {
      const target = await createBenchProject(database, name);
      const rewrite = (id: string) => id.replace(scope.projectId, target.projectId);
      const conversations = [
        ...new Map(sample.map((r) => [r.conversation_global_id, r])).values(),
      ].map((r) => ({
        id: rewrite(r.conversation_global_id),
        account_id: r.account_id,
        conversation_id: r.conversation_id,
        inbox_id: null,
        status: null,
        assignee_id: null,
        contact_global_id: null,
        data: r.conversation_data,
        last_activity_at: null,
        source_created_at: null,
        source_updated_at: null,
        carried: null,
      }));
      await database.withScope(target, (trx) => upsertConversations(trx, target, conversations));
      const rows: MessageRow[] = sample.map(
        ({ conversation_data: _d, conversation_id: _c, ...r }) => ({
          ...r,
          id: rewrite(r.id),
          conversation_global_id: rewrite(r.conversation_global_id),
        }),
      );
      return { target, rows };
    };

    const single = await rehome('baseline');
    const baseline = await timed(async () => {
      for (const r of single.rows) {
        await database.pool.query(
          `insert into cw_messages (id, project_id, account_scope_id, account_id, message_id, conversation_global_id,
             contact_global_id, sender_type, sender_id, private, message_type, content_type, content, data, source_created_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
           on conflict (id) do update set content = excluded.content, data = excluded.data`,
          [
            r.id,
            single.target.projectId,
            single.target.accountScopeId,
            r.account_id,
            r.message_id,
            r.conversation_global_id,
            r.contact_global_id,
            r.sender_type,
            r.sender_id,
            r.private,
            r.message_type,
            r.content_type,
            r.content,
            JSON.stringify(r.data),
            r.source_created_at,
          ],
        );
      }
    });
    log(
      `baseline, single-row autocommit upserts: ${rate(single.rows.length, baseline.ms)} rows/s (${single.rows.length} rows)`,
    );

    const batched = await rehome('batched');
    const batch = await timed(async () => {
      for (let i = 0; i < batched.rows.length; i += 2_000) {
        await database.withScope(batched.target, (trx) =>
          upsertMessages(trx, batched.target, batched.rows.slice(i, i + 2_000)),
        );
      }
    });
    log(
      `batched upserts (jsonb_to_recordset, 2,000 a statement): ${rate(batched.rows.length, batch.ms)} rows/s`,
    );
    const unchanged = await timed(async () => {
      for (let i = 0; i < batched.rows.length; i += 2_000) {
        await database.withScope(batched.target, (trx) =>
          upsertMessages(trx, batched.target, batched.rows.slice(i, i + 2_000)),
        );
      }
    });
    log(
      `batched upserts of unchanged rows (IS DISTINCT FROM guard): ${rate(batched.rows.length, unchanged.ms)} rows/s`,
    );
    const baselineRate = single.rows.length / (baseline.ms / 1000);
    log(
      `ratios: first sync ${(first.result.messages_inserted / (first.ms / 1000) / baselineRate).toFixed(1)}× the single-row baseline in messages/s ` +
        `(${(rowsWritten / (first.ms / 1000) / baselineRate).toFixed(1)}× in rows written/s); ` +
        `no-change re-sync ${(first.ms / again.ms).toFixed(1)}× faster than the first sync`,
    );
  } finally {
    await database.close();
    await sim.stop();
    await benchDb.cleanup();
  }
}

await main();

import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import type { Config } from '../../config.js';
import type { Database, Scope } from '../../db/database.js';
import { inScope } from '../../db/scoped-sql.js';
import { indexEvidence } from './index-evidence.js';
import { toVectorLiteral, type EmbeddingProvider } from './embeddings/provider.js';

export interface EmbeddingRunCounts {
  /** `processing` rows older than EMBED_STALE_RECOVERY_MINUTES put back to `pending`. */
  recovered: number;
  /** `ready` rows embedded by another model or dimension, put back to `pending`. */
  requeued: number;
  /** `failed` rows under EMBED_MAX_ATTEMPTS put back to `pending` for this run. */
  retried: number;
  claimed: number;
  embedded: number;
  failed: number;
  /** Claimed rows whose claim was taken over (stale recovery) before the vectors were written. */
  lost: number;
  batches: number;
  tokens: number;
  /** Why the run stopped before the queue was empty, if it did. */
  stopped: null | 'token_budget' | 'consecutive_failures' | 'aborted';
  evidence_indexed: number;
}

export interface RunEmbeddingsOptions {
  database: Database;
  config: Pick<
    Config,
    | 'EMBED_BATCH_SIZE'
    | 'EMBED_MAX_ATTEMPTS'
    | 'EMBED_STALE_RECOVERY_MINUTES'
    | 'EMBED_RUN_TOKEN_BUDGET'
  >;
  scope: Scope;
  provider: EmbeddingProvider;
  signal?: AbortSignal;
  onProgress?: (counts: EmbeddingRunCounts) => void | Promise<void>;
}

// A provider that fails this many batches in a row is down or misconfigured (a revoked key):
// going on would only burn every pending row's attempts, so the run stops and the rest waits.
const MAX_CONSECUTIVE_FAILED_BATCHES = 3;
const MAX_ERROR_LENGTH = 1000;

/**
 * Embeds the project's pending chunks. Each batch is claimed in its own short transaction
 * (`FOR UPDATE SKIP LOCKED`, marked `processing` with a claim stamp), embedded with no transaction
 * open, then written in one multi-row update that only touches rows still carrying that stamp. So
 * concurrent runs never embed a chunk twice, a crashed run's rows come back after the recovery
 * window, and one failed batch never rolls back another. Evidence items are refreshed first.
 */
export async function runEmbeddings(options: RunEmbeddingsOptions): Promise<EmbeddingRunCounts> {
  const { database, config, scope, provider, signal } = options;
  const counts: EmbeddingRunCounts = {
    recovered: 0,
    requeued: 0,
    retried: 0,
    claimed: 0,
    embedded: 0,
    failed: 0,
    lost: 0,
    batches: 0,
    tokens: 0,
    stopped: null,
    evidence_indexed: 0,
  };

  const { recovered, requeued, retried } = await database.withScope(scope, (trx) =>
    prepareQueue(trx, scope, provider.model, config),
  );
  Object.assign(counts, { recovered, requeued, retried });
  counts.evidence_indexed = (await indexEvidence({ database, scope })).indexed;

  const batchSize = Math.max(1, Math.min(config.EMBED_BATCH_SIZE, provider.maxBatchInputs));
  let consecutiveFailures = 0;
  for (;;) {
    if (signal?.aborted) {
      counts.stopped = 'aborted';
      break;
    }
    if (counts.tokens >= config.EMBED_RUN_TOKEN_BUDGET) {
      counts.stopped = 'token_budget';
      break;
    }
    const claim = newClaimStamp();
    const rows = await database.withScope(scope, (trx) => claimBatch(trx, scope, batchSize, claim));
    if (rows.length === 0) break;
    counts.claimed += rows.length;
    counts.batches++;

    let vectors: number[][];
    try {
      const result = await provider.embed(
        rows.map((r) => r.text),
        { signal },
      );
      vectors = result.vectors;
      counts.tokens += result.tokens;
    } catch (error) {
      if (signal?.aborted) {
        // Not the provider's fault: hand the rows back untouched for the next run.
        await database.withScope(scope, (trx) => releaseBatch(trx, scope, rows, claim));
        counts.stopped = 'aborted';
        break;
      }
      const message = errorMessage(error);
      const failed = await database.withScope(scope, (trx) =>
        markBatchFailed(trx, scope, rows, claim, message),
      );
      counts.failed += failed;
      counts.lost += rows.length - failed;
      await options.onProgress?.({ ...counts });
      if (++consecutiveFailures >= MAX_CONSECUTIVE_FAILED_BATCHES) {
        counts.stopped = 'consecutive_failures';
        break;
      }
      continue;
    }
    consecutiveFailures = 0;
    const written = await database.withScope(scope, (trx) =>
      writeVectors(trx, scope, rows, vectors, claim, provider.model),
    );
    counts.embedded += written;
    counts.lost += rows.length - written;
    await options.onProgress?.({ ...counts });
  }
  return counts;
}

type Trx = Parameters<Parameters<Database['withScope']>[1]>[0];
interface ClaimedRow {
  id: string;
  text: string;
}

/**
 * A claim stamp written to `processing_started_at` and required by the write: a microsecond
 * timestamp with random sub-millisecond digits, so two runs claiming in the same millisecond
 * still hold different stamps (JS dates stop at milliseconds; Postgres keeps microseconds).
 */
function newClaimStamp(): string {
  const iso = new Date().toISOString();
  return `${iso.slice(0, 23)}${String(randomInt(1000)).padStart(3, '0')}Z`;
}

async function prepareQueue(
  trx: Trx,
  scope: Scope,
  model: string,
  config: RunEmbeddingsOptions['config'],
) {
  const recovered = await sql`
    update rag_chunks set embedding_status = 'pending', processing_started_at = null
    where ${inScope(scope)}
      and embedding_status = 'processing'
      and processing_started_at < now() - make_interval(mins => ${config.EMBED_STALE_RECOVERY_MINUTES})
  `.execute(trx);
  // A vector from another model lives in another space: mixing the two makes distances
  // meaningless, so every such row is embedded again (text search still finds it meanwhile).
  const requeued = await sql`
    update rag_chunks set embedding_status = 'pending', embedding_attempts = 0, embedding_error = null
    where ${inScope(scope)}
      and embedding_status = 'ready' and embedding_model is distinct from ${model}
  `.execute(trx);
  const retried = await sql`
    update rag_chunks set embedding_status = 'pending'
    where ${inScope(scope)}
      and embedding_status = 'failed' and embedding_attempts < ${config.EMBED_MAX_ATTEMPTS}
  `.execute(trx);
  return {
    recovered: Number(recovered.numAffectedRows ?? 0),
    requeued: Number(requeued.numAffectedRows ?? 0),
    retried: Number(retried.numAffectedRows ?? 0),
  };
}

async function claimBatch(trx: Trx, scope: Scope, limit: number, claim: string) {
  // In no particular order: the first pending rows the status index yields. Ordering by
  // created_at sorted every pending row of the project on every batch, a cost growing with the
  // backlog (docs/benchmarks.md, "Figures behind choices in the code").
  const { rows } = await sql<ClaimedRow>`
    with picked as (
      select id from rag_chunks
      where ${inScope(scope)}
        and embedding_status = 'pending'
      limit ${limit}
      for update skip locked
    )
    update rag_chunks c
    set embedding_status = 'processing', processing_started_at = ${claim}::timestamptz
    from picked where c.id = picked.id
    returning c.id, c.text
  `.execute(trx);
  return rows;
}

async function writeVectors(
  trx: Trx,
  scope: Scope,
  rows: ClaimedRow[],
  vectors: number[][],
  claim: string,
  model: string,
): Promise<number> {
  const result = await sql`
    update rag_chunks c
    set embedding = v.embedding::vector, embedding_status = 'ready', embedding_model = ${model},
        embedding_error = null, processing_started_at = null, last_embedded_at = now()
    from unnest(${rows.map((r) => r.id)}::uuid[], ${vectors.map(toVectorLiteral)}::text[])
      as v(id, embedding)
    where c.id = v.id
      and ${inScope(scope, 'c')}
      and c.embedding_status = 'processing' and c.processing_started_at = ${claim}::timestamptz
  `.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}

async function markBatchFailed(
  trx: Trx,
  scope: Scope,
  rows: ClaimedRow[],
  claim: string,
  message: string,
): Promise<number> {
  const result = await sql`
    update rag_chunks
    set embedding_status = 'failed', embedding_error = ${message},
        embedding_attempts = embedding_attempts + 1, processing_started_at = null
    where id = any(${rows.map((r) => r.id)}::uuid[])
      and ${inScope(scope)}
      and embedding_status = 'processing' and processing_started_at = ${claim}::timestamptz
  `.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}

async function releaseBatch(trx: Trx, scope: Scope, rows: ClaimedRow[], claim: string) {
  await sql`
    update rag_chunks set embedding_status = 'pending', processing_started_at = null
    where id = any(${rows.map((r) => r.id)}::uuid[])
      and ${inScope(scope)}
      and embedding_status = 'processing' and processing_started_at = ${claim}::timestamptz
  `.execute(trx);
}

function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.slice(0, MAX_ERROR_LENGTH);
}

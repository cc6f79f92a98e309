import { sql } from 'kysely';
import type { Config } from '../../config.js';
import type { Scope } from '../../db/database.js';
import { inScope, type Trx } from '../../db/scoped-sql.js';
import type { Chunk } from './chunking.js';

/**
 * The ingest stage's chunk write, shared by every connector: a connector says which source rows
 * were written and what their text chunks into (chunking.ts); this keeps `rag_chunks` equal to
 * that, so an unchanged chunk keeps its embedding and a changed one is embedded again.
 * `messageGlobalId` / `conversationGlobalId` are the chunk's row and thread ids in the connector's
 * id scheme (Chatwoot message / conversation, Linear issue or comment / issue, Attio note / record).
 */

export type ChunkConfig = Pick<Config, 'CHUNK_SIZE' | 'MIN_EMBED_CHARS'>;

export interface ChunkWrite {
  messageGlobalId: string;
  /** The message row was just inserted, so it has no chunks yet. */
  isNew: boolean;
  conversationGlobalId: string;
  chunks: Chunk[];
}

export interface ChunkCounts {
  created: number;
  reset: number;
  removed: number;
}

/**
 * Brings the chunks of the given messages to exactly `chunks`: new indexes are inserted pending,
 * an index whose text changed is reset to pending (its embedding is void), and indexes past the
 * new count are removed. An unchanged chunk keeps its embedding.
 */
export async function replaceChunks(
  trx: Trx,
  scope: Scope,
  writes: ChunkWrite[],
): Promise<ChunkCounts> {
  if (writes.length === 0) return { created: 0, reset: 0, removed: 0 };
  const chunkRows = writes.flatMap((w) =>
    w.chunks.map((c) => ({
      m: w.messageGlobalId,
      c: w.conversationGlobalId,
      i: c.index,
      t: c.text,
      h: c.textHash,
    })),
  );
  let written: { inserted: boolean }[] = [];
  if (chunkRows.length > 0) {
    ({ rows: written } = await sql<{ inserted: boolean }>`
      insert into rag_chunks as k (project_id, account_scope_id, message_global_id, conversation_global_id,
        chunk_index, text, text_hash)
      select ${scope.projectId}::uuid, ${scope.accountScopeId}::uuid, r.m, r.c, r.i, r.t, r.h
      from jsonb_to_recordset(${JSON.stringify(chunkRows)}::jsonb) as r(m text, c text, i integer, t text, h text)
      on conflict (message_global_id, chunk_index) do update set
        text = excluded.text, text_hash = excluded.text_hash,
        conversation_global_id = excluded.conversation_global_id,
        embedding = null, embedding_status = 'pending', embedding_model = null, embedding_attempts = 0,
        embedding_error = null, processing_started_at = null, last_embedded_at = null
      where k.text_hash is distinct from excluded.text_hash
      returning (xmax = 0) as inserted`.execute(trx));
  }
  // Only a message that existed before can have surplus chunks. `= any(...)` on the indexed
  // column keeps this an index lookup per message; a join on a set-returning function alone lets
  // the planner scan every chunk of the project on every batch.
  const shrinking = writes.filter((w) => !w.isNew);
  let removed = 0;
  if (shrinking.length > 0) {
    const ids = shrinking.map((w) => w.messageGlobalId);
    const { rows } = await sql<{ id: string }>`
      delete from rag_chunks k
      using unnest(${ids}::text[], ${shrinking.map((w) => w.chunks.length)}::integer[]) as r(m, n)
      where ${inScope(scope, 'k')} and k.message_global_id = any(${ids}::text[])
        and k.message_global_id = r.m and k.chunk_index >= r.n
      returning k.id`.execute(trx);
    removed = rows.length;
  }
  const created = written.filter((r) => r.inserted).length;
  return { created, reset: written.length - created, removed };
}

import type { Transaction } from 'kysely';
import { sql } from 'kysely';
import type { Config } from '../../../config.js';
import type { Scope } from '../../../db/database.js';
import type { DB } from '../../../db/schema.js';
import { chunkText } from '../../ingest/chunking.js';
import { replaceChunks, type ChunkWrite } from '../../ingest/chunks.js';
import type { AttNoteRow, AttTaskRow } from './normalize.js';

/**
 * Search chunks of Attio notes (title, a blank line, the plaintext) and tasks (their text), in
 * rag_chunks beside Chatwoot's and Linear's (db/migrations/0029_attio.sql explains the ids). The
 * chunking and the keep-the-embedding-when-the-text-is-unchanged write are the ingest stage's
 * (ingest/chunking.ts, ingest/chunks.ts), the same as every connector's.
 */

type Trx = Transaction<DB>;
export type ChunkConfig = Pick<Config, 'CHUNK_SIZE'>;

export const noteChunkId = (projectId: string, noteId: string) => `atn:${projectId}:${noteId}`;
export const taskChunkId = (projectId: string, taskId: string) => `att:${projectId}:${taskId}`;

export function noteText(row: Pick<AttNoteRow, 'title' | 'content_plaintext'>): string {
  const body = row.content_plaintext.trim();
  return body ? `${row.title.trim()}\n\n${body}` : row.title.trim();
}

/** Rewrites the chunks of the notes and tasks just written (`inserted`: ids that are new). */
export async function writeAttioChunks(
  trx: Trx,
  scope: Scope,
  config: ChunkConfig,
  written: { notes?: AttNoteRow[]; tasks?: AttTaskRow[]; inserted: Set<string> },
): Promise<void> {
  const writes: ChunkWrite[] = [];
  // A note and a task are each their own thread: their parent is a record, which has no chunk.
  for (const note of written.notes ?? []) {
    const id = noteChunkId(scope.projectId, note.id);
    writes.push({
      messageGlobalId: id,
      conversationGlobalId: id,
      isNew: written.inserted.has(note.id),
      chunks: chunkText(noteText(note), config.CHUNK_SIZE),
    });
  }
  for (const task of written.tasks ?? []) {
    const id = taskChunkId(scope.projectId, task.id);
    writes.push({
      messageGlobalId: id,
      conversationGlobalId: id,
      isNew: written.inserted.has(task.id),
      chunks: chunkText(task.content_plaintext.trim(), config.CHUNK_SIZE),
    });
  }
  await replaceChunks(trx, scope, writes);
}

/** Drops the chunks of deleted notes or tasks. */
export async function deleteAttioChunks(
  trx: Trx,
  scope: Scope,
  kind: 'notes' | 'tasks',
  ids: string[],
): Promise<void> {
  if (ids.length === 0) return;
  const chunkIds = ids.map((id) =>
    kind === 'notes' ? noteChunkId(scope.projectId, id) : taskChunkId(scope.projectId, id),
  );
  await sql`delete from rag_chunks where project_id = ${scope.projectId}::uuid
    and message_global_id = any(${chunkIds}::text[])`.execute(trx);
}

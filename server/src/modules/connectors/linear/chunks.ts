import type { Transaction } from 'kysely';
import { sql } from 'kysely';
import type { Config } from '../../../config.js';
import type { Scope } from '../../../db/database.js';
import type { DB } from '../../../db/schema.js';
import { chunkText } from '../../ingest/chunking.js';
import { replaceChunks, type ChunkWrite } from '../../ingest/chunks.js';
import type { LinCommentRow, LinIssueRow } from './normalize.js';

/**
 * Search chunks of Linear issues (title, a blank line, the Markdown description) and comments,
 * in rag_chunks beside Chatwoot's (db/migrations/0025_linear.sql explains the ids). The chunking
 * and the keep-the-embedding-when-the-text-is-unchanged write are the ingest stage's
 * (ingest/chunking.ts, ingest/chunks.ts), the same as every connector's.
 */

type Trx = Transaction<DB>;
export type ChunkConfig = Pick<Config, 'CHUNK_SIZE' | 'MIN_EMBED_CHARS'>;

export const issueChunkId = (projectId: string, issueId: string) => `lin:${projectId}:${issueId}`;
export const commentChunkId = (projectId: string, commentId: string) =>
  `lincmt:${projectId}:${commentId}`;

export function issueText(row: Pick<LinIssueRow, 'title' | 'description'>): string {
  const description = (row.description ?? '').trim();
  return description ? `${row.title.trim()}\n\n${description}` : row.title.trim();
}

/** Rewrites the chunks of the issues and comments just written (`inserted`: ids that are new). */
export async function writeLinearChunks(
  trx: Trx,
  scope: Scope,
  config: ChunkConfig,
  written: { issues?: LinIssueRow[]; comments?: LinCommentRow[]; inserted: Set<string> },
): Promise<void> {
  const writes: ChunkWrite[] = [];
  for (const issue of written.issues ?? []) {
    const id = issueChunkId(scope.projectId, issue.id);
    writes.push({
      messageGlobalId: id,
      conversationGlobalId: id,
      isNew: written.inserted.has(issue.id),
      chunks: chunkText(issueText(issue), config.CHUNK_SIZE),
    });
  }
  for (const comment of written.comments ?? []) {
    // A comment on a project update or document has no issue: it is its own thread.
    const thread = comment.issue_id
      ? issueChunkId(scope.projectId, comment.issue_id)
      : commentChunkId(scope.projectId, comment.id);
    const searchable = comment.body.trim().length >= config.MIN_EMBED_CHARS;
    writes.push({
      messageGlobalId: commentChunkId(scope.projectId, comment.id),
      conversationGlobalId: thread,
      isNew: written.inserted.has(comment.id),
      chunks: searchable ? chunkText(comment.body, config.CHUNK_SIZE) : [],
    });
  }
  await replaceChunks(trx, scope, writes);
}

/** Drops the chunks of deleted issues or comments. */
export async function deleteLinearChunks(
  trx: Trx,
  scope: Scope,
  kind: 'issues' | 'comments',
  ids: string[],
): Promise<void> {
  if (ids.length === 0) return;
  const chunkIds = ids.map((id) =>
    kind === 'issues' ? issueChunkId(scope.projectId, id) : commentChunkId(scope.projectId, id),
  );
  await sql`delete from rag_chunks where project_id = ${scope.projectId}::uuid
    and message_global_id = any(${chunkIds}::text[])`.execute(trx);
}

import type { Scope } from '../../../db/database.js';
import { chunkText } from '../../ingest/chunking.js';
import { replaceChunks, type ChunkConfig, type ChunkCounts } from '../../ingest/chunks.js';
import { runInboundRepliesHooks, type InboundRepliesHook } from '../../ingest/events.js';
import { isChunkable } from './chunking.js';
import type { ChatwootConversation, ChatwootMessage } from './client.js';
import { conversationGlobalId } from './ids.js';
import {
  toContactRow,
  toConversationRow,
  toMessageRow,
  type Ids,
  type MessageRow,
  type RowOptions,
} from './normalize.js';
import {
  deleteMissingMessages,
  recordLedgerFetch,
  recordLedgerSource,
  upsertContacts,
  upsertConversations,
  upsertMessages,
} from './sql.js';
import { chatwootSeconds, parseChatwootTime } from './time.js';
import type { Trx } from '../../../db/scoped-sql.js';

/**
 * The one write path of ingestion, shared by the sync and the webhook receiver: whatever the
 * source of a conversation or message, it reaches the tables through these functions, inside the
 * caller's (short) transaction.
 */

/** Conversation rows, their senders, and the ledger's view of what the source lists. */
export async function applyConversations(
  trx: Trx,
  scope: Scope,
  ids: Ids,
  conversations: ChatwootConversation[],
  options: RowOptions = {},
): Promise<number> {
  const unique = [...new Map(conversations.map((c) => [c.id, c])).values()];
  const senders = unique.flatMap((c) => (c.meta?.sender?.id !== undefined ? [c.meta.sender] : []));
  // In id order: two batches written at once may share a contact, and locking shared rows in
  // one order is what keeps them from deadlocking.
  await upsertContacts(
    trx,
    scope,
    [...new Map(senders.map((s) => [s.id, s])).values()]
      .sort((a, b) => a.id - b.id)
      .map((s) => toContactRow(ids, s, 'conversation', options)),
  );
  const written = await upsertConversations(
    trx,
    scope,
    unique.map((c) => toConversationRow(ids, c, options)),
  );
  await recordLedgerSource(
    trx,
    scope,
    unique.map((c) => {
      const newest = c.messages?.[0];
      return {
        conversation_global_id: conversationGlobalId(ids.projectId, ids.accountId, c.id),
        account_id: ids.accountId,
        conversation_id: c.id,
        source_updated_at: chatwootSeconds(c.updated_at),
        source_newest_message_id: newest?.id ?? null,
        source_newest_at: parseChatwootTime(newest?.created_at)?.toISOString() ?? null,
      };
    }),
  );
  return written.inserted + written.updated;
}

export interface FetchedConversation {
  conversation: ChatwootConversation;
  /** null when the fetch failed. */
  messages: ChatwootMessage[] | null;
  /** The fetch reached the first message, so anything stored but not fetched was deleted. */
  complete: boolean;
  error: string | null;
}

export interface MessageWriteResult {
  messagesInserted: number;
  messagesUpdated: number;
  /** Soft deletions (blanked and flagged at the source) and messages the source no longer lists. */
  messagesDeleted: number;
  chunks: ChunkCounts;
}

/** Messages of fetched conversations, deletions, chunks, and the ledger's fetch outcome. */
export async function applyFetchedConversations(
  trx: Trx,
  scope: Scope,
  ids: Ids,
  batch: FetchedConversation[],
  config: ChunkConfig,
  onInboundReplies: readonly InboundRepliesHook[],
): Promise<MessageWriteResult> {
  const rows = batch.flatMap(({ conversation, messages }) => {
    const contact = toConversationRow(ids, conversation).contact_global_id;
    return (messages ?? []).map((m) =>
      toMessageRow(ids, m, m.conversation_id ?? conversation.id, contact),
    );
  });
  const result = await applyMessageRows(trx, scope, rows, config, onInboundReplies);
  const deleted = await deleteMissingMessages(
    trx,
    scope,
    batch.flatMap(({ conversation, messages, complete }) =>
      complete && messages && messages.length > 0
        ? [
            {
              conversation_global_id: conversationGlobalId(
                ids.projectId,
                ids.accountId,
                conversation.id,
              ),
              ids: messages.map((m) => m.id),
              max_id: Math.max(...messages.map((m) => m.id)),
            },
          ]
        : [],
    ),
  );
  await recordLedgerFetch(
    trx,
    scope,
    batch.map(({ conversation, messages, complete, error }) => ({
      conversation_global_id: conversationGlobalId(ids.projectId, ids.accountId, conversation.id),
      synced_updated_at: complete ? chatwootSeconds(conversation.updated_at) : null,
      source_message_count: messages && complete ? messages.length : null,
      fetched_complete: complete,
      last_error: error,
    })),
  );
  return { ...result, messagesDeleted: result.messagesDeleted + deleted };
}

/**
 * Upserts message rows; chunks are rebuilt for exactly the rows that were written, from what was
 * stored (a partial webhook row keeps the content it did not carry, and so keeps its chunks).
 * New messages a contact sent are announced to the ingest stage's inbound-reply subscribers
 * (ingest/events.ts) in the same transaction.
 */
export async function applyMessageRows(
  trx: Trx,
  scope: Scope,
  input: MessageRow[],
  config: ChunkConfig,
  onInboundReplies: readonly InboundRepliesHook[],
): Promise<MessageWriteResult> {
  // One statement may not touch a row twice: a message served on two pages is written once.
  const rows = [...new Map(input.map((r) => [r.id, r])).values()];
  const changed = await upsertMessages(trx, scope, rows);
  const chunks = await replaceChunks(
    trx,
    scope,
    changed.map((row) => {
      const chunkable = isChunkable(
        {
          message_type: row.message_type,
          private: row.private,
          content: row.content,
          deleted: row.deleted,
        },
        config.MIN_EMBED_CHARS,
      );
      return {
        messageGlobalId: row.id,
        isNew: row.inserted,
        conversationGlobalId: row.conversation_global_id,
        chunks: chunkable ? chunkText(row.content ?? '', config.CHUNK_SIZE) : [],
      };
    }),
  );
  const newInbound = changed.filter(
    (r) =>
      r.inserted &&
      r.message_type === 0 &&
      r.sender_type === 'Contact' &&
      r.contact_global_id !== null,
  );
  await runInboundRepliesHooks(
    onInboundReplies,
    trx,
    scope,
    newInbound.map((r) => ({
      contactGlobalId: r.contact_global_id!,
      at: r.source_created_at ?? new Date(),
    })),
  );
  const inserted = changed.filter((c) => c.inserted).length;
  // Chatwoot deletes by blanking a message and flagging it (docs/chatwoot.md §8): such an update is a deletion.
  const deleted = changed.filter((c) => !c.inserted && c.deleted).length;
  return {
    messagesInserted: inserted,
    messagesUpdated: changed.length - inserted - deleted,
    messagesDeleted: deleted,
    chunks,
  };
}

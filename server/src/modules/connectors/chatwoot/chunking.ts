/** Message types that carry client or studio talk (docs/chatwoot.md §2): 0 incoming, 1 outgoing. */
const SEARCHABLE_MESSAGE_TYPES = new Set([0, 1]);

export interface ChunkableMessage {
  message_type: number;
  private: boolean;
  content: string | null;
  deleted: boolean;
}

/** Whether a message gets chunks at all: client/studio talk, not notes, activity or deletions. */
export function isChunkable(message: ChunkableMessage, minChars: number): boolean {
  return (
    SEARCHABLE_MESSAGE_TYPES.has(message.message_type) &&
    !message.private &&
    !message.deleted &&
    (message.content ?? '').trim().length >= minChars
  );
}

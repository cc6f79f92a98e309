import type { Scope } from '../../db/database.js';
import type { Trx } from '../../db/scoped-sql.js';

/**
 * What the ingest stage announces to later stages, inside the transaction that wrote the rows,
 * so a reaction (a signal resolved, an outbound message stopped) commits or rolls back with the
 * write that caused it. A connector never imports the modules that react: the subscribers are
 * held on the app (`app.ingestSubscribers`, filled by each module's plugin) or, where there is
 * no app (the worker's job handlers, tests, benches), passed in by whoever runs the write.
 */

/** Conversations (threads) a write touched; signals re-runs its detectors for them. */
export type MessagesAppliedHook = (
  trx: Trx,
  scope: Scope,
  conversationGlobalIds: readonly string[],
) => Promise<void>;

/** A newly stored message a contact sent: "inbound reply from contact X at `at`". */
export interface InboundReply {
  contactGlobalId: string;
  at: Date;
}

/** Newly stored inbound replies of one write; outbound's stop-on-reply subscribes. */
export type InboundRepliesHook = (
  trx: Trx,
  scope: Scope,
  replies: readonly InboundReply[],
) => Promise<void>;

export interface IngestSubscribers {
  onMessagesApplied?: readonly MessagesAppliedHook[];
  /**
   * Required, not optional: stop-on-reply is a promise to the client, and a write path that
   * forgot to pass it would send after a reply. Pass `[]` only where no outbound can exist.
   */
  onInboundReplies: readonly InboundRepliesHook[];
}

/** The lists the app holds; plugins push theirs (signals, outbound). */
export function createIngestSubscribers(): {
  onMessagesApplied: MessagesAppliedHook[];
  onInboundReplies: InboundRepliesHook[];
} {
  return { onMessagesApplied: [], onInboundReplies: [] };
}

export async function runMessagesAppliedHooks(
  hooks: readonly MessagesAppliedHook[] | undefined,
  trx: Trx,
  scope: Scope,
  conversationGlobalIds: readonly string[],
): Promise<void> {
  if (!hooks || conversationGlobalIds.length === 0) return;
  for (const hook of hooks) await hook(trx, scope, conversationGlobalIds);
}

export async function runInboundRepliesHooks(
  hooks: readonly InboundRepliesHook[],
  trx: Trx,
  scope: Scope,
  replies: readonly InboundReply[],
): Promise<void> {
  if (replies.length === 0) return;
  for (const hook of hooks) await hook(trx, scope, replies);
}

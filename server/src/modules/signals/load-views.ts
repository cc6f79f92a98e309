import { sql, type Transaction } from 'kysely';
import type { Scope } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import {
  conversationViewFromRows,
  type ConversationView,
  type SignalSettings,
} from './detectors/index.js';

type Trx = Transaction<DB>;

/** The project's detector settings (`projects.signal_settings`); the defaults fill the rest. */
export async function loadSignalSettings(trx: Trx, scope: Scope): Promise<Partial<SignalSettings>> {
  const row = await trx
    .selectFrom('projects')
    .select('signal_settings')
    .where('id', '=', scope.projectId)
    .executeTakeFirst();
  return (row?.signal_settings ?? {}) as Partial<SignalSettings>;
}

/**
 * The detectors' views of the given conversations, built from the stored rows in three reads
 * (conversations, contacts, messages), whatever their number.
 */
export async function loadConversationViews(
  trx: Trx,
  scope: Scope,
  conversationIds: readonly string[],
): Promise<ConversationView[]> {
  if (conversationIds.length === 0) return [];
  const ids = [...new Set(conversationIds)];
  const conversations = await trx
    .selectFrom('cw_conversations')
    .select(['id', 'status', 'contact_global_id', 'last_activity_at'])
    .where('project_id', '=', scope.projectId)
    .where('id', 'in', ids)
    .execute();
  if (conversations.length === 0) return [];
  const contactIds = [
    ...new Set(conversations.flatMap((c) => (c.contact_global_id ? [c.contact_global_id] : []))),
  ];
  const contacts =
    contactIds.length === 0
      ? []
      : await trx
          .selectFrom('cw_contacts')
          .select(['id', 'name'])
          .where('project_id', '=', scope.projectId)
          .where('id', 'in', contactIds)
          .execute();
  // Only what the detectors read of `data` (the sender's name, attachments, the deleted flag):
  // a message's full payload can be many times its text.
  const messages = await trx
    .selectFrom('cw_messages')
    .select([
      'id',
      'conversation_global_id',
      'message_type',
      'private',
      'sender_type',
      'sender_id',
      'content',
      'source_created_at',
      'created_at',
      sql<unknown>`jsonb_build_object(
        'sender', jsonb_build_object('name', data->'sender'->'name'),
        'attachments', data->'attachments',
        'content_attributes', jsonb_build_object('deleted', data->'content_attributes'->'deleted'))`.as(
        'data',
      ),
    ])
    .where('project_id', '=', scope.projectId)
    .where(
      'conversation_global_id',
      'in',
      conversations.map((c) => c.id),
    )
    .execute();
  const contactById = new Map(contacts.map((c) => [c.id, c]));
  const byConversation = new Map<string, typeof messages>();
  for (const m of messages) {
    const list = byConversation.get(m.conversation_global_id) ?? [];
    list.push(m);
    byConversation.set(m.conversation_global_id, list);
  }
  return conversations.map((c) =>
    conversationViewFromRows(
      c,
      c.contact_global_id ? (contactById.get(c.contact_global_id) ?? null) : null,
      byConversation.get(c.id) ?? [],
    ),
  );
}

import type { ConversationView, MessageAuthor, MessageView } from './types.js';

/**
 * Building the detectors' views from the stored Chatwoot rows (`cw_messages`,
 * `cw_conversations`, `cw_contacts`; columns as in server/db/migrations/0001_initial_schema.sql
 * and server/src/modules/connectors/chatwoot/normalize.ts). Typed structurally, so this folder depends on
 * no other module.
 */
export interface StoredMessageRow {
  id: string;
  /** 0 incoming, 1 outgoing, 2 activity, 3 template (Chatwoot's enum). */
  message_type: number;
  private: boolean;
  sender_type: string | null;
  sender_id: number | string | null;
  content: string | null;
  data: unknown;
  source_created_at: string | Date | null;
  created_at?: string | Date | null;
}

export interface StoredConversationRow {
  id: string;
  status: string | null;
  contact_global_id: string | null;
  last_activity_at: string | Date | null;
}

export interface StoredContactRow {
  id: string;
  name: string | null;
  person_id?: string | null;
  organization_id?: string | null;
}

function iso(value: string | Date | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/** Null for what is not a message between people: activity rows and deleted messages. */
export function messageViewFromRow(row: StoredMessageRow): MessageView | null {
  const data = record(row.data);
  if (row.message_type === 2) return null;
  if (record(data.content_attributes).deleted === true) return null;
  const createdAt = iso(row.source_created_at) ?? iso(row.created_at);
  if (!createdAt) return null;
  const incoming = row.message_type === 0;
  const direction: MessageView['direction'] = incoming
    ? 'inbound'
    : row.private
      ? 'note'
      : 'outbound';
  const senderType = (row.sender_type ?? '').toLowerCase();
  const kind: MessageAuthor['kind'] =
    senderType === 'contact'
      ? 'contact'
      : senderType === 'agentbot' || senderType === 'agent_bot'
        ? 'bot'
        : senderType === 'user'
          ? 'user'
          : incoming
            ? 'contact'
            : 'user';
  const sender = record(data.sender);
  const attachments = data.attachments;
  return {
    id: row.id,
    direction,
    author: {
      kind,
      id: row.sender_id === null ? null : String(row.sender_id),
      name: typeof sender.name === 'string' ? sender.name : null,
    },
    text: row.content ?? '',
    created_at: createdAt,
    has_attachments: Array.isArray(attachments) && attachments.length > 0,
  };
}

export function conversationViewFromRows(
  conversation: StoredConversationRow,
  contact: StoredContactRow | null,
  messages: StoredMessageRow[],
): ConversationView {
  return {
    conversation: {
      id: conversation.id,
      status: conversation.status,
      contact: contact
        ? {
            id: contact.id,
            name: contact.name,
            person_id: contact.person_id ?? null,
            organization_id: contact.organization_id ?? null,
          }
        : conversation.contact_global_id
          ? { id: conversation.contact_global_id, name: null }
          : null,
      last_activity_at: iso(conversation.last_activity_at),
    },
    messages: messages.map(messageViewFromRow).filter((m): m is MessageView => m !== null),
  };
}

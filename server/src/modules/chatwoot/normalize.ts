import type { ChatwootContact, ChatwootConversation, ChatwootMessage } from './client.js';
import { contactGlobalId, conversationGlobalId, messageGlobalId } from './ids.js';
import { chatwootSeconds, parseChatwootTime } from './time.js';

/**
 * Source payloads (REST list items and webhook bodies, which differ in shape: API-NOTES §3, §4,
 * §8) mapped onto the raw tables' columns. The raw payload is kept whole in `data`.
 */

export interface Ids {
  projectId: string;
  accountId: number;
}

export type ContactOrigin = 'contacts_list' | 'conversation' | 'webhook';

export interface ContactRow {
  id: string;
  account_id: number;
  contact_id: number;
  name: string | null;
  email: string | null;
  phone: string | null;
  identifier: string | null;
  custom_attributes: unknown;
  data: unknown;
  source_created_at: string | null;
  seen_via: ContactOrigin;
}

export interface ConversationRow {
  id: string;
  account_id: number;
  conversation_id: number;
  inbox_id: number | null;
  status: string | null;
  assignee_id: number | null;
  contact_global_id: string | null;
  data: unknown;
  last_activity_at: string | null;
  source_created_at: string | null;
  source_updated_at: string | null;
}

export interface MessageRow {
  id: string;
  account_id: number;
  message_id: number;
  conversation_global_id: string;
  contact_global_id: string | null;
  sender_type: string | null;
  sender_id: number | null;
  private: boolean;
  message_type: number;
  content_type: string | null;
  content: string | null;
  data: unknown;
  source_created_at: string | null;
  source_updated_at: string | null;
}

const MESSAGE_TYPES: Record<string, number> = {
  incoming: 0,
  outgoing: 1,
  activity: 2,
  template: 3,
};
const SENDER_TYPES: Record<string, string> = {
  contact: 'Contact',
  user: 'User',
  agent_bot: 'AgentBot',
};

const iso = (value: unknown) => parseChatwootTime(value)?.toISOString() ?? null;
const text = (value: unknown) => (typeof value === 'string' ? value : null);
const int = (value: unknown) =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;

export function toContactRow(
  ids: Ids,
  contact: ChatwootContact,
  seenVia: ContactOrigin,
): ContactRow {
  return {
    id: contactGlobalId(ids.projectId, ids.accountId, contact.id),
    account_id: ids.accountId,
    contact_id: contact.id,
    name: text(contact.name),
    email: text(contact.email),
    phone: text(contact.phone_number),
    identifier: text(contact.identifier),
    custom_attributes: contact.custom_attributes ?? {},
    data: contact,
    source_created_at: iso(contact.created_at),
    seen_via: seenVia,
  };
}

export function toConversationRow(ids: Ids, conversation: ChatwootConversation): ConversationRow {
  const sender = conversation.meta?.sender;
  const assignee = conversation.meta?.assignee;
  const updatedAt = chatwootSeconds(conversation.updated_at);
  return {
    id: conversationGlobalId(ids.projectId, ids.accountId, conversation.id),
    account_id: ids.accountId,
    conversation_id: conversation.id,
    inbox_id: int(conversation.inbox_id),
    status: text(conversation.status),
    assignee_id: int(assignee?.id),
    contact_global_id:
      sender?.id !== undefined ? contactGlobalId(ids.projectId, ids.accountId, sender.id) : null,
    data: conversation,
    last_activity_at: iso(conversation.last_activity_at ?? conversation.timestamp),
    source_created_at: iso(conversation.created_at),
    source_updated_at: updatedAt === null ? null : new Date(updatedAt * 1000).toISOString(),
  };
}

/** `contactGlobal` is the conversation's contact: every message of a thread belongs to its client. */
export function toMessageRow(
  ids: Ids,
  message: ChatwootMessage,
  contactGlobal: string | null,
): MessageRow {
  const sender = message.sender ?? null;
  const senderType =
    text(message.sender_type) ??
    (sender
      ? (SENDER_TYPES[String(sender.type)] ??
        (sender.type === undefined ? 'Contact' : String(sender.type)))
      : null);
  return {
    id: messageGlobalId(ids.projectId, ids.accountId, message.id),
    account_id: ids.accountId,
    message_id: message.id,
    conversation_global_id: conversationGlobalId(
      ids.projectId,
      ids.accountId,
      message.conversation_id,
    ),
    contact_global_id: contactGlobal,
    sender_type: senderType,
    sender_id: int(message.sender_id) ?? int(sender?.id),
    private: message.private === true,
    message_type: messageTypeOf(message.message_type),
    content_type: text(message.content_type),
    content: text(message.content),
    data: message,
    source_created_at: iso(message.created_at),
    source_updated_at: iso(message.updated_at),
  };
}

/** REST and push events send an integer, webhooks a string (API-NOTES §2). */
export function messageTypeOf(value: unknown): number {
  if (typeof value === 'number') return value;
  return MESSAGE_TYPES[String(value)] ?? 2;
}

/** Chatwoot "deletes" a message by blanking it and flagging content_attributes.deleted. */
export function isDeletedMessage(data: unknown): boolean {
  const attributes = (data as { content_attributes?: unknown } | null)?.content_attributes;
  return (
    typeof attributes === 'object' &&
    attributes !== null &&
    (attributes as { deleted?: unknown }).deleted === true
  );
}

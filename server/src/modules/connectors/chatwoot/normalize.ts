import type { ChatwootContact, ChatwootConversation, ChatwootMessage } from './client.js';
import { contactGlobalId, conversationGlobalId, messageGlobalId } from './ids.js';
import { MESSAGE_TYPES } from './payloads.js';
import { chatwootSeconds, parseChatwootTime } from './time.js';

/**
 * Source payloads (REST list items and webhook bodies, which differ in shape: docs/chatwoot.md §3, §4,
 * §8) mapped onto the raw tables' columns. The raw payload is kept whole in `data`.
 *
 * A REST object is whole: a key it leaves out is empty (REST omits an unassigned conversation's
 * `meta.assignee`). A webhook object is taken as it comes: it may carry only part of an object,
 * and then `carried` lists the columns it speaks for and the write keeps every other column as
 * stored (sql.ts), so a partial event can update a field but never null the others.
 */

/** The columns a row speaks for; null when it is a whole object and speaks for all of them. */
export type Carried<Row> = (keyof Row & string)[] | null;

export interface RowOptions {
  /** The payload may be partial: only its keys are written (webhooks). */
  partial?: boolean;
}

const has = (object: unknown, key: string) =>
  typeof object === 'object' && object !== null && Object.hasOwn(object, key);

function carriedColumns<Row>(
  partial: boolean | undefined,
  columns: [keyof Row & string, boolean][],
): Carried<Row> {
  return partial ? columns.filter(([, present]) => present).map(([column]) => column) : null;
}

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
  carried: Carried<ContactRow>;
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
  carried: Carried<ConversationRow>;
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
  carried: Carried<MessageRow>;
}

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
  options: RowOptions = {},
): ContactRow {
  return {
    carried: carriedColumns<ContactRow>(options.partial, [
      ['name', has(contact, 'name')],
      ['email', has(contact, 'email')],
      ['phone', has(contact, 'phone_number')],
      ['identifier', has(contact, 'identifier')],
      ['custom_attributes', has(contact, 'custom_attributes')],
      ['source_created_at', has(contact, 'created_at')],
    ]),
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

export function toConversationRow(
  ids: Ids,
  conversation: ChatwootConversation,
  options: RowOptions = {},
): ConversationRow {
  const sender = conversation.meta?.sender;
  const assignee = conversation.meta?.assignee;
  const updatedAt = chatwootSeconds(conversation.updated_at);
  return {
    carried: carriedColumns<ConversationRow>(options.partial, [
      ['inbox_id', has(conversation, 'inbox_id')],
      ['status', has(conversation, 'status')],
      ['assignee_id', has(conversation.meta, 'assignee')],
      ['contact_global_id', has(conversation.meta, 'sender')],
      ['last_activity_at', has(conversation, 'last_activity_at') || has(conversation, 'timestamp')],
      ['source_created_at', has(conversation, 'created_at')],
      ['source_updated_at', has(conversation, 'updated_at')],
    ]),
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

/**
 * `contactGlobal` is the conversation's contact: every message of a thread belongs to its client
 * (undefined when a partial conversation did not say). `conversationId` is the thread's display id.
 */
export function toMessageRow(
  ids: Ids,
  message: ChatwootMessage,
  conversationId: number,
  contactGlobal: string | null | undefined,
  options: RowOptions = {},
): MessageRow {
  const sender = message.sender ?? null;
  const senderType =
    text(message.sender_type) ??
    (sender
      ? (SENDER_TYPES[String(sender.type)] ??
        (sender.type === undefined ? 'Contact' : String(sender.type)))
      : null);
  return {
    carried: carriedColumns<MessageRow>(options.partial, [
      ['contact_global_id', contactGlobal !== undefined],
      ['sender_type', has(message, 'sender_type') || has(message, 'sender')],
      ['sender_id', has(message, 'sender_id') || has(message, 'sender')],
      ['private', has(message, 'private')],
      ['message_type', has(message, 'message_type')],
      ['content_type', has(message, 'content_type')],
      ['content', has(message, 'content')],
      ['source_created_at', has(message, 'created_at')],
      ['source_updated_at', has(message, 'updated_at')],
    ]),
    id: messageGlobalId(ids.projectId, ids.accountId, message.id),
    account_id: ids.accountId,
    message_id: message.id,
    conversation_global_id: conversationGlobalId(ids.projectId, ids.accountId, conversationId),
    contact_global_id: contactGlobal ?? null,
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

/** REST and push events send an integer, webhooks a string (docs/chatwoot.md §2). */
export function messageTypeOf(value: unknown): number {
  if (typeof value === 'number') return value;
  // The payload schema admits only the four names; a message that names none is an activity.
  return MESSAGE_TYPES[value as keyof typeof MESSAGE_TYPES] ?? MESSAGE_TYPES.activity;
}

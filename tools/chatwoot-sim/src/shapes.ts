// JSON shapes, field for field and in Chatwoot's key order (see reference/chatwoot/examples).
// Key order matters to nobody's parser, but byte-identical output and diffs against real captures do.
import type { AccountState, ChangedAttribute, ConversationSummary } from './account-state.js';
import type { Attachment, MessageRecord } from './conversation-messages.js';
import {
  findAgent,
  findContact,
  findInbox,
  type Agent,
  type Contact,
  type ConversationRecord,
  type Inbox,
} from './world.js';

type Json = Record<string, unknown>;

const MESSAGE_TYPE_NAMES = ['incoming', 'outgoing', 'activity', 'template'] as const;

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

function storageUrl(
  account: AccountState,
  kind: 'blobs' | 'representations',
  id: number,
  fileName: string,
): string {
  const key = Buffer.from(JSON.stringify({ _rails: { data: id, pur: 'blob_id' } })).toString(
    'base64',
  );
  return `https://chat.${account.world.host}/rails/active_storage/${kind}/redirect/${key}--${id.toString(16).padStart(8, '0')}/${fileName}`;
}

// ---- contacts ---------------------------------------------------------------------------------

/** Contact push-event data: message senders, messages-list meta.contact, webhook meta.sender. */
export function contactPush(contact: Contact): Json {
  return {
    additional_attributes: contact.additionalAttributes,
    custom_attributes: contact.customAttributes,
    email: contact.email,
    id: contact.id,
    identifier: contact.identifier,
    name: contact.name,
    phone_number: contact.phoneNumber,
    thumbnail: '',
    blocked: contact.blocked,
    type: 'contact',
  };
}

/** The _contact partial: conversation meta.sender and (with contact_inboxes) the contacts API. */
export function contactModel(account: AccountState, contact: Contact, withInboxes: boolean): Json {
  const out: Json = {
    additional_attributes: contact.additionalAttributes,
    availability_status: contact.availabilityStatus,
    email: contact.email,
    id: contact.id,
    name: contact.name,
    phone_number: contact.phoneNumber,
    blocked: contact.blocked,
    identifier: contact.identifier,
    thumbnail: '',
    custom_attributes: contact.customAttributes,
  };
  // The key is omitted, not null, when the contact never had activity.
  const lastActivity = account.contactLastActivityAt(contact);
  if (lastActivity !== null) out['last_activity_at'] = lastActivity;
  out['created_at'] = contact.createdAt;
  if (withInboxes) {
    out['contact_inboxes'] = contact.contactInboxes.map((ci) => ({
      source_id: ci.sourceId,
      inbox: inboxSlim(findInbox(account.world, ci.inboxId)!),
    }));
  }
  return out;
}

function inboxSlim(inbox: Inbox): Json {
  return {
    id: inbox.id,
    avatar_url: '',
    channel_id: inbox.channelId,
    name: inbox.name,
    channel_type: inbox.channelType,
    provider: inbox.provider,
  };
}

export function contactWebhook(account: AccountState, contact: Contact): Json {
  return {
    account: accountWebhook(account),
    additional_attributes: contact.additionalAttributes,
    avatar: '',
    custom_attributes: contact.customAttributes,
    email: contact.email,
    id: contact.id,
    identifier: contact.identifier,
    name: contact.name,
    phone_number: contact.phoneNumber,
    thumbnail: '',
    blocked: contact.blocked,
  };
}

function accountWebhook(account: AccountState): Json {
  return { id: account.accountId, name: account.world.accountName };
}

// ---- users ------------------------------------------------------------------------------------

export function userPush(agent: Agent): Json {
  return {
    id: agent.id,
    name: agent.name,
    available_name: agent.name,
    avatar_url: agent.thumbnail,
    type: 'user',
    availability_status: agent.availabilityStatus,
    thumbnail: agent.thumbnail,
  };
}

/** The agent partial used for conversation meta.assignee in REST. */
export function agentModel(account: AccountState, agent: Agent): Json {
  return {
    id: agent.id,
    account_id: account.accountId,
    availability_status: agent.availabilityStatus,
    auto_offline: true,
    confirmed: true,
    email: agent.email,
    provider: 'email',
    available_name: agent.name,
    name: agent.name,
    role: agent.role,
    thumbnail: agent.thumbnail,
    custom_role_id: null,
  };
}

export function profile(accounts: AccountState[], token: string, userId: number): Json {
  const home = accounts[0]!;
  const agent = findAgent(home.world, userId)!;
  return {
    access_token: token,
    account_id: home.accountId,
    available_name: agent.name,
    avatar_url: agent.thumbnail,
    confirmed: true,
    display_name: null,
    message_signature: null,
    email: agent.email,
    id: agent.id,
    inviter_id: null,
    name: agent.name,
    provider: 'email',
    pubsub_token: 'p7Kd2xQm9RvT4sLw8NcY3bZa',
    role: agent.role,
    ui_settings: {},
    uid: agent.email,
    type: null,
    accounts: accounts.map((account) => ({
      id: account.accountId,
      name: account.world.accountName,
      status: 'active',
      active_at: null,
      role: agent.role,
      permissions: agent.role === 'administrator' ? ['administrator'] : ['agent'],
      availability: agent.availabilityStatus,
      availability_status: agent.availabilityStatus,
      auto_offline: true,
      custom_role_id: null,
      custom_role: null,
    })),
  };
}

// ---- messages ---------------------------------------------------------------------------------

function attachmentJson(account: AccountState, messageId: number, attachment: Attachment): Json {
  const image = attachment.fileType === 'image';
  return {
    id: attachment.id,
    message_id: messageId,
    file_type: attachment.fileType,
    account_id: account.accountId,
    extension: null,
    content_type: attachment.contentType,
    data_url: storageUrl(account, 'blobs', attachment.id, attachment.fileName),
    thumb_url: image
      ? storageUrl(account, 'representations', attachment.id, attachment.fileName)
      : '',
    file_size: attachment.fileSize,
    width: attachment.width,
    height: attachment.height,
  };
}

function senderPush(account: AccountState, message: MessageRecord): Json | undefined {
  if (!message.sender) return undefined;
  if (message.sender.kind === 'contact') {
    const contact = findContact(account.world, message.sender.id);
    return contact ? contactPush(contact) : undefined;
  }
  const agent = findAgent(account.world, message.sender.id);
  return agent ? userPush(agent) : undefined;
}

/** The REST message (_message partial): list and create responses. */
export function restMessage(
  account: AccountState,
  conversation: ConversationRecord,
  message: MessageRecord,
): Json {
  const out: Json = { id: message.id, content: message.content, inbox_id: conversation.inboxId };
  if (message.echoId !== undefined) out['echo_id'] = message.echoId;
  Object.assign(out, {
    conversation_id: conversation.displayId,
    message_type: message.messageType,
    content_type: message.contentType,
    status: message.status,
    content_attributes: message.contentAttributes,
    created_at: message.createdAt,
    private: message.private,
    source_id: message.sourceId,
  });
  const sender = senderPush(account, message);
  if (sender) out['sender'] = sender;
  if (message.attachments.length > 0)
    out['attachments'] = message.attachments.map((a) => attachmentJson(account, message.id, a));
  return out;
}

/** Message#push_event_data: conversation.messages[] and last_non_activity_message. */
export function pushMessage(
  account: AccountState,
  conversation: ConversationRecord,
  message: MessageRecord,
  summary: ConversationSummary,
): Json {
  const contactInbox = findContact(account.world, conversation.contactId)?.contactInboxes.find(
    (ci) => ci.id === conversation.contactInboxId,
  );
  const out: Json = {
    id: message.id,
    content: message.content,
    account_id: account.accountId,
    inbox_id: conversation.inboxId,
    conversation_id: conversation.displayId,
    message_type: message.messageType,
    created_at: message.createdAt,
    updated_at: new Date(message.updatedAtMs).toISOString(),
    private: message.private,
    status: message.status,
    source_id: message.sourceId,
    content_type: message.contentType,
    content_attributes: message.contentAttributes,
    sender_type: message.sender ? (message.sender.kind === 'contact' ? 'Contact' : 'User') : null,
    sender_id: message.sender?.id ?? null,
    external_source_ids: {},
    additional_attributes: {},
    processed_message_content: message.content,
    sentiment: {},
    conversation: {
      assignee_id: conversation.assigneeId,
      unread_count: summary.unreadCount,
      last_activity_at: summary.lastActivityAt,
      contact_inbox: { source_id: contactInbox?.sourceId ?? null },
    },
  };
  if (message.attachments.length > 0)
    out['attachments'] = message.attachments.map((a) => attachmentJson(account, message.id, a));
  if (message.echoId !== undefined) out['echo_id'] = message.echoId;
  const sender = senderPush(account, message);
  if (sender) out['sender'] = sender;
  return out;
}

// ---- conversations ----------------------------------------------------------------------------

function teamJson(account: AccountState, teamId: number): Json | undefined {
  const team = account.world.teams.find((t) => t.id === teamId);
  if (!team) return undefined;
  return {
    id: team.id,
    name: team.name,
    description: team.description,
    allow_auto_assign: team.allowAutoAssign,
    account_id: account.accountId,
    is_member: team.memberIds.includes(account.world.tokenUserId),
  };
}

/** A conversation list item, also the body of GET /conversations/{id}. */
export function conversationItem(
  account: AccountState,
  conversation: ConversationRecord,
  summary = account.summary(conversation),
): Json {
  const contact = findContact(account.world, conversation.contactId)!;
  const inbox = findInbox(account.world, conversation.inboxId)!;
  const meta: Json = { sender: contactModel(account, contact, false), channel: inbox.channelType };
  const assignee =
    conversation.assigneeId === null
      ? undefined
      : findAgent(account.world, conversation.assigneeId);
  if (assignee) {
    meta['assignee'] = agentModel(account, assignee);
    meta['assignee_type'] = 'User';
  }
  const team = conversation.teamId === null ? undefined : teamJson(account, conversation.teamId);
  if (team) meta['team'] = team;
  meta['hmac_verified'] = false;
  return {
    meta,
    id: conversation.displayId,
    messages: summary.last ? [pushMessage(account, conversation, summary.last, summary)] : [],
    account_id: account.accountId,
    uuid: conversation.uuid,
    additional_attributes: conversation.additionalAttributes,
    agent_last_seen_at: summary.agentLastSeenAt,
    assignee_last_seen_at: assignee ? summary.agentLastSeenAt : 0,
    can_reply: canReply(conversation, summary),
    contact_last_seen_at: summary.contactLastSeenAt,
    custom_attributes: conversation.customAttributes,
    inbox_id: conversation.inboxId,
    labels: conversation.labels,
    muted: contact.blocked,
    snoozed_until: conversation.snoozedUntil,
    status: conversation.status,
    created_at: conversation.createdAt,
    updated_at: summary.updatedAt,
    timestamp: summary.lastActivityAt,
    first_reply_created_at: summary.firstReplyCreatedAt,
    unread_count: summary.unreadCount,
    last_non_activity_message: summary.lastNonActivity
      ? pushMessage(account, conversation, summary.lastNonActivity, summary)
      : null,
    last_activity_at: summary.lastActivityAt,
    priority: conversation.priority,
    waiting_since: summary.waitingSince,
    sla_policy_id: null,
  };
}

/** WhatsApp's 24-hour window; the other generated channels always allow a reply. */
function canReply(conversation: ConversationRecord, summary: ConversationSummary): boolean {
  if (conversation.inboxId !== 4) return true;
  const lastIncoming = [...summary.messages].reverse().find((m) => m.messageType === 0);
  return lastIncoming !== undefined && Date.now() / 1000 - lastIncoming.createdAt < 86_400;
}

export function messagesMeta(
  account: AccountState,
  conversation: ConversationRecord,
  summary: ConversationSummary,
): Json {
  const contact = findContact(account.world, conversation.contactId)!;
  const meta: Json = {
    labels: conversation.labels,
    additional_attributes: conversation.additionalAttributes,
    contact: contactPush(contact),
  };
  const assignee =
    conversation.assigneeId === null
      ? undefined
      : findAgent(account.world, conversation.assigneeId);
  if (assignee) meta['assignee'] = userPush(assignee);
  // ISO strings or null here, unlike the integers of the conversation list.
  meta['agent_last_seen_at'] = summary.agentLastSeenAt ? iso(summary.agentLastSeenAt) : null;
  meta['assignee_last_seen_at'] =
    assignee && summary.agentLastSeenAt ? iso(summary.agentLastSeenAt) : null;
  return meta;
}

// ---- webhooks ---------------------------------------------------------------------------------

/** Conversations::EventDataPresenter: every meta key is present, nulls included. */
export function conversationWebhook(
  account: AccountState,
  conversation: ConversationRecord,
  summary = account.summary(conversation),
): Json {
  const contact = findContact(account.world, conversation.contactId)!;
  const inbox = findInbox(account.world, conversation.inboxId)!;
  const contactInbox =
    contact.contactInboxes.find((ci) => ci.id === conversation.contactInboxId) ??
    contact.contactInboxes[0];
  const assignee =
    conversation.assigneeId === null
      ? undefined
      : findAgent(account.world, conversation.assigneeId);
  return {
    additional_attributes: conversation.additionalAttributes,
    can_reply: canReply(conversation, summary),
    channel: inbox.channelType,
    contact_inbox: contactInbox
      ? {
          id: contactInbox.id,
          contact_id: contact.id,
          inbox_id: contactInbox.inboxId,
          source_id: contactInbox.sourceId,
          created_at: iso(contactInbox.createdAt),
          updated_at: iso(contactInbox.createdAt),
          hmac_verified: false,
          pubsub_token: contactInbox.pubsubToken,
        }
      : null,
    id: conversation.displayId,
    inbox_id: conversation.inboxId,
    messages: summary.lastPublic
      ? [pushMessage(account, conversation, summary.lastPublic, summary)]
      : [],
    labels: conversation.labels,
    meta: {
      sender: contactPush(contact),
      assignee: assignee ? userPush(assignee) : null,
      assignee_type: assignee ? 'User' : null,
      team: (conversation.teamId !== null && teamJson(account, conversation.teamId)) || null,
      hmac_verified: false,
    },
    status: conversation.status,
    custom_attributes: conversation.customAttributes,
    snoozed_until: conversation.snoozedUntil,
    unread_count: summary.unreadCount,
    first_reply_created_at: summary.firstReplyCreatedAt ? iso(summary.firstReplyCreatedAt) : null,
    priority: conversation.priority,
    waiting_since: summary.waitingSince,
    agent_last_seen_at: summary.agentLastSeenAt,
    contact_last_seen_at: summary.contactLastSeenAt,
    last_activity_at: summary.lastActivityAt,
    timestamp: summary.lastActivityAt,
    created_at: conversation.createdAt,
    updated_at: summary.updatedAt,
    account: accountWebhook(account),
  };
}

/** Message#webhook_data: string message_type, ISO created_at, slim user sender. */
export function messageWebhook(
  account: AccountState,
  conversation: ConversationRecord,
  message: MessageRecord,
): Json {
  const inbox = findInbox(account.world, conversation.inboxId)!;
  let sender: Json | null = null;
  if (message.sender?.kind === 'contact') {
    const contact = findContact(account.world, message.sender.id);
    if (contact) sender = contactWebhook(account, contact);
  } else if (message.sender?.kind === 'user') {
    const agent = findAgent(account.world, message.sender.id);
    if (agent) sender = { id: agent.id, name: agent.name, email: agent.email, type: 'user' };
  }
  const out: Json = {
    account: accountWebhook(account),
    additional_attributes: {},
    content_attributes: message.contentAttributes,
    content_type: message.contentType,
    content: message.content,
    conversation: conversationWebhook(account, conversation),
    created_at: iso(message.createdAt),
    id: message.id,
    inbox: { id: inbox.id, name: inbox.name },
    message_type: MESSAGE_TYPE_NAMES[message.messageType],
    private: message.private,
    sender,
    source_id: message.sourceId,
  };
  if (message.attachments.length > 0)
    out['attachments'] = message.attachments.map((a) => attachmentJson(account, message.id, a));
  return out;
}

export function withChanges(body: Json, changed: ChangedAttribute[] | null): Json {
  return { ...body, changed_attributes: changed };
}

// One account's live state: the generated world plus the overrides that control operations and
// API writes add. Generated messages are rebuilt on demand; only changes are kept in memory.
import {
  activityText,
  materialiseConversation,
  type MessageRecord,
  type MessageStatus,
  type SenderRef,
} from './conversation-messages.js';
import { mix, rngFor, unit } from './random.js';
import {
  findAgent,
  findContact,
  findConversation,
  type Contact,
  type ConversationRecord,
  type ConversationStatus,
  type World,
} from './world.js';

export interface ConversationSummary {
  messages: MessageRecord[];
  last: MessageRecord | null;
  lastNonActivity: MessageRecord | null;
  /** Latest message that is neither private nor activity: what webhooks nest. */
  lastPublic: MessageRecord | null;
  lastActivityAt: number;
  firstReplyCreatedAt: number;
  waitingSince: number;
  unreadCount: number;
  agentLastSeenAt: number;
  contactLastSeenAt: number;
  updatedAt: number;
}

interface MessageOverride {
  content: string | null;
  contentType: string;
  contentAttributes: Record<string, unknown>;
  updatedAtMs: number;
  dropAttachments: boolean;
}

export type AccountEvent =
  | {
      event: 'message_created' | 'message_updated';
      conversation: ConversationRecord;
      message: MessageRecord;
    }
  | { event: 'conversation_created'; conversation: ConversationRecord }
  | { event: 'conversation_status_changed'; conversation: ConversationRecord }
  | { event: 'conversation_updated'; conversation: ConversationRecord; changed: ChangedAttribute[] }
  | { event: 'contact_created'; contact: Contact }
  | { event: 'contact_updated'; contact: Contact; changed: ChangedAttribute[] };

export type ChangedAttribute = Record<string, { previous_value: unknown; current_value: unknown }>;

export interface NewMessageInput {
  content: string | null;
  messageType: 0 | 1 | 2 | 3;
  private?: boolean;
  sender?: SenderRef;
  contentType?: string;
  contentAttributes?: Record<string, unknown>;
  sourceId?: string | null;
  echoId?: string;
  status?: MessageStatus;
}

export interface NewConversationInput {
  contactId?: number;
  contact?: {
    name: string;
    email?: string | null;
    phoneNumber?: string | null;
    identifier?: string | null;
  };
  inboxId?: number;
  status?: ConversationStatus;
  assigneeId?: number | null;
  labels?: string[];
  /** First incoming message, if any. */
  content?: string;
}

const CACHE_SIZE = 256;
/** Chatwoot's CONVERSATION_MESSAGE_PER_MINUTE_LIMIT default. */
export const MESSAGES_PER_MINUTE_LIMIT = 200;

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

export class AccountState {
  readonly world: World;
  readonly counters = { materialisedConversations: 0, materialisedMessages: 0 };
  private readonly cache = new Map<number, MessageRecord[]>();
  private readonly overrides = new Map<number, MessageOverride>();
  private readonly added = new Map<number, MessageRecord[]>();
  private readonly addedById = new Map<number, MessageRecord>();
  private readonly recentCreates = new Map<number, number[]>();
  private burstsById: Uint32Array | null = null;
  private nextMessageId: number;

  constructor(
    world: World,
    private readonly clock: () => number,
    private readonly emit: (event: AccountEvent) => void,
  ) {
    this.world = world;
    this.nextMessageId = world.timeline.lastGeneratedId + 1;
  }

  get accountId(): number {
    return this.world.accountId;
  }

  conversation(displayId: number): ConversationRecord | undefined {
    return findConversation(this.world, displayId);
  }

  contact(id: number): Contact | undefined {
    return findContact(this.world, id);
  }

  // ---- reading --------------------------------------------------------------------------------

  private generated(conversation: ConversationRecord): MessageRecord[] {
    const cached = this.cache.get(conversation.index);
    if (cached) {
      this.cache.delete(conversation.index);
      this.cache.set(conversation.index, cached);
      return cached;
    }
    const built = materialiseConversation(this.world, conversation);
    this.counters.materialisedConversations++;
    this.counters.materialisedMessages += built.length;
    this.cache.set(conversation.index, built);
    if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as number);
    return built;
  }

  /** Every message the API would list for the conversation, oldest first, with edits applied. */
  messagesOf(conversation: ConversationRecord): MessageRecord[] {
    const base = conversation.burstCount > 0 ? this.generated(conversation) : [];
    const out = this.overrides.size === 0 ? base.slice() : base.map((m) => this.withOverride(m));
    for (const message of this.added.get(conversation.index) ?? [])
      out.push(this.withOverride(message));
    return out;
  }

  private withOverride(message: MessageRecord): MessageRecord {
    const override = this.overrides.get(message.id);
    if (!override) return message;
    return {
      ...message,
      content: override.content,
      contentType: override.contentType,
      contentAttributes: override.contentAttributes,
      updatedAtMs: override.updatedAtMs,
      attachments: override.dropAttachments ? [] : message.attachments,
    };
  }

  /** Cheap: no message text is built. */
  lastActivityAt(conversation: ConversationRecord): number {
    const added = this.added.get(conversation.index);
    if (added && added.length > 0) return added[added.length - 1]!.createdAt;
    return conversation.generatedLastAt;
  }

  updatedAt(conversation: ConversationRecord): number {
    if (conversation.updatedAtOverride !== null) return conversation.updatedAtOverride;
    return round6(
      this.lastActivityAt(conversation) + unit(mix(this.world.seedHash, 8, conversation.index)),
    );
  }

  summary(conversation: ConversationRecord): ConversationSummary {
    const messages = this.messagesOf(conversation);
    let last: MessageRecord | null = null;
    let lastNonActivity: MessageRecord | null = null;
    let lastPublic: MessageRecord | null = null;
    let firstReply = 0;
    let waitingSince = conversation.createdAt;
    for (const message of messages) {
      last = message;
      if (message.messageType !== 2) lastNonActivity = message;
      if (message.messageType === 2 || message.private) continue;
      lastPublic = message;
      if (message.messageType === 1 && message.sender?.kind === 'user') {
        if (firstReply === 0) firstReply = message.createdAt;
        waitingSince = 0;
      } else if (message.messageType === 0 && waitingSince === 0) {
        waitingSince = message.createdAt;
      }
    }
    if (conversation.status === 'resolved') waitingSince = 0;
    const agentLastSeenAt = this.agentLastSeenAt(conversation, messages);
    let unread = 0;
    for (const message of messages) {
      if (message.messageType === 0 && message.createdAt > agentLastSeenAt) unread++;
    }
    const lastIncoming = [...messages].reverse().find((m) => m.messageType === 0);
    return {
      messages,
      last,
      lastNonActivity,
      lastPublic,
      lastActivityAt: last?.createdAt ?? conversation.createdAt,
      firstReplyCreatedAt: firstReply,
      waitingSince,
      // Chatwoot caps the unread counter at 10.
      unreadCount: Math.min(10, unread),
      agentLastSeenAt,
      contactLastSeenAt:
        conversation.inboxId === 1 && lastIncoming ? lastIncoming.createdAt + 2 : 0,
      updatedAt: this.updatedAt(conversation),
    };
  }

  /** Derived from generated history only: later writes never mark anything as seen. */
  private agentLastSeenAt(conversation: ConversationRecord, messages: MessageRecord[]): number {
    const generated = messages.filter((m) => m.id <= this.world.timeline.lastGeneratedId);
    if (generated.length === 0) return 0;
    const publicMessages = generated.filter((m) => m.messageType !== 2 && !m.private);
    const lastPublic = publicMessages[publicMessages.length - 1];
    const waiting =
      lastPublic?.messageType === 0 &&
      (conversation.status === 'open' || conversation.status === 'pending');
    if (!waiting) return generated[generated.length - 1]!.createdAt + 5;
    const lastReply = [...publicMessages].reverse().find((m) => m.messageType === 1);
    return lastReply ? lastReply.createdAt + 30 : 0;
  }

  contactLastActivityAt(contact: Contact): number | null {
    let latest: number | null = contact.lastActivityOverride;
    for (const index of contact.conversationIndexes) {
      const at = this.lastActivityAt(this.world.conversations[index]!);
      if (latest === null || at > latest) latest = at;
    }
    return latest;
  }

  /** Finds any message by id, generated or added. */
  findMessage(
    id: number,
  ): { conversation: ConversationRecord; message: MessageRecord } | undefined {
    const added = this.addedById.get(id);
    if (added)
      return {
        conversation: this.world.conversations[added.conversationIndex]!,
        message: this.withOverride(added),
      };
    if (id > this.world.timeline.lastGeneratedId || id < 1) return undefined;
    const conversation = this.conversationOfGeneratedId(id);
    if (!conversation) return undefined;
    const message = this.generated(conversation).find((m) => m.id === id);
    return message ? { conversation, message: this.withOverride(message) } : undefined;
  }

  private conversationOfGeneratedId(id: number): ConversationRecord | undefined {
    const timeline = this.world.timeline;
    if (!this.burstsById) {
      const order = new Uint32Array(timeline.burstFirstId.length);
      for (let i = 0; i < order.length; i++) order[i] = i;
      order.sort((a, b) => timeline.burstFirstId[a]! - timeline.burstFirstId[b]!);
      this.burstsById = order;
    }
    const order = this.burstsById;
    let lo = 0;
    let hi = order.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (timeline.burstFirstId[order[mid]!]! <= id) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return undefined;
    const burst = order[found]!;
    if (id >= timeline.burstFirstId[burst]! + timeline.burstSize[burst]!) return undefined;
    const conversations = this.world.conversations;
    lo = 0;
    hi = conversations.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const c = conversations[mid]!;
      if (burst < c.firstBurst) hi = mid - 1;
      else if (burst >= c.firstBurst + c.burstCount) lo = mid + 1;
      else return c;
    }
    return undefined;
  }

  // ---- writing --------------------------------------------------------------------------------

  private now(): number {
    return this.clock();
  }

  /** Chatwoot's per-conversation flood guard. */
  isFlooded(conversation: ConversationRecord): boolean {
    const now = this.now();
    const recent = (this.recentCreates.get(conversation.index) ?? []).filter((t) => t > now - 60);
    this.recentCreates.set(conversation.index, recent);
    return recent.length >= MESSAGES_PER_MINUTE_LIMIT;
  }

  addMessage(conversation: ConversationRecord, input: NewMessageInput): MessageRecord {
    const before = this.conversationFacts(conversation);
    const now = this.now();
    const createdAt = Math.floor(now);
    const message: MessageRecord = {
      id: this.nextMessageId++,
      conversationIndex: conversation.index,
      messageType: input.messageType,
      private: input.private ?? false,
      content: input.content,
      contentType: input.contentType ?? 'text',
      contentAttributes: input.contentAttributes ?? {},
      createdAt,
      updatedAtMs: Math.floor(now * 1000),
      status: input.status ?? 'sent',
      sourceId: input.sourceId ?? null,
      sender:
        input.sender === undefined
          ? defaultSender(conversation, input.messageType, this.world.tokenUserId)
          : input.sender,
      attachments: [],
    };
    const list = this.added.get(conversation.index) ?? [];
    list.push(message);
    this.added.set(conversation.index, list);
    this.addedById.set(message.id, message);
    this.recentCreates.set(conversation.index, [
      ...(this.recentCreates.get(conversation.index) ?? []),
      now,
    ]);
    conversation.updatedAtOverride = round6(now);
    const contact = findContact(this.world, conversation.contactId);
    if (contact && message.messageType === 0) contact.lastActivityOverride = createdAt;

    const created = input.echoId === undefined ? message : { ...message, echoId: input.echoId };
    if (message.messageType !== 2)
      this.emit({ event: 'message_created', conversation, message: created });
    // An incoming message reopens a resolved or snoozed conversation.
    if (
      message.messageType === 0 &&
      (conversation.status === 'resolved' || conversation.status === 'snoozed')
    ) {
      this.changeStatus(conversation, 'open', null, false, before);
    } else {
      this.emitConversationDiff(conversation, before, now);
    }
    return created;
  }

  editMessage(id: number, content: string): MessageRecord | undefined {
    const found = this.findMessage(id);
    if (!found) return undefined;
    const now = this.now();
    this.overrides.set(id, {
      content,
      contentType: found.message.contentType,
      contentAttributes: found.message.contentAttributes,
      updatedAtMs: Math.floor(now * 1000),
      dropAttachments: false,
    });
    found.conversation.updatedAtOverride = round6(now);
    const message = this.withOverride(found.message);
    if (message.messageType !== 2)
      this.emit({ event: 'message_updated', conversation: found.conversation, message });
    return message;
  }

  /** Chatwoot keeps deleted messages and blanks them (messages_controller#destroy). */
  deleteMessage(id: number): MessageRecord | undefined {
    const found = this.findMessage(id);
    if (!found) return undefined;
    const now = this.now();
    this.overrides.set(id, {
      content: 'This message was deleted',
      contentType: 'text',
      contentAttributes: { deleted: true },
      updatedAtMs: Math.floor(now * 1000),
      dropAttachments: true,
    });
    found.conversation.updatedAtOverride = round6(now);
    const message = this.withOverride(found.message);
    if (message.messageType !== 2)
      this.emit({ event: 'message_updated', conversation: found.conversation, message });
    return message;
  }

  setStatus(
    conversation: ConversationRecord,
    status: ConversationStatus,
    snoozedUntil: string | null = null,
  ): void {
    if (conversation.status === status && conversation.snoozedUntil === snoozedUntil) return;
    this.changeStatus(
      conversation,
      status,
      snoozedUntil,
      true,
      this.conversationFacts(conversation),
    );
  }

  private changeStatus(
    conversation: ConversationRecord,
    status: ConversationStatus,
    snoozedUntil: string | null,
    byAgent: boolean,
    before: ConversationFacts,
  ): void {
    const now = this.now();
    conversation.status = status;
    conversation.snoozedUntil = status === 'snoozed' ? snoozedUntil : null;
    if (byAgent) {
      const actor = findAgent(this.world, this.world.tokenUserId)!.name;
      this.addActivity(conversation, activityText(status, actor), now);
    }
    conversation.updatedAtOverride = round6(now);
    this.emit({ event: 'conversation_status_changed', conversation });
    this.emitConversationDiff(conversation, before, now);
  }

  assign(conversation: ConversationRecord, assigneeId: number | null): void {
    if (conversation.assigneeId === assigneeId) return;
    const now = this.now();
    const before = this.updatedAt(conversation);
    const previous = conversation.assigneeId;
    conversation.assigneeId = assigneeId;
    const actor = findAgent(this.world, this.world.tokenUserId)!.name;
    const assignee = assigneeId === null ? undefined : findAgent(this.world, assigneeId);
    this.addActivity(
      conversation,
      assignee ? `Assigned to ${assignee.name} by ${actor}` : `Conversation unassigned by ${actor}`,
      now,
    );
    conversation.updatedAtOverride = round6(now);
    this.emit({
      event: 'conversation_updated',
      conversation,
      changed: [
        { assignee_id: { previous_value: previous, current_value: assigneeId } },
        {
          updated_at: {
            previous_value: new Date(before * 1000).toISOString(),
            current_value: new Date(now * 1000).toISOString(),
          },
        },
      ],
    });
  }

  private addActivity(conversation: ConversationRecord, content: string, now: number): void {
    const message: MessageRecord = {
      id: this.nextMessageId++,
      conversationIndex: conversation.index,
      messageType: 2,
      private: false,
      content,
      contentType: 'text',
      contentAttributes: {},
      createdAt: Math.floor(now),
      updatedAtMs: Math.floor(now * 1000),
      status: 'sent',
      sourceId: null,
      sender: null,
      attachments: [],
    };
    const list = this.added.get(conversation.index) ?? [];
    list.push(message);
    this.added.set(conversation.index, list);
    this.addedById.set(message.id, message);
  }

  addConversation(input: NewConversationInput): ConversationRecord {
    const world = this.world;
    const now = this.now();
    let contact = input.contactId !== undefined ? findContact(world, input.contactId) : undefined;
    if (input.contactId !== undefined && !contact)
      throw new Error(`contact ${input.contactId} not found`);
    const inboxId = input.inboxId ?? contact?.contactInboxes[0]?.inboxId ?? 5;
    if (!world.inboxes.some((inbox) => inbox.id === inboxId))
      throw new Error(`inbox ${inboxId} not found`);
    const rng = rngFor(world.seedHash, 20, world.conversations.length);
    if (!contact) {
      const details = input.contact ?? { name: `Client ${world.contacts.length + 1}` };
      contact = {
        id: world.contacts.length + 1,
        name: details.name,
        email: details.email ?? null,
        phoneNumber: details.phoneNumber ?? null,
        identifier: details.identifier ?? null,
        additionalAttributes: {},
        customAttributes: {},
        availabilityStatus: 'offline',
        blocked: false,
        createdAt: Math.floor(now),
        language: /[а-яё]/i.test(details.name) ? 'ru' : 'en',
        contactInboxes: [],
        conversationIndexes: [],
        lastActivityOverride: null,
      };
      world.contacts.push(contact);
      this.emit({ event: 'contact_created', contact });
    }
    let contactInbox = contact.contactInboxes.find((ci) => ci.inboxId === inboxId);
    if (!contactInbox) {
      const nextId =
        Math.max(0, ...world.contacts.flatMap((c) => c.contactInboxes.map((ci) => ci.id))) + 1;
      contactInbox = {
        id: nextId,
        inboxId,
        sourceId: contact.email ?? rng.uuid(),
        createdAt: Math.floor(now),
        pubsubToken: rng.base58(24),
      };
      contact.contactInboxes.push(contactInbox);
    }
    const last = world.conversations[world.conversations.length - 1];
    const conversation: ConversationRecord = {
      index: world.conversations.length,
      displayId: (last?.displayId ?? 0) + 1,
      uuid: rng.uuid(),
      inboxId,
      contactId: contact.id,
      contactInboxId: contactInbox.id,
      assigneeId: input.assigneeId ?? null,
      teamId: null,
      status: input.status ?? 'open',
      priority: null,
      labels: [...(input.labels ?? [])].sort(),
      additionalAttributes: {},
      customAttributes: {},
      snoozedUntil: null,
      language: contact.language,
      topicIndex: 0,
      companyName: '',
      createdAt: Math.floor(now),
      generatedCount: 0,
      firstBurst: world.timeline.burstStart.length,
      burstCount: 0,
      updatedAtOverride: round6(now),
      generatedLastAt: Math.floor(now),
    };
    world.conversations.push(conversation);
    contact.conversationIndexes.push(conversation.index);
    this.emit({ event: 'conversation_created', conversation });
    if (input.content !== undefined) {
      this.addMessage(conversation, {
        content: input.content,
        messageType: 0,
        sender: { kind: 'contact', id: contact.id },
      });
    }
    return conversation;
  }

  updateContact(
    id: number,
    patch: Partial<Pick<Contact, 'name' | 'email' | 'phoneNumber' | 'identifier' | 'blocked'>> & {
      customAttributes?: Record<string, unknown>;
    },
  ): Contact | undefined {
    const contact = findContact(this.world, id);
    if (!contact) return undefined;
    const changed: ChangedAttribute[] = [];
    const columns: Record<string, string> = {
      name: 'name',
      email: 'email',
      phoneNumber: 'phone_number',
      identifier: 'identifier',
      blocked: 'blocked',
      customAttributes: 'custom_attributes',
    };
    for (const [key, column] of Object.entries(columns)) {
      if (!(key in patch)) continue;
      const next = (patch as Record<string, unknown>)[key];
      const previous = (contact as unknown as Record<string, unknown>)[key];
      if (JSON.stringify(previous) === JSON.stringify(next)) continue;
      (contact as unknown as Record<string, unknown>)[key] = next;
      changed.push({ [column]: { previous_value: previous, current_value: next } });
    }
    // contact_updated is skipped when nothing changed.
    if (changed.length > 0) {
      changed.push({
        updated_at: {
          previous_value: null,
          current_value: new Date(this.now() * 1000).toISOString(),
        },
      });
      this.emit({ event: 'contact_updated', contact, changed });
    }
    return contact;
  }

  private conversationFacts(conversation: ConversationRecord): ConversationFacts {
    const summary = this.summary(conversation);
    return {
      status: conversation.status,
      snoozed_until: conversation.snoozedUntil,
      waiting_since: summary.waitingSince,
      first_reply_created_at: summary.firstReplyCreatedAt,
      updated_at: summary.updatedAt,
    };
  }

  /** conversation_updated fires only for the columns Chatwoot watches, and lists every change. */
  private emitConversationDiff(
    conversation: ConversationRecord,
    before: ConversationFacts,
    now: number,
  ): void {
    const after = this.conversationFacts(conversation);
    const changed: ChangedAttribute[] = [];
    const asIso = (key: keyof ConversationFacts, value: unknown) => {
      if (value === null || value === 0) return null;
      if (key === 'status' || key === 'snoozed_until') return value;
      return new Date(Number(value) * 1000).toISOString();
    };
    for (const key of [
      'status',
      'snoozed_until',
      'waiting_since',
      'first_reply_created_at',
    ] as const) {
      if (before[key] !== after[key])
        changed.push({
          [key]: { previous_value: asIso(key, before[key]), current_value: asIso(key, after[key]) },
        });
    }
    if (changed.length === 0) return;
    changed.push({
      updated_at: {
        previous_value: asIso('updated_at', before.updated_at),
        current_value: new Date(now * 1000).toISOString(),
      },
    });
    this.emit({ event: 'conversation_updated', conversation, changed });
  }

  /** For ground truth: every message id in the account, without building every conversation at once. */
  *allMessages(): Generator<MessageRecord> {
    for (const conversation of this.world.conversations) yield* this.messagesOf(conversation);
  }

  stats(): {
    conversations: number;
    contacts: number;
    generatedMessages: number;
    addedMessages: number;
    editedMessages: number;
    lastMessageId: number;
  } {
    return {
      conversations: this.world.conversations.length,
      contacts: this.world.contacts.length,
      generatedMessages: this.world.conversations.reduce((sum, c) => sum + c.generatedCount, 0),
      addedMessages: this.addedById.size,
      editedMessages: this.overrides.size,
      lastMessageId: this.nextMessageId - 1,
    };
  }
}

interface ConversationFacts {
  status: ConversationStatus;
  snoozed_until: string | null;
  waiting_since: number;
  first_reply_created_at: number;
  updated_at: number;
}

function defaultSender(
  conversation: ConversationRecord,
  messageType: number,
  tokenUserId: number,
): SenderRef {
  if (messageType === 0) return { kind: 'contact', id: conversation.contactId };
  if (messageType === 1) return { kind: 'user', id: tokenUserId };
  return null;
}

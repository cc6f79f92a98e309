// The simulator's control surface, used in-process (sim.control) and over HTTP (/__sim/...).
import type { AccountEvent, ChangedAttribute } from './account-state.js';
import type { MessageType } from './conversation-messages.js';
import type { ActiveFault, FaultSpec } from './faults.js';
import { conversationItem, contactModel, restMessage } from './shapes.js';
import {
  InputError,
  NotFoundError,
  parseSender,
  type RequestLogEntry,
  type SentMessage,
  type SimCore,
} from './sim-core.js';
import { renderWebhookPayload, type WebhookDelivery, type WebhookEventName } from './webhooks.js';
import { CONVERSATION_STATUSES, type ConversationStatus } from './world.js';

type Json = Record<string, unknown>;

export interface AddMessageInput {
  conversationId: number;
  content: string | null;
  message_type?: 'incoming' | 'outgoing' | 'activity' | 'template' | MessageType;
  private?: boolean;
  /** Defaults: the contact for incoming, the token's user for outgoing, none for activity. */
  sender?: { type: 'contact' | 'user'; id: number } | null;
  accountId?: number;
}

export interface AddConversationInput {
  contactId?: number;
  contact?: {
    name: string;
    email?: string | null;
    phone_number?: string | null;
    identifier?: string | null;
  };
  inboxId?: number;
  status?: ConversationStatus;
  assigneeId?: number | null;
  labels?: string[];
  content?: string;
  accountId?: number;
}

export interface ContactPatch {
  name?: string;
  email?: string | null;
  phone_number?: string | null;
  identifier?: string | null;
  blocked?: boolean;
  custom_attributes?: Record<string, unknown>;
}

export interface SimStats {
  accounts: number;
  conversations: number;
  contacts: number;
  listedContacts: number;
  generatedMessages: number;
  addedMessages: number;
  editedMessages: number;
  lastMessageId: number;
  /** How many conversations / messages were rebuilt from the seed so far (laziness probe). */
  materialisedConversations: number;
  materialisedMessages: number;
  requests: number;
  webhookDeliveries: number;
}

export interface WebhookRef {
  accountId?: number;
  conversationId?: number;
  messageId?: number;
  contactId?: number;
  changedAttributes?: ChangedAttribute[];
}

export interface GroundTruth {
  /** Conversation list items exactly as the API renders them, in display id order. */
  conversations(options?: { accountId?: number }): Generator<Json>;
  /** REST messages of every conversation (conversation id, then message id ascending), built lazily. */
  messages(options?: { accountId?: number; conversationId?: number }): Generator<Json>;
  /** Every contact, listed or not, with contact_inboxes. */
  contacts(options?: { accountId?: number }): Generator<Json>;
  conversationIds(options?: { accountId?: number }): number[];
}

export interface SimControl {
  addMessage(input: AddMessageInput): Json;
  editMessage(id: number, content: string, options?: { accountId?: number }): Json;
  deleteMessage(id: number, options?: { accountId?: number }): Json;
  setConversationStatus(
    id: number,
    status: ConversationStatus,
    options?: { accountId?: number; snoozedUntil?: string | null },
  ): Json;
  /** Assigns to an agent (user id) or unassigns with null; emits conversation_updated. */
  assignConversation(id: number, assigneeId: number | null, options?: { accountId?: number }): Json;
  addConversation(input?: AddConversationInput): Json;
  updateContact(id: number, patch: ContactPatch, options?: { accountId?: number }): Json;
  stats(): SimStats;
  groundTruth: GroundTruth;
  listSentMessages(): SentMessage[];
  injectFault(spec: FaultSpec): ActiveFault;
  clearFaults(): void;
  faults(): ActiveFault[];
  requests(filter?: { route?: string }): RequestLogEntry[];
  clearRequests(): void;
  /** Points webhooks at a URL (null stops them); returns the signing secret in use. */
  configureWebhook(url: string | null, secret?: string): string;
  webhookDeliveries(): WebhookDelivery[];
  flushWebhooks(): Promise<void>;
  buildWebhookPayload(event: WebhookEventName, ref: WebhookRef): Json;
}

const TYPE_NAMES: Record<string, MessageType> = {
  incoming: 0,
  outgoing: 1,
  activity: 2,
  template: 3,
};

function messageTypeOf(value: AddMessageInput['message_type']): MessageType {
  if (value === undefined) return 0;
  if (typeof value === 'number' && [0, 1, 2, 3].includes(value)) return value;
  const named = TYPE_NAMES[String(value)];
  if (named === undefined)
    throw new InputError(`message_type must be incoming, outgoing, activity or template`);
  return named;
}

export function createControl(core: SimCore): SimControl {
  const locate = (conversationId: number, accountId?: number) => {
    const account = core.requireAccount(accountId);
    const conversation = account.conversation(conversationId);
    if (!conversation) throw new NotFoundError(`conversation ${conversationId} not found`);
    return { account, conversation };
  };

  const control: SimControl = {
    addMessage(input) {
      const { account, conversation } = locate(input.conversationId, input.accountId);
      const messageType = messageTypeOf(input.message_type);
      const message = account.addMessage(conversation, {
        content: input.content,
        messageType,
        private: input.private ?? false,
        sender: parseSender(input.sender),
      });
      return restMessage(account, conversation, message);
    },
    editMessage(id, content, options) {
      const account = core.requireAccount(options?.accountId);
      const message = account.editMessage(id, content);
      if (!message) throw new NotFoundError(`message ${id} not found`);
      return restMessage(account, account.world.conversations[message.conversationIndex]!, message);
    },
    deleteMessage(id, options) {
      const account = core.requireAccount(options?.accountId);
      const message = account.deleteMessage(id);
      if (!message) throw new NotFoundError(`message ${id} not found`);
      return restMessage(account, account.world.conversations[message.conversationIndex]!, message);
    },
    setConversationStatus(id, status, options) {
      if (!CONVERSATION_STATUSES.includes(status))
        throw new InputError(`status must be one of ${CONVERSATION_STATUSES.join(', ')}`);
      const { account, conversation } = locate(id, options?.accountId);
      account.setStatus(conversation, status, options?.snoozedUntil ?? null);
      return conversationItem(account, conversation);
    },
    assignConversation(id, assigneeId, options) {
      const { account, conversation } = locate(id, options?.accountId);
      if (assigneeId !== null && !account.world.agents.some((agent) => agent.id === assigneeId)) {
        throw new NotFoundError(`agent ${assigneeId} not found`);
      }
      account.assign(conversation, assigneeId);
      return conversationItem(account, conversation);
    },
    addConversation(input = {}) {
      const account = core.requireAccount(input.accountId);
      if (input.status !== undefined && !CONVERSATION_STATUSES.includes(input.status))
        throw new InputError('unknown status');
      try {
        const conversation = account.addConversation({
          contactId: input.contactId,
          contact: input.contact && {
            name: input.contact.name,
            email: input.contact.email,
            phoneNumber: input.contact.phone_number,
            identifier: input.contact.identifier,
          },
          inboxId: input.inboxId,
          status: input.status,
          assigneeId: input.assigneeId,
          labels: input.labels,
          content: input.content,
        });
        return conversationItem(account, conversation);
      } catch (error) {
        if (error instanceof Error && /not found/.test(error.message))
          throw new NotFoundError(error.message);
        throw error;
      }
    },
    updateContact(id, patch, options) {
      const account = core.requireAccount(options?.accountId);
      const contact = account.updateContact(id, {
        ...(patch.name !== undefined && { name: patch.name }),
        ...(patch.email !== undefined && { email: patch.email }),
        ...(patch.phone_number !== undefined && { phoneNumber: patch.phone_number }),
        ...(patch.identifier !== undefined && { identifier: patch.identifier }),
        ...(patch.blocked !== undefined && { blocked: patch.blocked }),
        ...(patch.custom_attributes !== undefined && { customAttributes: patch.custom_attributes }),
      });
      if (!contact) throw new NotFoundError(`contact ${id} not found`);
      return contactModel(account, contact, true);
    },
    stats() {
      const totals = core.accounts.map((a) => a.stats());
      const sum = (key: keyof (typeof totals)[number]) => totals.reduce((s, t) => s + t[key], 0);
      return {
        accounts: core.accounts.length,
        conversations: sum('conversations'),
        contacts: sum('contacts'),
        listedContacts: core.accounts.reduce(
          (s, a) =>
            s + a.world.contacts.filter((c) => c.email || c.phoneNumber || c.identifier).length,
          0,
        ),
        generatedMessages: sum('generatedMessages'),
        addedMessages: sum('addedMessages'),
        editedMessages: sum('editedMessages'),
        lastMessageId: Math.max(...totals.map((t) => t.lastMessageId)),
        materialisedConversations: core.accounts.reduce(
          (s, a) => s + a.counters.materialisedConversations,
          0,
        ),
        materialisedMessages: core.accounts.reduce(
          (s, a) => s + a.counters.materialisedMessages,
          0,
        ),
        requests: core.requestLog.length,
        webhookDeliveries: core.webhooks.deliveries.length,
      };
    },
    groundTruth: {
      *conversations(options) {
        const account = core.requireAccount(options?.accountId);
        for (const conversation of account.world.conversations)
          yield conversationItem(account, conversation);
      },
      *messages(options) {
        const account = core.requireAccount(options?.accountId);
        const conversations =
          options?.conversationId === undefined
            ? account.world.conversations
            : [locate(options.conversationId, options.accountId).conversation];
        for (const conversation of conversations) {
          for (const message of account.messagesOf(conversation))
            yield restMessage(account, conversation, message);
        }
      },
      *contacts(options) {
        const account = core.requireAccount(options?.accountId);
        for (const contact of account.world.contacts) yield contactModel(account, contact, true);
      },
      conversationIds(options) {
        return core.requireAccount(options?.accountId).world.conversations.map((c) => c.displayId);
      },
    },
    listSentMessages: () => core.sent.map((s) => ({ ...s })),
    injectFault: (spec) => core.faults.inject(spec),
    clearFaults: () => core.faults.clear(),
    faults: () => core.faults.list(),
    requests(filter) {
      const all = core.requestLog.map((r) => ({ ...r }));
      return filter?.route ? all.filter((r) => r.route === filter.route) : all;
    },
    clearRequests() {
      core.requestLog.length = 0;
    },
    configureWebhook(url, secret) {
      core.webhooks.configure(url, secret);
      return core.webhooks.secret;
    },
    webhookDeliveries: () => core.webhooks.deliveries.map((d) => ({ ...d })),
    flushWebhooks: () => core.webhooks.flush(),
    buildWebhookPayload(event, ref) {
      const account = core.requireAccount(ref.accountId);
      const conversation =
        ref.conversationId === undefined ? undefined : account.conversation(ref.conversationId);
      if (ref.conversationId !== undefined && !conversation)
        throw new NotFoundError(`conversation ${ref.conversationId} not found`);
      let built: AccountEvent;
      switch (event) {
        case 'message_created':
        case 'message_updated': {
          const found =
            ref.messageId === undefined ? undefined : account.findMessage(ref.messageId);
          if (!found) throw new NotFoundError(`message ${String(ref.messageId)} not found`);
          built = { event, conversation: found.conversation, message: found.message };
          break;
        }
        case 'conversation_created':
        case 'conversation_status_changed':
          if (!conversation) throw new InputError('conversationId is required');
          built = { event, conversation };
          break;
        case 'conversation_updated':
          if (!conversation) throw new InputError('conversationId is required');
          built = { event, conversation, changed: ref.changedAttributes ?? [] };
          break;
        case 'contact_created':
        case 'contact_updated': {
          const contact = ref.contactId === undefined ? undefined : account.contact(ref.contactId);
          if (!contact) throw new NotFoundError(`contact ${String(ref.contactId)} not found`);
          built =
            event === 'contact_created'
              ? { event, contact }
              : { event, contact, changed: ref.changedAttributes ?? [] };
          break;
        }
        default:
          throw new InputError(`unknown event ${String(event)}`);
      }
      return renderWebhookPayload(account, built);
    },
  };
  return control;
}

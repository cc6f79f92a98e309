// Chatwoot's Application API paths Cairn uses, with Chatwoot's auth order, bodies and quirks.
import { entityPage } from './entity-page.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccountState } from './account-state.js';
import type { MessageType } from './conversation-messages.js';
import {
  logRequest,
  numberParam,
  type AccountParams,
  type ConversationParams,
} from './http-context.js';
import {
  conversationCounts,
  listContacts,
  listConversations,
  listMessages,
  type Query,
} from './queries.js';
import { contactModel, conversationItem, profile, restMessage } from './shapes.js';
import type { SimCore } from './sim-core.js';
import type { ConversationStatus } from './world.js';

const NOT_FOUND = { error: 'Resource could not be found' };
const MAX_CONTENT_LENGTH = 150_000;
const CONTENT_TYPES = [
  'text',
  'input_text',
  'input_textarea',
  'input_email',
  'input_select',
  'cards',
  'form',
  'article',
  'incoming_email',
  'input_csat',
  'integrations',
  'sticker',
];

/**
 * The "truncated" fault: announce the full length, send half, then drop the connection, so the
 * client sees a body that ends early rather than a clean short response.
 */
function finish(request: FastifyRequest, reply: FastifyReply, body: unknown): unknown {
  if (request.simFault?.kind !== 'truncated') return body;
  const bytes = Buffer.from(JSON.stringify(body));
  void reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(bytes.length),
  });
  raw.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => raw.destroy());
  // A hijacked reply skips onResponse; the log must still count it.
  logRequest(request.server.simCore, request, 200);
  return reply;
}

/** Chatwoot's order: the token first (401), then the account (404 unknown, 401 not a member). */
function authenticate(core: SimCore, request: FastifyRequest, reply: FastifyReply): boolean {
  const header = request.headers['api_access_token'] ?? request.headers['http_api_access_token'];
  const token = Array.isArray(header) ? header[0] : header;
  if (!token) {
    void reply.code(401).send({ errors: ['You need to sign in or sign up before continuing.'] });
    return false;
  }
  if (token !== core.token) {
    void reply.code(401).send({ error: 'Invalid Access Token' });
    return false;
  }
  return true;
}

function resolveAccount(
  core: SimCore,
  request: FastifyRequest,
  reply: FastifyReply,
): AccountState | null {
  if (!authenticate(core, request, reply)) return null;
  const accountId = numberParam((request.params as AccountParams).account_id);
  const account = accountId === null ? undefined : core.account(accountId);
  if (account) return account;
  if (accountId === core.foreignAccountId) {
    void reply.code(401).send({ error: 'You are not authorized to access this account' });
  } else {
    void reply.code(404).send(NOT_FOUND);
  }
  return null;
}

export function registerApplicationApi(app: FastifyInstance, core: SimCore): void {
  const base = '/api/v1/accounts/:account_id';

  app.get('/api/v1/profile', { config: { faultRoute: 'profile' } }, async (request, reply) => {
    if (!authenticate(core, request, reply)) return reply;
    return finish(
      request,
      reply,
      profile(core.accounts, core.token, core.accounts[0]!.world.tokenUserId),
    );
  });

  app.get(
    `${base}/conversations`,
    { config: { faultRoute: 'conversations' } },
    async (request, reply) => {
      const account = resolveAccount(core, request, reply);
      if (!account) return reply;
      const body = listConversations(account, request.query as Query, Date.now() / 1000) as {
        data: { meta: unknown; payload: unknown[] };
      };
      if (request.simFault?.kind === 'empty_page') body.data.payload = [];
      return finish(request, reply, body);
    },
  );

  app.get(
    `${base}/conversations/meta`,
    { config: { faultRoute: 'conversations' } },
    async (request, reply) => {
      const account = resolveAccount(core, request, reply);
      if (!account) return reply;
      return finish(
        request,
        reply,
        conversationCounts(account, request.query as Query, Date.now() / 1000),
      );
    },
  );

  app.get<{ Params: ConversationParams }>(
    `${base}/conversations/:id`,
    { config: { faultRoute: 'conversation' } },
    async (request, reply) => {
      const account = resolveAccount(core, request, reply);
      if (!account) return reply;
      const conversation = account.conversation(numberParam(request.params.id) ?? -1);
      if (!conversation) return reply.code(404).send(NOT_FOUND);
      if (request.simFault?.kind === 'empty_page') return {};
      return finish(request, reply, conversationItem(account, conversation));
    },
  );

  // The agent app's conversation page, where a search hit's deep link points (the server's
  // rag/search-chunks.ts builds `<base_url>/app/accounts/<id>/conversations/<id>`).
  app.get<{ Params: ConversationParams }>(
    '/app/accounts/:account_id/conversations/:id',
    async (request, reply) => {
      const account = core.account(numberParam(request.params.account_id) ?? -1);
      const conversation = account?.conversation(numberParam(request.params.id) ?? -1);
      if (!conversation) return reply.code(404).send(NOT_FOUND);
      return reply
        .type('text/html; charset=utf-8')
        .send(
          entityPage(
            'Chatwoot',
            `Conversation #${request.params.id}`,
            `Account ${request.params.account_id}`,
          ),
        );
    },
  );

  app.get<{ Params: ConversationParams }>(
    `${base}/conversations/:id/messages`,
    { config: { faultRoute: 'messages' } },
    async (request, reply) => {
      const account = resolveAccount(core, request, reply);
      if (!account) return reply;
      const conversation = account.conversation(numberParam(request.params.id) ?? -1);
      if (!conversation) return reply.code(404).send(NOT_FOUND);
      const body = listMessages(account, conversation, request.query as Query) as {
        meta: unknown;
        payload: unknown[];
      };
      if (request.simFault?.kind === 'empty_page') body.payload = [];
      return finish(request, reply, body);
    },
  );

  app.post<{ Params: ConversationParams; Body: Record<string, unknown> | undefined }>(
    `${base}/conversations/:id/messages`,
    { config: { faultRoute: 'create_message' } },
    async (request, reply) => {
      const account = resolveAccount(core, request, reply);
      if (!account) return reply;
      const conversation = account.conversation(numberParam(request.params.id) ?? -1);
      if (!conversation) return reply.code(404).send(NOT_FOUND);
      const body = request.body ?? {};
      const failure = (error: string) => reply.code(422).send({ error });

      const rawContent = body['content'];
      const content = rawContent === undefined || rawContent === null ? null : String(rawContent);
      if (content !== null && content.length > MAX_CONTENT_LENGTH) {
        return failure(
          `Validation failed: Content is too long (maximum is ${MAX_CONTENT_LENGTH} characters)`,
        );
      }
      // The builder checks string values only; JSON integers slip through (docs/chatwoot.md §5).
      const rawType = body['message_type'] ?? 'outgoing';
      let messageType: MessageType;
      let senderIsContact: boolean;
      if (rawType === 'outgoing') {
        messageType = 1;
        senderIsContact = false;
      } else if (rawType === 'incoming') {
        if (
          account.world.inboxes.find((i) => i.id === conversation.inboxId)?.channelType !==
          'Channel::Api'
        ) {
          return failure('Incoming messages are only allowed in Api inboxes');
        }
        messageType = 0;
        senderIsContact = true;
      } else if (rawType === 0 || rawType === 1) {
        messageType = rawType;
        senderIsContact = true;
      } else if (rawType === 'template') {
        messageType = 3;
        senderIsContact = false;
      } else {
        return failure(`'${String(rawType)}' is not a valid message_type`);
      }
      const contentType =
        body['content_type'] === undefined ? 'text' : String(body['content_type']);
      if (!CONTENT_TYPES.includes(contentType))
        return failure(`'${contentType}' is not a valid content_type`);
      let contentAttributes: Record<string, unknown> = {};
      const rawAttributes = body['content_attributes'];
      if (typeof rawAttributes === 'string') {
        try {
          const parsed: unknown = JSON.parse(rawAttributes);
          if (parsed && typeof parsed === 'object')
            contentAttributes = parsed as Record<string, unknown>;
        } catch {
          contentAttributes = {};
        }
      } else if (rawAttributes && typeof rawAttributes === 'object') {
        contentAttributes = rawAttributes as Record<string, unknown>;
      }
      if (body['external_created_at'] !== undefined)
        contentAttributes = {
          ...contentAttributes,
          external_created_at: body['external_created_at'],
        };
      if (account.isFlooded(conversation)) return failure('Validation failed: Too many messages');

      const privateNote =
        body['private'] === true || body['private'] === 'true' || body['private'] === '1';
      const echoId =
        body['echo_id'] === undefined || body['echo_id'] === null
          ? undefined
          : String(body['echo_id']);
      const sourceId =
        body['source_id'] === undefined || body['source_id'] === null
          ? null
          : String(body['source_id']);
      const message = account.addMessage(conversation, {
        content,
        messageType,
        private: privateNote,
        contentType,
        contentAttributes,
        sourceId,
        echoId,
        sender: senderIsContact
          ? { kind: 'contact', id: conversation.contactId }
          : { kind: 'user', id: account.world.tokenUserId },
      });
      core.sent.push({
        accountId: account.accountId,
        conversationId: conversation.displayId,
        messageId: message.id,
        content: message.content,
        messageType: message.messageType,
        private: message.private,
        echoId: echoId ?? null,
        sourceId,
        at: new Date().toISOString(),
      });
      if (request.simFault?.kind === 'empty_page') return {};
      // 200, not 201, like Chatwoot.
      return finish(request, reply, restMessage(account, conversation, message));
    },
  );

  app.post<{ Params: ConversationParams; Body: Record<string, unknown> | undefined }>(
    `${base}/conversations/:id/toggle_status`,
    { config: { faultRoute: 'conversation' } },
    async (request, reply) => {
      const account = resolveAccount(core, request, reply);
      if (!account) return reply;
      const conversation = account.conversation(numberParam(request.params.id) ?? -1);
      if (!conversation) return reply.code(404).send(NOT_FOUND);
      const requested = request.body?.['status'];
      const status = (
        typeof requested === 'string'
          ? requested
          : conversation.status === 'open'
            ? 'resolved'
            : 'open'
      ) as ConversationStatus;
      if (!['open', 'resolved', 'pending', 'snoozed'].includes(status))
        return reply.code(422).send({ error: `'${status}' is not a valid status` });
      const snoozedUntil = request.body?.['snoozed_until'];
      account.setStatus(
        conversation,
        status,
        typeof snoozedUntil === 'string' ? snoozedUntil : null,
      );
      return {
        meta: {},
        payload: {
          success: true,
          conversation_id: conversation.displayId,
          current_status: conversation.status,
          snoozed_until: conversation.snoozedUntil,
        },
      };
    },
  );

  app.get(`${base}/contacts`, { config: { faultRoute: 'contacts' } }, async (request, reply) => {
    const account = resolveAccount(core, request, reply);
    if (!account) return reply;
    const body = listContacts(account, request.query as Query) as {
      meta: unknown;
      payload: unknown[];
    };
    if (request.simFault?.kind === 'empty_page') body.payload = [];
    return finish(request, reply, body);
  });

  app.get<{ Params: ConversationParams }>(
    `${base}/contacts/:id`,
    { config: { faultRoute: 'contact' } },
    async (request, reply) => {
      const account = resolveAccount(core, request, reply);
      if (!account) return reply;
      const contact = account.contact(numberParam(request.params.id) ?? -1);
      if (!contact) return reply.code(404).send(NOT_FOUND);
      if (request.simFault?.kind === 'empty_page') return {};
      return finish(request, reply, { payload: contactModel(account, contact, true) });
    },
  );
}

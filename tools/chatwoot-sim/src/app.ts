// The simulator's HTTP surface: Chatwoot's Application API paths Cairn uses, and /__sim/ control.
import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { MessageType } from './conversation-messages.js';
import { createControl, type SimControl } from './control.js';
import type { ActiveFault, FaultRoute, FaultSpec } from './faults.js';
import {
  conversationCounts,
  listContacts,
  listConversations,
  listMessages,
  type Query,
} from './queries.js';
import { contactModel, conversationItem, profile, restMessage } from './shapes.js';
import { InputError, NotFoundError, type SimCore } from './sim-core.js';
import type { AccountState } from './account-state.js';
import type { ConversationStatus } from './world.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    faultRoute?: FaultRoute;
  }
  interface FastifyRequest {
    simFault: ActiveFault | null;
  }
  interface FastifyInstance {
    simCore: SimCore;
  }
}

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

type AccountParams = { account_id: string };
type ConversationParams = AccountParams & { id: string };

function numberParam(value: string | undefined): number | null {
  if (value === undefined || !/^\d+$/.test(value)) return null;
  return Number(value);
}

function pageOf(query: Query): number | null {
  const raw = query['page'];
  const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  return numberParam(value);
}

export function buildSimApp(
  core: SimCore,
  control: SimControl = createControl(core),
): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 8 * 1024 * 1024 });
  app.decorateRequest('simFault', null);
  app.decorate('simCore', core);

  // Fault injection runs first, as rack-attack and proxies sit in front of Chatwoot's controllers.
  app.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.config.faultRoute ?? null;
    const params = request.params as Partial<ConversationParams>;
    const fault = core.faults.take({
      route,
      conversationId: route === 'contact' ? null : numberParam(params.id),
      page: pageOf(request.query as Query),
    });
    request.simFault = fault;
    if (!fault) return;
    switch (fault.kind) {
      case '429':
        if (fault.retryAfterSeconds !== null)
          reply.header('retry-after', String(fault.retryAfterSeconds));
        return reply.code(429).type('text/plain').send('Retry later\n');
      case '500':
        return reply.code(500).send({ status: 500, error: 'Internal Server Error' });
      case '502':
        return reply.code(502).type('text/html').send(nginxPage(502, 'Bad Gateway'));
      case '503':
        if (fault.retryAfterSeconds !== null)
          reply.header('retry-after', String(fault.retryAfterSeconds));
        return reply
          .code(503)
          .type('text/html')
          .send(nginxPage(503, 'Service Temporarily Unavailable'));
      case 'delay':
        await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
        return;
      default:
        return;
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const fault = request.simFault;
    if (!fault || typeof payload !== 'string' || reply.statusCode >= 400) return payload;
    if (fault.kind === 'malformed') {
      // Valid length, invalid JSON: what a proxy that cut a body and fixed the header would send.
      return payload.slice(0, Math.max(1, Math.floor(payload.length / 2)));
    }
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    logRequest(core, request, reply.statusCode);
  });

  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof NotFoundError) return reply.code(404).send({ error: error.message });
    if (error instanceof InputError) return reply.code(422).send({ error: error.message });
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    const message = error instanceof Error ? error.message : String(error);
    return reply
      .code(status)
      .send(status >= 500 ? { status, error: 'Internal Server Error' } : { error: message });
  });

  registerApplicationApi(app, core);
  registerControlApi(app, core, control);
  return app;
}

function logRequest(core: SimCore, request: FastifyRequest, status: number): void {
  if (request.url.startsWith('/__sim')) return;
  const params = request.params as Partial<ConversationParams>;
  const route = request.routeOptions.config.faultRoute ?? null;
  core.logRequest({
    at: new Date().toISOString(),
    method: request.method,
    url: request.url,
    route,
    accountId: numberParam(params.account_id),
    conversationId: route === 'contact' ? null : numberParam(params.id),
    page: pageOf(request.query as Query),
    status,
    fault: request.simFault?.kind ?? null,
  });
}

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

function nginxPage(status: number, text: string): string {
  return `<html>\r\n<head><title>${status} ${text}</title></head>\r\n<body>\r\n<center><h1>${status} ${text}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
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

function registerApplicationApi(app: FastifyInstance, core: SimCore): void {
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
      // The builder checks string values only; JSON integers slip through (API-NOTES section 5).
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

function ndjson(reply: FastifyReply, rows: Iterable<unknown>): FastifyReply {
  function* lines() {
    for (const row of rows) yield `${JSON.stringify(row)}\n`;
  }
  return reply.type('application/x-ndjson').send(Readable.from(lines()));
}

function registerControlApi(app: FastifyInstance, core: SimCore, control: SimControl): void {
  type Body = Record<string, unknown>;
  const accountIdOf = (value: unknown) =>
    value === undefined || value === null ? undefined : Number(value);

  app.get('/__sim/info', async () => ({
    accountId: core.accounts[0]!.accountId,
    accountIds: core.accounts.map((a) => a.accountId),
    foreignAccountId: core.foreignAccountId,
    token: core.token,
    webhookSecret: core.webhooks.secret,
  }));
  app.get('/__sim/stats', async () => control.stats());

  app.post<{ Body: Body }>('/__sim/messages', async (request) =>
    control.addMessage(request.body as unknown as Parameters<SimControl['addMessage']>[0]),
  );
  app.patch<{ Params: { id: string }; Body: Body }>('/__sim/messages/:id', async (request) =>
    control.editMessage(Number(request.params.id), String(request.body['content'] ?? ''), {
      accountId: accountIdOf(request.body['accountId']),
    }),
  );
  app.delete<{ Params: { id: string }; Querystring: Query }>(
    '/__sim/messages/:id',
    async (request) =>
      control.deleteMessage(Number(request.params.id), {
        accountId: accountIdOf(request.query['accountId']),
      }),
  );
  app.post<{ Body: Body }>('/__sim/conversations', async (request) =>
    control.addConversation(request.body as Parameters<SimControl['addConversation']>[0]),
  );
  app.post<{ Params: { id: string }; Body: Body }>(
    '/__sim/conversations/:id/status',
    async (request) =>
      control.setConversationStatus(
        Number(request.params.id),
        request.body['status'] as ConversationStatus,
        {
          accountId: accountIdOf(request.body['accountId']),
          snoozedUntil: (request.body['snoozed_until'] as string | undefined) ?? null,
        },
      ),
  );
  app.post<{ Params: { id: string }; Body: Body }>(
    '/__sim/conversations/:id/assignee',
    async (request) =>
      control.assignConversation(
        Number(request.params.id),
        (request.body['assigneeId'] as number | null | undefined) ?? null,
        {
          accountId: accountIdOf(request.body['accountId']),
        },
      ),
  );
  app.patch<{ Params: { id: string }; Body: Body }>('/__sim/contacts/:id', async (request) =>
    control.updateContact(Number(request.params.id), request.body, {
      accountId: accountIdOf(request.body['accountId']),
    }),
  );
  app.get('/__sim/sent-messages', async () => control.listSentMessages());

  app.get('/__sim/faults', async () => control.faults());
  app.post<{ Body: Body }>('/__sim/faults', async (request) => {
    try {
      return control.injectFault(request.body as unknown as FaultSpec);
    } catch (error) {
      throw new InputError(error instanceof Error ? error.message : String(error));
    }
  });
  app.delete('/__sim/faults', async () => {
    control.clearFaults();
    return { ok: true };
  });

  app.get<{ Querystring: Query }>('/__sim/requests', async (request) => {
    const route = request.query['route'];
    return control.requests(typeof route === 'string' ? { route } : undefined);
  });
  app.delete('/__sim/requests', async () => {
    control.clearRequests();
    return { ok: true };
  });

  app.get('/__sim/webhooks', async () => control.webhookDeliveries());
  app.post('/__sim/webhooks/flush', async () => {
    await control.flushWebhooks();
    return { ok: true };
  });
  app.put<{ Body: Body }>('/__sim/webhooks', async (request) => {
    const url = request.body['url'];
    if (url === null) core.webhooks.configure(null);
    else if (typeof url === 'string')
      core.webhooks.configure({
        url,
        secret: String(request.body['secret'] ?? core.webhooks.secret ?? ''),
      });
    else throw new InputError('url must be a string or null');
    return { ok: true, secret: core.webhooks.secret };
  });
  app.post<{ Body: Body }>('/__sim/webhook-payload', async (request) =>
    control.buildWebhookPayload(
      request.body['event'] as Parameters<SimControl['buildWebhookPayload']>[0],
      {
        accountId: accountIdOf(request.body['accountId']),
        conversationId: accountIdOf(request.body['conversationId']),
        messageId: accountIdOf(request.body['messageId']),
        contactId: accountIdOf(request.body['contactId']),
      },
    ),
  );

  app.get<{ Querystring: Query }>('/__sim/ground-truth/messages', async (request, reply) =>
    ndjson(
      reply,
      control.groundTruth.messages({
        accountId: accountIdOf(request.query['accountId']),
        conversationId: accountIdOf(request.query['conversationId']),
      }),
    ),
  );
  app.get<{ Querystring: Query }>('/__sim/ground-truth/conversations', async (request, reply) =>
    ndjson(
      reply,
      control.groundTruth.conversations({ accountId: accountIdOf(request.query['accountId']) }),
    ),
  );
  app.get<{ Querystring: Query }>('/__sim/ground-truth/contacts', async (request, reply) =>
    ndjson(
      reply,
      control.groundTruth.contacts({ accountId: accountIdOf(request.query['accountId']) }),
    ),
  );
}

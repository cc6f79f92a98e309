import {
  SourceCompletenessResponseSchema,
  SourceTestResponseSchema,
  ContactListResponseSchema,
  ContactsQuerySchema,
  ConversationListResponseSchema,
  ConversationParamsSchema,
  ConversationResponseSchema,
  ConversationsQuerySchema,
  IdParamsSchema,
  MessageListResponseSchema,
  MessagesQuerySchema,
  WebhookParamsSchema,
  WebhookQuerySchema,
  WebhookResponseSchema,
} from '@cairn/contract';
import type {
  FastifyPluginAsyncTypebox,
  TypeBoxTypeProvider,
} from '@fastify/type-provider-typebox';
import { AppError, notFound } from '../../../http/errors.js';
import { createGuardedHttp } from '../../../lib/net/guarded-http.js';
import { readLinearCompleteness } from '../linear/completeness.js';
import { testLinearSource } from '../../sources/linear-source.js';
import { readAttioCompleteness } from '../attio/completeness.js';
import { testAttioSource } from '../../sources/attio-source.js';
import { loadChatwootSource, sourceKindOf } from '../../sources/service.js';
import { runSourceSyncedHooks } from '../../sources/synced-hooks.js';
import { ChatwootApiError, ChatwootClient } from './client.js';
import { readCompleteness } from './completeness.js';
import { receiveChatwootWebhook } from './receive-webhook.js';
import { getConversation, listContacts, listConversations, listMessages } from './review.js';

const tags = ['chatwoot'];

// A connection test is interactive: a person waits for it, so it retries once and gives up fast.
const TEST_CONNECTION_TIMEOUT_MS = 10_000;

export const chatwootRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/contacts',
    {
      config: { access: 'project', permission: 'project:read' },
      schema: {
        tags,
        summary: 'Ingested contacts, by name',
        querystring: ContactsQuerySchema,
        response: { 200: ContactListResponseSchema },
      },
    },
    async (request) => {
      const { limit = 50, q, cursor } = request.query;
      return {
        ok: true as const,
        ...(await listContacts(app.database, request.scope, { limit, q, cursor })),
      };
    },
  );

  app.get(
    '/conversations',
    {
      config: { access: 'project', permission: 'project:read' },
      schema: {
        tags,
        summary: 'Ingested conversations, newest activity first',
        querystring: ConversationsQuerySchema,
        response: { 200: ConversationListResponseSchema },
      },
    },
    async (request) => {
      const { limit = 50, ...rest } = request.query;
      return {
        ok: true as const,
        ...(await listConversations(app.database, request.scope, { limit, ...rest })),
      };
    },
  );

  app.get(
    '/conversations/:id',
    {
      config: { access: 'project', permission: 'project:read' },
      schema: {
        tags,
        summary: 'One ingested conversation: contact, status, message count and its Chatwoot link',
        params: ConversationParamsSchema,
        response: { 200: ConversationResponseSchema },
      },
    },
    async (request) => ({
      ok: true as const,
      conversation: await getConversation(app.database, request.scope, request.params.id),
    }),
  );

  app.get(
    '/messages',
    {
      config: { access: 'project', permission: 'project:read' },
      schema: {
        tags,
        summary:
          'Ingested messages: a thread in reading order with conversation_global_id, else newest first',
        querystring: MessagesQuerySchema,
        response: { 200: MessageListResponseSchema },
      },
    },
    async (request) => {
      const { limit = 100, ...rest } = request.query;
      return {
        ok: true as const,
        ...(await listMessages(app.database, request.scope, { limit, ...rest })),
      };
    },
  );

  app.get(
    '/sources/:id/completeness',
    {
      config: { access: 'project', permission: 'project:read' },
      schema: {
        tags,
        summary:
          'Completeness: what the source reported against what is stored (Chatwoot per conversation, Linear and Attio per entity kind)',
        params: IdParamsSchema,
        response: { 200: SourceCompletenessResponseSchema },
      },
    },
    async (request) => {
      const kind = await sourceKindOf(app.database, request.scope, request.params.id);
      return {
        ok: true as const,
        ...(kind === 'linear_workspace'
          ? await readLinearCompleteness(app.database, request.scope, request.params.id)
          : kind === 'attio_workspace'
            ? await readAttioCompleteness(app.database, request.scope, request.params.id)
            : await readCompleteness(app.database, request.scope, request.params.id)),
      };
    },
  );

  app.post(
    '/sources/:id/test',
    {
      config: { access: 'project', permission: 'sources:manage' },
      schema: {
        tags,
        summary:
          "Checks the source's credentials: Chatwoot's profile endpoint, Linear's viewer and organization, or Attio's GET /v2/self",
        params: IdParamsSchema,
        response: { 200: SourceTestResponseSchema },
      },
    },
    async (request) => {
      const kind = await sourceKindOf(app.database, request.scope, request.params.id);
      if (kind === 'linear_workspace') {
        return {
          ok: true as const,
          ...(await testLinearSource(app, request.scope, request.params.id)),
        };
      }
      if (kind === 'attio_workspace') {
        return {
          ok: true as const,
          ...(await testAttioSource(app, request.scope, request.params.id)),
        };
      }
      const source = await loadChatwootSource(app.database, app.secrets, request.scope);
      if (!source || source.id !== request.params.id) throw notFound('source');
      const http = createGuardedHttp({
        ...app.hostPolicy,
        totalTimeoutMs: TEST_CONNECTION_TIMEOUT_MS * 2,
      });
      const client = new ChatwootClient({
        fetch: http.fetch,
        baseUrl: source.baseUrl,
        accountId: source.accountId,
        apiToken: source.apiToken,
        timeoutMs: Math.min(app.config.CHATWOOT_TIMEOUT_MS, TEST_CONNECTION_TIMEOUT_MS),
        maxRetries: 1,
        concurrency: 1,
      });
      let profile;
      try {
        profile = await client.profile();
      } catch (error) {
        if (error instanceof ChatwootApiError) {
          // The client's message is built to be shown: no upstream body, one phrase for every
          // connection failure, and the guard's reason when the host is refused.
          const hint =
            error.status === 401
              ? 'Chatwoot rejected the API token'
              : error.kind === 'blocked'
                ? 'Chatwoot was not contacted'
                : 'Chatwoot could not be reached';
          throw new AppError('upstream_error', `${hint}: ${error.message}`, {
            status: error.status,
            attempts: error.attempts,
          });
        }
        throw error;
      } finally {
        await http.close();
      }
      const membership = profile.accounts?.find((a) => a.id === source.accountId);
      if (!membership) {
        throw new AppError(
          'upstream_error',
          `the token's user is not a member of Chatwoot account ${source.accountId}`,
        );
      }
      const warnings =
        membership.role && membership.role !== 'administrator'
          ? [
              `the token's user is ${membership.role}, not administrator: only conversations in their inboxes will sync`,
            ]
          : [];
      return {
        ok: true as const,
        reachable: true as const,
        user_id: profile.id,
        account_id: source.accountId,
        account_name: membership.name ?? null,
        role: membership.role ?? null,
        warnings,
      };
    },
  );

  // The webhook receiver verifies a signature over the exact bytes received, so in this plugin
  // (encapsulated: other routes keep the normal JSON parser) JSON bodies stay raw Buffers.
  await app.register(async (scoped) => {
    const webhooks = scoped.withTypeProvider<TypeBoxTypeProvider>();
    webhooks.removeContentTypeParser('application/json');
    webhooks.addContentTypeParser(
      'application/json',
      { parseAs: 'buffer' },
      (_request, body, done) => done(null, body),
    );
    webhooks.post(
      '/webhooks/chatwoot/:source_id',
      {
        // Quiet request logging: in URL-token mode the query string is a credential.
        logLevel: 'warn',
        config: { access: 'webhook', permission: 'public' },
        schema: {
          tags,
          summary:
            'Chatwoot webhook receiver, authenticated by X-Chatwoot-Signature (or the URL token for pre-4.12 servers)',
          params: WebhookParamsSchema,
          querystring: WebhookQuerySchema,
          response: { 200: WebhookResponseSchema },
        },
      },
      async (request) => {
        const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const outcome = await receiveChatwootWebhook(
          {
            database: app.database,
            secrets: app.secrets,
            config: app.config,
            // Found by meaning within seconds, not at the next scheduled embeddings run.
            onChunksWritten: (scope) => app.jobs.embeddings.chunksWritten(scope),
            onContactsChanged: (scope) =>
              runSourceSyncedHooks(
                app.sourceSyncedHooks,
                scope,
                { source_kind: 'chatwoot_account' },
                request.log,
              ),
            // Signals re-run for the conversation and outbound stops on a reply, in the same
            // transaction (signals/plugin.ts, outbound/plugin.ts).
            ...app.ingestSubscribers,
          },
          {
            sourceId: request.params.source_id,
            rawBody,
            headers: request.headers,
            urlToken: request.query.token,
          },
        );
        return { ok: true as const, ...outcome };
      },
    );
  });
};

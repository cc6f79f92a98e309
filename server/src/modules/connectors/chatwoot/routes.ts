import {
  ContactListResponseSchema,
  ContactsQuerySchema,
  ConversationListResponseSchema,
  ConversationParamsSchema,
  ConversationResponseSchema,
  ConversationsQuerySchema,
  MessageListResponseSchema,
  MessagesQuerySchema,
  WebhookParamsSchema,
  WebhookQuerySchema,
  WebhookResponseSchema,
} from '@cairn/contract';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { rawBodyOf, withRawJsonBodies } from '../../../http/raw-body.js';
import { runSourceSyncedHooks } from '../../sources/synced-hooks.js';
import { receiveChatwootWebhook } from './receive-webhook.js';
import { getConversation, listContacts, listConversations, listMessages } from './review.js';

const tags = ['chatwoot'];

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

  // Signed over the exact bytes received: JSON bodies stay raw (http/raw-body.ts).
  await withRawJsonBodies(app, (webhooks) => {
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
        const rawBody = rawBodyOf(request.body);
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

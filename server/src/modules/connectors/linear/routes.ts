import {
  IdParamsSchema,
  LinearIssueResponseSchema,
  WebhookParamsSchema,
  WebhookResponseSchema,
} from '@cairn/contract';
import type {
  FastifyPluginAsyncTypebox,
  TypeBoxTypeProvider,
} from '@fastify/type-provider-typebox';
import { getLinearIssue } from './review.js';
import { receiveLinearWebhook } from './webhook.js';

const tags = ['linear'];

/** The Linear connector's HTTP side: stored issues by id, and its webhook receiver (webhook.ts). */
export const linearRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/linear/issues/:id',
    {
      config: { access: 'project', permission: 'project:read' },
      schema: {
        tags,
        summary: 'One stored Linear issue of the active project, with its comment count',
        params: IdParamsSchema,
        response: { 200: LinearIssueResponseSchema },
      },
    },
    async (request) => ({
      ok: true as const,
      issue: await getLinearIssue(app.database, request.scope, request.params.id),
    }),
  );

  // The signature covers the exact bytes received, so in this plugin (encapsulated: other routes
  // keep the normal JSON parser) JSON bodies stay raw Buffers, as for Chatwoot's receiver.
  await app.register(async (scoped) => {
    const webhooks = scoped.withTypeProvider<TypeBoxTypeProvider>();
    webhooks.removeContentTypeParser('application/json');
    webhooks.addContentTypeParser(
      'application/json',
      { parseAs: 'buffer' },
      (_request, body, done) => done(null, body),
    );
    webhooks.post(
      '/webhooks/linear/:source_id',
      {
        config: { access: 'webhook', permission: 'public' },
        schema: {
          tags,
          summary:
            'Linear webhook receiver, authenticated by Linear-Signature and a webhookTimestamp within 60 s',
          params: WebhookParamsSchema,
          response: { 200: WebhookResponseSchema },
        },
      },
      async (request) => {
        const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const outcome = await receiveLinearWebhook(
          {
            database: app.database,
            secrets: app.secrets,
            config: app.config,
            // Found by meaning within seconds, not at the next scheduled embeddings run.
            onChunksWritten: (scope) => app.jobs.embeddings.chunksWritten(scope),
          },
          { sourceId: request.params.source_id, rawBody, headers: request.headers },
        );
        return { ok: true as const, ...outcome };
      },
    );
  });
};

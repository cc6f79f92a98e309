import {
  IdParamsSchema,
  LinearIssueResponseSchema,
  WebhookParamsSchema,
  WebhookResponseSchema,
} from '@cairn/contract';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { rawBodyOf, withRawJsonBodies } from '../../../http/raw-body.js';
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

  // Signed over the exact bytes received: JSON bodies stay raw (http/raw-body.ts).
  await withRawJsonBodies(app, (webhooks) => {
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
        const rawBody = rawBodyOf(request.body);
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

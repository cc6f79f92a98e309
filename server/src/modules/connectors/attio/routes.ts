import { WebhookParamsSchema, WebhookResponseSchema } from '@cairn/contract';
import type {
  FastifyPluginAsyncTypebox,
  TypeBoxTypeProvider,
} from '@fastify/type-provider-typebox';
import { runSourceSyncedHooks } from '../../sources/synced-hooks.js';
import { receiveAttioWebhook } from './webhook.js';

const tags = ['attio'];

/** The Attio connector's HTTP side: its webhook receiver (webhook.ts). */
export const attioRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // The signature covers the exact bytes received, so in this plugin (encapsulated: other routes
  // keep the normal JSON parser) JSON bodies stay raw Buffers, as for Linear's receiver.
  await app.register(async (scoped) => {
    const webhooks = scoped.withTypeProvider<TypeBoxTypeProvider>();
    webhooks.removeContentTypeParser('application/json');
    webhooks.addContentTypeParser(
      'application/json',
      { parseAs: 'buffer' },
      (_request, body, done) => done(null, body),
    );
    webhooks.post(
      '/webhooks/attio/:source_id',
      {
        config: { access: 'webhook', permission: 'public' },
        schema: {
          tags,
          summary:
            'Attio webhook receiver, authenticated by Attio-Signature; events name ids, the entities are fetched from Attio',
          params: WebhookParamsSchema,
          response: { 200: WebhookResponseSchema },
        },
      },
      async (request) => {
        const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const outcome = await receiveAttioWebhook(
          {
            database: app.database,
            secrets: app.secrets,
            config: app.config,
            // Found by meaning within seconds, not at the next scheduled embeddings run.
            onChunksWritten: (scope) => app.jobs.embeddings.chunksWritten(scope),
            // People, companies and members are what people linking reads (people/records.ts).
            onRecordsChanged: (scope) =>
              runSourceSyncedHooks(
                app.sourceSyncedHooks,
                scope,
                { source_kind: 'attio_workspace' },
                request.log,
              ),
          },
          { sourceId: request.params.source_id, rawBody, headers: request.headers },
        );
        return { ok: true as const, ...outcome };
      },
    );
  });
};

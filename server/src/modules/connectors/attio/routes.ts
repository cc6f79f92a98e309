import {
  AttioNoteResponseSchema,
  AttioRecordResponseSchema,
  AttioTaskResponseSchema,
  IdParamsSchema,
  WebhookParamsSchema,
  WebhookResponseSchema,
} from '@cairn/contract';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { rawBodyOf, withRawJsonBodies } from '../../../http/raw-body.js';
import { runSourceSyncedHooks } from '../../sources/synced-hooks.js';
import { getAttioNote, getAttioRecord, getAttioTask } from './review.js';
import { receiveAttioWebhook } from './webhook.js';

const tags = ['attio'];

/** The Attio connector's HTTP side: stored notes, tasks and records by id, and its webhook receiver (webhook.ts). */
export const attioRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/attio/notes/:id',
    {
      config: { access: 'project', permission: 'project:read' },
      schema: {
        tags,
        summary: "One stored Attio note of the active project, with its parent record's web_url",
        params: IdParamsSchema,
        response: { 200: AttioNoteResponseSchema },
      },
    },
    async (request) => ({
      ok: true as const,
      note: await getAttioNote(app.database, request.scope, request.params.id),
    }),
  );
  app.get(
    '/attio/tasks/:id',
    {
      config: { access: 'project', permission: 'project:read' },
      schema: {
        tags,
        summary:
          "One stored Attio task of the active project, with its first linked record's web_url",
        params: IdParamsSchema,
        response: { 200: AttioTaskResponseSchema },
      },
    },
    async (request) => ({
      ok: true as const,
      task: await getAttioTask(app.database, request.scope, request.params.id),
    }),
  );
  app.get(
    '/attio/records/:id',
    {
      config: { access: 'project', permission: 'project:read' },
      schema: {
        tags,
        summary: 'One stored Attio person, company or deal of the active project',
        params: IdParamsSchema,
        response: { 200: AttioRecordResponseSchema },
      },
    },
    async (request) => ({
      ok: true as const,
      record: await getAttioRecord(app.database, request.scope, request.params.id),
    }),
  );

  // Signed over the exact bytes received: JSON bodies stay raw (http/raw-body.ts).
  await withRawJsonBodies(app, (webhooks) => {
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
        const rawBody = rawBodyOf(request.body);
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

import {
  CreateSourceBodySchema,
  CreateSourceResponseSchema,
  DeleteSourceResponseSchema,
  IdParamsSchema,
  SourceListResponseSchema,
} from '@cairn/contract';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf } from '../../http/actor.js';
import { bindChatwootSource, listSources, unbindSource, type SourceSummary } from './service.js';

const tags = ['sources'];

export const sourceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/sources',
    {
      config: { access: 'project', permission: 'project:read' },
      schema: {
        tags,
        summary: 'Sources bound to the active project',
        response: { 200: SourceListResponseSchema },
      },
    },
    async (request) => ({
      ok: true as const,
      sources: (await listSources(app.database, request.scope)).map(toDto),
    }),
  );

  app.post(
    '/sources',
    {
      config: { access: 'project', permission: 'sources:manage' },
      schema: {
        tags,
        summary:
          'Bind the active project to a Chatwoot account; credentials are stored encrypted and never returned',
        body: CreateSourceBodySchema,
        response: { 201: CreateSourceResponseSchema },
      },
    },
    async (request, reply) => {
      const { base_url, account_id, api_token, webhook_secret, webhook_url_token } = request.body;
      const { source, webhookUrlToken } = await bindChatwootSource(
        { database: app.database, secrets: app.secrets, hostPolicy: app.hostPolicy },
        request.scope,
        {
          baseUrl: base_url,
          accountId: account_id,
          apiToken: api_token,
          webhookSecret: webhook_secret,
          webhookUrlToken: webhook_url_token,
        },
        actorOf(request),
      );
      return reply.status(201).send({
        ok: true as const,
        source: toDto(source),
        ...(webhookUrlToken ? { webhook_url_token: webhookUrlToken } : {}),
      });
    },
  );

  app.delete(
    '/sources/:id',
    {
      config: { access: 'project', permission: 'sources:manage' },
      schema: {
        tags,
        summary: 'Unbind a source',
        params: IdParamsSchema,
        response: { 200: DeleteSourceResponseSchema },
      },
    },
    async (request) => {
      await unbindSource(app.database, request.scope, request.params.id, actorOf(request));
      return { ok: true as const, deleted: true as const };
    },
  );
};

const toDto = (s: SourceSummary) => ({
  id: s.id,
  source_kind: s.source_kind,
  external_id: s.external_id,
  base_url: s.base_url,
  account_id: s.account_id,
  api_token_set: true as const,
  webhook_secret_set: s.webhook_secret_enc !== null,
  webhook_url_token_set: s.webhook_url_token_hash !== null,
  webhook_path: `/webhooks/chatwoot/${s.id}`,
  last_webhook_error:
    s.last_webhook_error && s.last_webhook_error_at
      ? { message: s.last_webhook_error, at: s.last_webhook_error_at.toISOString() }
      : null,
  created_at: s.created_at.toISOString(),
});

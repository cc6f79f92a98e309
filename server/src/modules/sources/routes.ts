import {
  CreateSourceBodySchema,
  CreateSourceResponseSchema,
  DeleteSourceResponseSchema,
  IdParamsSchema,
  SourceCompletenessResponseSchema,
  SourceListResponseSchema,
  SourceTestResponseSchema,
} from '@cairn/contract';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf } from '../../http/actor.js';
import { AppError } from '../../http/errors.js';
import { readAttioCompleteness } from '../connectors/attio/completeness.js';
import { readCompleteness } from '../connectors/chatwoot/completeness.js';
import { readLinearCompleteness } from '../connectors/linear/completeness.js';
import { attioSettings, bindAttioSource, testAttioSource } from './attio-source.js';
import { testChatwootSource } from './chatwoot-source.js';
import { bindLinearSource, linearSettings, testLinearSource } from './linear-source.js';
import {
  bindChatwootSource,
  listSources,
  sourceKindOf,
  unbindSource,
  type SourceSummary,
} from './service.js';

/** Fields each kind takes besides source_kind and webhook_secret (contract: CreateSourceBody). */
const KIND_FIELDS = {
  chatwoot_account: {
    required: ['base_url', 'account_id', 'api_token'],
    optional: ['webhook_url_token'],
  },
  linear_workspace: { required: ['api_key'], optional: ['base_url', 'team_ids', 'project_ids'] },
  attio_workspace: {
    required: ['api_token'],
    optional: ['base_url', 'company_record_ids', 'list'],
  },
} as const;

/** A 400 naming the first field missing for the kind, or given though the kind has no use for it. */
function checkKindFields(body: Record<string, unknown>) {
  const kind = body.source_kind as keyof typeof KIND_FIELDS;
  const { required, optional } = KIND_FIELDS[kind];
  for (const field of required) {
    if (body[field] === undefined) {
      throw new AppError('validation_error', `invalid ${field}: is required for ${kind}`, {
        fields: [{ field, message: `is required for ${kind}` }],
      });
    }
  }
  const known = new Set<string>(['source_kind', 'webhook_secret', ...required, ...optional]);
  for (const field of Object.keys(body)) {
    if (!known.has(field)) {
      throw new AppError('validation_error', `invalid ${field}: is not used by ${kind}`, {
        fields: [{ field, message: `is not used by ${kind}` }],
      });
    }
  }
}

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
          'Bind the active project to a Chatwoot account, a Linear workspace or an Attio workspace; credentials are stored encrypted and never returned',
        body: CreateSourceBodySchema,
        response: { 201: CreateSourceResponseSchema },
      },
    },
    async (request, reply) => {
      checkKindFields(request.body);
      if (request.body.source_kind === 'linear_workspace') {
        const { base_url, api_key, team_ids, project_ids, webhook_secret } = request.body;
        const source = await bindLinearSource(
          {
            database: app.database,
            secrets: app.secrets,
            hostPolicy: app.hostPolicy,
            config: app.config,
          },
          request.scope,
          {
            baseUrl: base_url,
            apiKey: api_key!,
            teamIds: team_ids,
            projectIds: project_ids,
            webhookSecret: webhook_secret,
          },
          actorOf(request),
        );
        return reply.status(201).send({ ok: true as const, source: toDto(source) });
      }
      if (request.body.source_kind === 'attio_workspace') {
        const { base_url, api_token, company_record_ids, list, webhook_secret } = request.body;
        const source = await bindAttioSource(
          {
            database: app.database,
            secrets: app.secrets,
            hostPolicy: app.hostPolicy,
            config: app.config,
          },
          request.scope,
          {
            baseUrl: base_url,
            apiToken: api_token!,
            companyRecordIds: company_record_ids,
            list,
            webhookSecret: webhook_secret,
          },
          actorOf(request),
        );
        return reply.status(201).send({ ok: true as const, source: toDto(source) });
      }
      const { base_url, account_id, api_token, webhook_secret, webhook_url_token } = request.body;
      // checkKindFields made sure the Chatwoot fields are there.
      const { source, webhookUrlToken } = await bindChatwootSource(
        { database: app.database, secrets: app.secrets, hostPolicy: app.hostPolicy },
        request.scope,
        {
          baseUrl: base_url!,
          accountId: account_id!,
          apiToken: api_token!,
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
      const { scope, params } = request;
      const kind = await sourceKindOf(app.database, scope, params.id);
      return {
        ok: true as const,
        ...(kind === 'linear_workspace'
          ? await readLinearCompleteness(app.database, scope, params.id)
          : kind === 'attio_workspace'
            ? await readAttioCompleteness(app.database, scope, params.id)
            : await readCompleteness(app.database, scope, params.id)),
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
      const { scope, params } = request;
      const kind = await sourceKindOf(app.database, scope, params.id);
      return {
        ok: true as const,
        ...(kind === 'linear_workspace'
          ? await testLinearSource(app, scope, params.id)
          : kind === 'attio_workspace'
            ? await testAttioSource(app, scope, params.id)
            : await testChatwootSource(app, scope, params.id)),
      };
    },
  );
};

const WEBHOOK_PATHS = {
  chatwoot_account: 'chatwoot',
  linear_workspace: 'linear',
  attio_workspace: 'attio',
} as const;

const toDto = (s: SourceSummary) => ({
  id: s.id,
  source_kind: s.source_kind,
  external_id: s.external_id,
  base_url: s.base_url,
  account_id: s.account_id,
  ...(s.source_kind === 'linear_workspace' ? linearSettings(s.settings) : {}),
  ...(s.source_kind === 'attio_workspace' ? attioSettings(s.settings) : {}),
  api_token_set: true as const,
  webhook_secret_set: s.webhook_secret_enc !== null,
  webhook_url_token_set: s.webhook_url_token_hash !== null,
  webhook_path: `/webhooks/${WEBHOOK_PATHS[s.source_kind]}/${s.id}`,
  last_webhook_error:
    s.last_webhook_error && s.last_webhook_error_at
      ? { message: s.last_webhook_error, at: s.last_webhook_error_at.toISOString() }
      : null,
  created_at: s.created_at.toISOString(),
});

import {
  CreateDraftBodySchema,
  EditDraftBodySchema,
  IdParamsSchema,
  OutboundDetailResponseSchema,
  OutboundListQuerySchema,
  OutboundListResponseSchema,
  OutboundResponseSchema,
  PolicyListQuerySchema,
  PolicyListResponseSchema,
  PolicyResponseSchema,
  PreflightResponseSchema,
  ProcessResponseSchema,
  SendResponseSchema,
  SetPolicyBodySchema,
} from '@cairn/contract';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { runIdempotent, sendIdempotentOutcome } from './idempotency.js';
import { listPolicies, setPolicy } from './policies.js';
import { preflight } from './preflight.js';
import { createAdapters } from './adapters/index.js';
import { processOutbound } from './process-outbound.js';
import { sendOutbound, type OutboundDeps } from './send-outbound.js';
import {
  approveMessage,
  cancelMessage,
  createDraft,
  editDraft,
  listMessages,
  messageDetail,
  retryMessage,
} from './service.js';
import { actorOf } from '../../http/actor.js';
import { serializeDates } from './dto.js';
import { unsubscribeRoutes } from './unsubscribe.js';

const tags = ['outbound'];

const IdempotencyHeaderSchema = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
});

export const outboundRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const deps = (): OutboundDeps => ({
    database: app.database,
    config: app.config,
    secrets: app.secrets,
    adapters,
  });
  const adapters = createAdapters(app.config);

  await app.register(unsubscribeRoutes);

  app.get(
    '/outbound',
    {
      config: { access: 'project', permission: 'project:read' },
      schema: {
        tags,
        summary: "The project's outbound messages, newest first",
        querystring: OutboundListQuerySchema,
        response: { 200: OutboundListResponseSchema },
      },
    },
    async (request) => {
      const { status, limit = 50, cursor } = request.query;
      const { items, nextCursor } = await listMessages(app.database, request.scope, {
        status,
        limit,
        cursor,
      });
      return { ok: true as const, items: items.map(serializeDates), next_cursor: nextCursor };
    },
  );

  app.get(
    '/outbound/policies',
    {
      config: { access: 'project', permission: 'project:read' },
      schema: {
        tags,
        summary: 'Contact channel policies: opt-out, stop-on-reply, frequency caps',
        querystring: PolicyListQuerySchema,
        response: { 200: PolicyListResponseSchema },
      },
    },
    async (request) => ({
      ok: true as const,
      policies: (
        await app.database.withScope(request.scope, (trx) =>
          listPolicies(trx, request.scope, {
            contactGlobalId: request.query.contact_global_id,
            channel: request.query.channel,
          }),
        )
      ).map(serializeDates),
    }),
  );

  app.get(
    '/outbound/:id',
    {
      config: { access: 'project', permission: 'project:read' },
      schema: {
        tags,
        summary:
          'One message with its delivery attempts, audit trail and evidence read for display',
        params: IdParamsSchema,
        response: { 200: OutboundDetailResponseSchema },
      },
    },
    async (request) => {
      const { message, attempts, audit, evidence } = await messageDetail(
        app.database,
        request.scope,
        request.params.id,
      );
      return {
        ok: true as const,
        message: serializeDates(message),
        attempts: attempts.map(serializeDates),
        audit: audit.map(serializeDates),
        evidence,
      };
    },
  );

  app.get(
    '/outbound/:id/preflight',
    {
      config: { access: 'project', permission: 'project:read' },
      schema: {
        tags,
        summary: 'What sending would decide now, each policy with its evidence',
        params: IdParamsSchema,
        response: { 200: PreflightResponseSchema },
      },
    },
    async (request) => ({
      ok: true as const,
      ...(await preflight(app.database, request.scope, request.params.id)),
    }),
  );

  app.post(
    '/outbound/draft',
    {
      config: { access: 'project', permission: 'outbound:draft' },
      schema: {
        tags,
        summary: 'Create a draft; idempotent on idempotency_key (replays the first response)',
        body: CreateDraftBodySchema,
        response: { 201: OutboundResponseSchema },
      },
    },
    async (request, reply) => {
      const outcome = await runIdempotent({
        database: app.database,
        scope: request.scope,
        userId: request.user!.id,
        operation: 'outbound.draft',
        key: request.body.idempotency_key,
        body: request.body,
        requestId: request.id,
        execute: async (trx) => {
          const message = await createDraft(
            trx,
            request.scope,
            app.config,
            request.body,
            actorOf(request),
          );
          // Stored as JSON, so a replay sends the very bytes the first response carried.
          const body = JSON.parse(
            JSON.stringify({ ok: true, message, request_id: request.id }),
          ) as Record<string, unknown>;
          return { status: 201, body };
        },
      });
      return sendIdempotentOutcome(reply, outcome);
    },
  );

  app.patch(
    '/outbound/:id',
    {
      config: { access: 'project', permission: 'outbound:draft' },
      schema: {
        tags,
        summary: 'Edit a draft; an approved message returns to draft',
        params: IdParamsSchema,
        body: EditDraftBodySchema,
        response: { 200: OutboundResponseSchema },
      },
    },
    async (request) => ({
      ok: true as const,
      message: serializeDates(
        await editDraft(
          app.database,
          request.scope,
          request.params.id,
          request.body,
          actorOf(request),
        ),
      ),
    }),
  );

  app.post(
    '/outbound/:id/approve',
    {
      config: { access: 'project', permission: 'outbound:approve' },
      schema: {
        tags,
        summary: 'Approve a draft (who and when are recorded)',
        params: IdParamsSchema,
        response: { 200: OutboundResponseSchema },
      },
    },
    async (request) => ({
      ok: true as const,
      message: serializeDates(
        await approveMessage(
          app.database,
          app.config,
          request.scope,
          request.params.id,
          actorOf(request),
        ),
      ),
    }),
  );

  app.post(
    '/outbound/:id/cancel',
    {
      config: { access: 'project', permission: 'outbound:draft' },
      schema: {
        tags,
        summary: 'Cancel a message not yet sent',
        params: IdParamsSchema,
        response: { 200: OutboundResponseSchema },
      },
    },
    async (request) => ({
      ok: true as const,
      message: serializeDates(
        await cancelMessage(app.database, request.scope, request.params.id, actorOf(request)),
      ),
    }),
  );

  app.post(
    '/outbound/:id/retry',
    {
      config: { access: 'project', permission: 'outbound:send' },
      schema: {
        tags,
        summary: 'Return a failed message to approved (manual retry)',
        params: IdParamsSchema,
        response: { 200: OutboundResponseSchema },
      },
    },
    async (request) => ({
      ok: true as const,
      message: serializeDates(
        await retryMessage(app.database, request.scope, request.params.id, actorOf(request)),
      ),
    }),
  );

  app.post(
    '/outbound/:id/send',
    {
      config: { access: 'project', permission: 'outbound:send' },
      schema: {
        tags,
        summary: 'Send an approved message now; delivered at most once however often it is called',
        description:
          'An optional Idempotency-Key header makes a retried request replay the first answer instead of acting again.',
        params: IdParamsSchema,
        headers: IdempotencyHeaderSchema,
        response: { 200: SendResponseSchema },
      },
    },
    async (request, reply) => {
      const send = async () => {
        const { result, message } = await sendOutbound(deps(), {
          scope: request.scope,
          messageId: request.params.id,
          actor: actorOf(request),
          mode: 'manual',
        });
        return {
          ok: true as const,
          result,
          message: serializeDates(message),
          request_id: request.id,
        };
      };
      const key = request.headers['idempotency-key'];
      if (!key) return send();
      const outcome = await runIdempotent({
        database: app.database,
        scope: request.scope,
        userId: request.user!.id,
        operation: 'outbound.send',
        key,
        body: { id: request.params.id },
        requestId: request.id,
        outsideTransaction: true,
        execute: async () => ({ status: 200, body: await send() }),
      });
      return sendIdempotentOutcome(reply, outcome);
    },
  );

  app.post(
    '/outbound/process',
    {
      config: { access: 'project', permission: 'outbound:send' },
      schema: {
        tags,
        summary: 'Send every due approved message and retry due failures',
        response: { 200: ProcessResponseSchema },
      },
    },
    async (request) => ({
      ok: true as const,
      ...(await processOutbound({
        database: app.database,
        config: app.config,
        scope: request.scope,
        secrets: app.secrets,
        adapters,
        actor: actorOf(request),
      })),
    }),
  );

  app.post(
    '/outbound/opt-out',
    {
      config: { access: 'project', permission: 'policies:manage' },
      schema: {
        tags,
        summary:
          "Set a contact's channel policy: opt-out (or explicit opt-in), stop-on-reply, frequency cap",
        body: SetPolicyBodySchema,
        response: { 200: PolicyResponseSchema },
      },
    },
    async (request) => {
      const body = request.body;
      const policy = await app.database.withScope(request.scope, (trx) =>
        setPolicy(
          trx,
          request.scope,
          {
            contactGlobalId: body.contact_global_id,
            channel: body.channel,
            optedOut:
              body.opted_out ??
              (body.stop_on_reply === undefined && body.max_per_window === undefined
                ? true
                : undefined),
            stopOnReply: body.stop_on_reply,
            maxPerWindow: body.max_per_window,
            windowHours: body.window_hours,
          },
          actorOf(request),
        ),
      );
      return { ok: true as const, policy: serializeDates(policy) };
    },
  );
};

import {
  AuditListQuerySchema,
  AuditListResponseSchema,
  AuditVerifyResponseSchema,
} from '@cairn/contract';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { listAudit, verifyAuditChain } from './service.js';

const tags = ['audit'];

export const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/audit',
    {
      schema: {
        tags,
        summary: "The active project's audit trail, newest first",
        querystring: AuditListQuerySchema,
        response: { 200: AuditListResponseSchema },
      },
    },
    async (request) => {
      const { action, entity_id, limit = 50, offset = 0 } = request.query;
      const { events, total } = await listAudit({
        database: app.database,
        scope: request.scope,
        action,
        entityId: entity_id,
        limit,
        offset,
      });
      return {
        ok: true as const,
        events: events.map((e) => ({ ...e, created_at: e.created_at.toISOString() })),
        total,
      };
    },
  );

  app.get(
    '/audit/verify',
    {
      schema: {
        tags,
        summary: "Recomputes the project's hash chain and reports the first broken link",
        response: { 200: AuditVerifyResponseSchema },
      },
    },
    async (request) => ({
      ok: true as const,
      ...(await verifyAuditChain({ database: app.database, scope: request.scope })),
    }),
  );
};

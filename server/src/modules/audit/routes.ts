import {
  AuditListQuerySchema,
  AuditListResponseSchema,
  AuditVerifyResponseSchema,
  WorkspaceAuditQuerySchema,
  WorkspaceAuditResponseSchema,
} from '@cairn/contract';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { holds, projectsWith } from '../../http/access.js';
import { listAudit, listWorkspaceAudit, verifyAuditChain, type AuditRow } from './service.js';

const tags = ['audit'];

export const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/audit',
    {
      config: { access: 'project', permission: 'audit:read' },
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
        events: events.map(toEventDto),
        total,
      };
    },
  );

  app.get(
    '/audit/verify',
    {
      config: { access: 'project', permission: 'audit:read' },
      schema: {
        tags,
        summary: 'Recomputes the hash chains and reports the first broken link of each',
        description:
          "`valid`, `checked` and `first_broken` are the active project's chain; `chains` lists " +
          'the workspace chain (owners) and every project chain the caller may audit.',
        response: { 200: AuditVerifyResponseSchema },
      },
    },
    async (request) => {
      const database = app.database;
      const workspace = holds(request, 'workspace:audit')
        ? [{ chain: 'workspace' as const, project_id: null, project_name: null }]
        : [];
      const projects = (await projectsWith(request, database, 'audit:read')).map((p) => ({
        chain: 'project' as const,
        project_id: p.id,
        project_name: p.name,
      }));
      const chains = [];
      for (const chain of [...workspace, ...projects]) {
        chains.push({
          ...chain,
          ...(await verifyAuditChain({ database, projectId: chain.project_id })),
        });
      }
      const active =
        chains.find((c) => c.project_id === request.scope.projectId) ??
        (await verifyAuditChain({ database, projectId: request.scope.projectId }));
      return {
        ok: true as const,
        valid: active.valid,
        checked: active.checked,
        first_broken: active.first_broken,
        all_valid: chains.every((c) => c.valid),
        chains,
      };
    },
  );

  app.get(
    '/audit/workspace',
    {
      config: { access: 'session', permission: 'workspace:audit' },
      schema: {
        tags,
        summary:
          'The workspace audit trail, newest first: sign-ins, users, roles, memberships, tokens',
        querystring: WorkspaceAuditQuerySchema,
        response: { 200: WorkspaceAuditResponseSchema },
      },
    },
    async (request) => {
      const { action, limit = 50, offset = 0 } = request.query;
      const { events, total } = await listWorkspaceAudit({
        database: app.database,
        action,
        limit,
        offset,
      });
      return { ok: true as const, events: events.map(toEventDto), total };
    },
  );
};

const toEventDto = (e: AuditRow) => ({ ...e, created_at: e.created_at.toISOString() });

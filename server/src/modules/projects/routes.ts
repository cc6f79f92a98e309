import {
  CreateProjectBodySchema,
  IdParamsSchema,
  ProjectListResponseSchema,
  ProjectResponseSchema,
  RenameProjectBodySchema,
} from '@cairn/contract';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { granteeOf } from '../../http/access.js';
import { actorOf } from '../../http/actor.js';
import { projectPermissions } from '../access/permissions.js';
import {
  createProject,
  getProject,
  listProjects,
  renameProject,
  selectProject,
  type ProjectRow,
} from './service.js';

const tags = ['projects'];

export const projectRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/projects',
    {
      config: { access: 'session', permission: 'self:read' },
      schema: {
        tags,
        summary: 'The projects I may see (a token: its projects), with my role in each',
        response: { 200: ProjectListResponseSchema },
      },
    },
    async (request) => {
      const projects = await listProjects(app.database, {
        userId: request.user!.id,
        projectIds: request.token?.projectIds ?? null,
      });
      return {
        ok: true as const,
        projects: projects.map((p) => toDto(p, request, p.role)),
        active_project_id: request.session?.activeProjectId ?? null,
      };
    },
  );

  app.post(
    '/projects',
    {
      config: { access: 'session', permission: 'projects:create' },
      schema: {
        tags,
        summary: 'Create a project',
        body: CreateProjectBodySchema,
        response: { 201: ProjectResponseSchema },
      },
    },
    async (request, reply) => {
      const project = await createProject(
        app.database,
        {
          name: request.body.name,
          accountScopeKey: request.body.account_scope_key,
          accountScopeName: request.body.account_scope_name,
        },
        actorOf(request),
        app.projectCreatedHooks,
      );
      // Only owners create projects, and owners manage every project.
      return reply
        .status(201)
        .send({ ok: true as const, project: toDto(project, request, 'manager') });
    },
  );

  app.get(
    '/projects/:id',
    {
      config: { access: 'session', permission: 'project:read', projectParam: 'id' },
      schema: { tags, params: IdParamsSchema, response: { 200: ProjectResponseSchema } },
    },
    async (request) => ({
      ok: true as const,
      project: toDto(await getProject(app.database, request.params.id), request),
    }),
  );

  app.patch(
    '/projects/:id',
    {
      config: { access: 'session', permission: 'project:manage', projectParam: 'id' },
      schema: {
        tags,
        summary: 'Rename a project',
        params: IdParamsSchema,
        body: RenameProjectBodySchema,
        response: { 200: ProjectResponseSchema },
      },
    },
    async (request) => ({
      ok: true as const,
      project: toDto(
        await renameProject(app.database, request.params.id, request.body.name, actorOf(request)),
        request,
      ),
    }),
  );

  app.post(
    '/projects/:id/select',
    {
      config: { access: 'session', permission: 'project:read', projectParam: 'id' },
      schema: {
        tags,
        summary: 'Make a project the active one for this session',
        description:
          'A personal token keeps no selection: it names its project per request with ' +
          'X-Cairn-Project, so for a token this only confirms the project is within reach.',
        params: IdParamsSchema,
        response: { 200: ProjectResponseSchema },
      },
    },
    async (request) => ({
      ok: true as const,
      project: toDto(
        request.session
          ? await selectProject(
              app.database,
              request.session.sessionId,
              request.params.id,
              actorOf(request),
            )
          : await getProject(app.database, request.params.id),
        request,
      ),
    }),
  );
};

/** The project as the caller sees it: with their role and what they may do there. */
function toDto(p: ProjectRow, request: FastifyRequest, role = request.projectRole!) {
  return { ...projectFields(p), role, permissions: projectPermissions(granteeOf(request), role) };
}

const projectFields = (p: ProjectRow) => ({
  id: p.id,
  name: p.name,
  account_scope_id: p.account_scope_id,
  account_scope_key: p.account_scope_key,
  created_at: p.created_at.toISOString(),
  updated_at: p.updated_at.toISOString(),
});

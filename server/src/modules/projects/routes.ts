import {
  CreateProjectBodySchema,
  IdParamsSchema,
  ProjectListResponseSchema,
  ProjectResponseSchema,
  RenameProjectBodySchema,
} from '@cairn/contract';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
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
      config: { access: 'session' },
      schema: {
        tags,
        summary: 'List projects and the active one',
        response: { 200: ProjectListResponseSchema },
      },
    },
    async (request) => ({
      ok: true as const,
      projects: (await listProjects(app.database)).map(toDto),
      active_project_id: request.session!.activeProjectId,
    }),
  );

  app.post(
    '/projects',
    {
      config: { access: 'session' },
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
      return reply.status(201).send({ ok: true as const, project: toDto(project) });
    },
  );

  app.get(
    '/projects/:id',
    {
      config: { access: 'session' },
      schema: { tags, params: IdParamsSchema, response: { 200: ProjectResponseSchema } },
    },
    async (request) => ({
      ok: true as const,
      project: toDto(await getProject(app.database, request.params.id)),
    }),
  );

  app.patch(
    '/projects/:id',
    {
      config: { access: 'session' },
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
      ),
    }),
  );

  app.post(
    '/projects/:id/select',
    {
      config: { access: 'session' },
      schema: {
        tags,
        summary: 'Make a project the active one for this session',
        params: IdParamsSchema,
        response: { 200: ProjectResponseSchema },
      },
    },
    async (request) => ({
      ok: true as const,
      project: toDto(
        await selectProject(
          app.database,
          request.session!.sessionId,
          request.params.id,
          actorOf(request),
        ),
      ),
    }),
  );
};

export const actorOf = (request: FastifyRequest) => ({
  userId: request.session!.userId,
  username: request.session!.username,
  requestId: request.id,
});

const toDto = (p: ProjectRow) => ({
  id: p.id,
  name: p.name,
  account_scope_id: p.account_scope_id,
  account_scope_key: p.account_scope_key,
  created_at: p.created_at.toISOString(),
  updated_at: p.updated_at.toISOString(),
});

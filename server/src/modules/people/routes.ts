import {
  MergePeopleBodySchema,
  MergePeopleResponseSchema,
  OrganizationResponseSchema,
  PeopleListResponseSchema,
  PeopleQuerySchema,
  PersonParamsSchema,
  PersonResponseSchema,
  SplitPersonBodySchema,
  SplitPersonResponseSchema,
} from '@cairn/contract';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { mergePeople, splitPerson, type PeopleActor } from './decisions.js';
import { getOrganization, getPerson, listPeople } from './read.js';

const tags = ['people'];

const actorOf = (request: FastifyRequest): PeopleActor => ({
  userId: request.user!.id,
  username: request.user!.username,
  requestId: request.id,
});

export const peopleRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const deps = () => ({ database: app.database, config: app.config });

  app.get(
    '/people',
    {
      config: { access: 'project', permission: 'project:read' },
      schema: {
        tags,
        summary: 'People linked across sources, by name; by email, text or Chatwoot contact',
        querystring: PeopleQuerySchema,
        response: { 200: PeopleListResponseSchema },
      },
    },
    async (request) => {
      const { limit = 50, ...rest } = request.query;
      return {
        ok: true as const,
        ...(await listPeople(app.database, request.scope, { limit, ...rest })),
      };
    },
  );

  app.get(
    '/people/:id',
    {
      config: { access: 'project', permission: 'project:read' },
      schema: {
        tags,
        summary:
          'One person: contact points, organisation, and each source record with what tied it',
        params: PersonParamsSchema,
        response: { 200: PersonResponseSchema },
      },
    },
    async (request) => ({
      ok: true as const,
      person: await getPerson(app.database, request.scope, request.params.id),
    }),
  );

  app.get(
    '/organizations/:id',
    {
      config: { access: 'project', permission: 'project:read' },
      schema: {
        tags,
        summary: 'One organisation: its domains, source records and people',
        params: PersonParamsSchema,
        response: { 200: OrganizationResponseSchema },
      },
    },
    async (request) => ({
      ok: true as const,
      organization: await getOrganization(app.database, request.scope, request.params.id),
    }),
  );

  app.post(
    '/people/merge',
    {
      config: { access: 'project', permission: 'people:manage' },
      schema: {
        tags,
        summary: 'Make several people one, by hand (kept through every relink; audited)',
        body: MergePeopleBodySchema,
        response: { 200: MergePeopleResponseSchema },
      },
    },
    async (request) => ({
      ok: true as const,
      person: await mergePeople(deps(), request.scope, actorOf(request), request.body.ids),
    }),
  );

  app.post(
    '/people/:id/split',
    {
      config: { access: 'project', permission: 'people:manage' },
      schema: {
        tags,
        summary: 'Move some of a person’s source records to a new person (kept apart; audited)',
        params: PersonParamsSchema,
        body: SplitPersonBodySchema,
        response: { 200: SplitPersonResponseSchema },
      },
    },
    async (request) => ({
      ok: true as const,
      ...(await splitPerson(
        deps(),
        request.scope,
        actorOf(request),
        request.params.id,
        request.body.link_ids,
      )),
    }),
  );
};

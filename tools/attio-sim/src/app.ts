// The simulator's HTTP server: Attio's REST v2 endpoints a sync reads, and the control API under
// /__sim/. Every API request passes, in order: injected faults (an edge in front of Attio fails
// before Attio looks at the request), the Bearer token, the per-second rate limit, the handler.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { entityPage, halfBody, nginxPage, sendTruncated, type ActiveFault } from '@cairn/studio';
import { registerControlApi } from './control-api.js';
import type { AttioSimControl } from './control.js';
import { AttioError, notFound, rateLimited, unauthorized, validationError } from './errors.js';
import { recordMatches, parseSorts, sortRecords, type QueryContext } from './query.js';
import { retryAfterDate } from './rate-limit.js';
import {
  attributeRows,
  renderMember,
  renderNote,
  renderObject,
  renderRecord,
  renderTask,
  valuesOf,
} from './render.js';
import type { AttioFaultKind, AttioFaultRoute, SimCore } from './sim-core.js';
import { OBJECT_SLUGS, type ObjectSlug } from './world.js';

type Json = Record<string, unknown>;
type Fault = ActiveFault<AttioFaultRoute, AttioFaultKind>;

interface Outcome {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

interface Handled {
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  body: Json;
}

/** A non-negative integer query parameter, or its default. */
function integer(value: unknown, name: string, fallback: number, max?: number): number {
  if (value === undefined || value === '') return fallback;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw validationError(`${name} must be a non-negative integer.`);
  if (max !== undefined && n > max) throw validationError(`${name} must be at most ${max}.`);
  return n;
}

function page<T>(items: T[], limit: number, offset: number): T[] {
  return items.slice(offset, offset + limit);
}

function selfBody(core: SimCore): Json {
  if (core.revoked) return { active: false };
  const { workspace } = core.world;
  const member = core.world.members[core.world.tokenMemberIndex]!;
  return {
    active: true,
    scope:
      'record_permission:read object_configuration:read note:read task:read user_management:read webhook:read-write',
    client_id: core.clientId,
    token_type: 'Bearer',
    exp: null,
    iat: Math.floor(workspace.createdAt / 1000) + 86_400,
    sub: workspace.id,
    aud: core.clientId,
    iss: 'attio.com',
    authorized_by_workspace_member_id: member.id,
    workspace_id: workspace.id,
    workspace_name: workspace.name,
    workspace_slug: workspace.slug,
    workspace_logo_url: null,
  };
}

function queryContext(core: SimCore, object: ObjectSlug): QueryContext {
  return {
    world: core.world,
    object,
    rows: (record, attribute) => attributeRows(record, attribute, core.store.teamOf),
  };
}

/** The API's handlers: pure functions of the request, throwing AttioError for error answers. */
function handlers(core: SimCore) {
  const { store, world } = core;
  const record = (r: Parameters<typeof renderRecord>[1]) => renderRecord(world, r, store.teamOf);
  return {
    self: (): Outcome => ({ status: 200, body: selfBody(core) }),
    objects: (): Outcome => ({
      status: 200,
      body: { data: OBJECT_SLUGS.map((slug) => renderObject(world, world.objects[slug])) },
    }),
    object: ({ params }: Handled): Outcome => ({
      status: 200,
      body: { data: renderObject(world, world.objects[store.objectOf(params['object']!)]) },
    }),
    recordsQuery: ({ params, body }: Handled): Outcome => {
      const object = store.objectOf(params['object']!);
      const limit = integer(body['limit'], 'limit', 500);
      const offset = integer(body['offset'], 'offset', 0);
      const ctx = queryContext(core, object);
      const filter = body['filter'];
      if (
        filter !== undefined &&
        (filter === null || typeof filter !== 'object' || Array.isArray(filter))
      )
        throw validationError('filter must be an object.');
      const sorts = parseSorts(ctx, body['sorts']);
      let records = store.records(object);
      if (filter) records = records.filter((r) => recordMatches(ctx, r, filter as Json));
      records = sortRecords(ctx, records, sorts);
      return { status: 200, body: { data: page(records, limit, offset).map(record) } };
    },
    record: ({ params }: Handled): Outcome => {
      const object = store.objectOf(params['object']!);
      return { status: 200, body: { data: record(store.record(object, params['record_id']!)) } };
    },
    recordValues: ({ params, query }: Handled): Outcome => {
      const object = store.objectOf(params['object']!);
      const entry = store.record(object, params['record_id']!);
      const attribute = world.objects[object].attributes.find(
        (a) => a.slug === params['attribute'] || a.id === params['attribute'],
      );
      if (!attribute) throw notFound(`Attribute with slug/ID "${params['attribute']}" not found.`);
      const historic = query['show_historic'] === 'true';
      const values = valuesOf(world, entry, attribute.slug, store.teamOf, historic);
      const limit = integer(query['limit'], 'limit', values.length);
      const offset = integer(query['offset'], 'offset', 0);
      return { status: 200, body: { data: page(values, limit, offset) } };
    },
    notes: ({ query }: Handled): Outcome => {
      // The default silently returns 10, the most is 50 (openapi.yaml, GET /v2/notes).
      const limit = integer(query['limit'], 'limit', 10, 50);
      const offset = integer(query['offset'], 'offset', 0);
      let notes = store.notes();
      if (query['parent_object']) {
        const object = store.objectOf(query['parent_object']);
        notes = notes.filter((n) => n.parentObject === object);
      }
      if (query['parent_record_id'])
        notes = notes.filter((n) => n.parentRecordId === query['parent_record_id']);
      return {
        status: 200,
        body: { data: page(notes, limit, offset).map((n) => renderNote(world, n)) },
      };
    },
    note: ({ params }: Handled): Outcome => ({
      status: 200,
      body: { data: renderNote(world, store.note(params['note_id']!)) },
    }),
    tasks: ({ query }: Handled): Outcome => {
      const limit = integer(query['limit'], 'limit', 500);
      const offset = integer(query['offset'], 'offset', 0);
      const sort = query['sort'] ?? 'created_at:asc';
      if (sort !== 'created_at:asc' && sort !== 'created_at:desc')
        throw validationError('sort must be "created_at:asc" or "created_at:desc".');
      let tasks = store.tasks();
      if (query['linked_object'] || query['linked_record_id']) {
        const object = query['linked_object'] ? store.objectOf(query['linked_object']) : undefined;
        tasks = tasks.filter((t) =>
          t.linked.some(
            (l) =>
              (object === undefined || l.object === object) &&
              (!query['linked_record_id'] || l.recordId === query['linked_record_id']),
          ),
        );
      }
      if (query['is_completed'] !== undefined) {
        if (query['is_completed'] !== 'true' && query['is_completed'] !== 'false')
          throw validationError('is_completed must be true or false.');
        tasks = tasks.filter((t) => t.isCompleted === (query['is_completed'] === 'true'));
      }
      if (query['assignee'] !== undefined) {
        const who = query['assignee'];
        tasks =
          who === '' || who === 'null'
            ? tasks.filter((t) => t.assigneeIndexes.length === 0)
            : tasks.filter((t) =>
                t.assigneeIndexes.some((i) => {
                  const member = world.members[i]!;
                  return member.id === who || member.email === who.toLowerCase();
                }),
              );
      }
      if (sort === 'created_at:desc') tasks = [...tasks].reverse();
      return {
        status: 200,
        body: { data: page(tasks, limit, offset).map((t) => renderTask(world, t)) },
      };
    },
    task: ({ params }: Handled): Outcome => ({
      status: 200,
      body: { data: renderTask(world, store.task(params['task_id']!)) },
    }),
    members: (): Outcome => ({
      status: 200,
      body: { data: world.members.map((_m, i) => renderMember(world, i)) },
    }),
    member: ({ params }: Handled): Outcome => {
      const index = world.members.findIndex((m) => m.id === params['workspace_member_id']);
      if (index < 0)
        throw notFound(`Workspace member with ID "${params['workspace_member_id']}" not found.`);
      return { status: 200, body: { data: renderMember(world, index) } };
    },
    list: ({ params }: Handled): Outcome => ({
      status: 200,
      body: { data: core.lists.render(core.lists.list(params['list']!)) },
    }),
    listEntries: ({ params, body }: Handled): Outcome => {
      const limit = integer(body['limit'], 'limit', 500);
      const offset = integer(body['offset'], 'offset', 0);
      if (body['filter'] !== undefined || body['sorts'] !== undefined)
        throw validationError('The simulator serves list entries without filter or sorts.');
      return { status: 200, body: { data: core.lists.query(params['list']!, limit, offset) } };
    },
    webhooks: ({ query }: Handled): Outcome => {
      const limit = integer(query['limit'], 'limit', 10, 100);
      const offset = integer(query['offset'], 'offset', 0);
      const hooks = page(core.webhooks.list(), limit, offset);
      return { status: 200, body: { data: hooks.map((h) => core.webhooks.render(h)) } };
    },
    createWebhook: ({ body }: Handled): Outcome => {
      const data = body['data'];
      if (!data || typeof data !== 'object') throw validationError('data is required.');
      const hook = core.webhooks.create(data as Json);
      return { status: 200, body: { data: core.webhooks.render(hook, true) } };
    },
    webhook: ({ params }: Handled): Outcome => ({
      status: 200,
      body: { data: core.webhooks.render(core.webhooks.get(params['webhook_id']!)) },
    }),
    updateWebhook: ({ params, body }: Handled): Outcome => {
      const data = body['data'];
      if (!data || typeof data !== 'object') throw validationError('data is required.');
      const hook = core.webhooks.update(params['webhook_id']!, data as Json);
      return { status: 200, body: { data: core.webhooks.render(hook) } };
    },
    deleteWebhook: ({ params }: Handled): Outcome => {
      core.webhooks.delete(params['webhook_id']!);
      if (core.controlWebhookId === params['webhook_id']) core.controlWebhookId = null;
      return { status: 200, body: {} };
    },
  };
}

function failure(error: AttioError): Outcome {
  return { status: error.status, body: error.body() };
}

function faultOutcome(core: SimCore, fault: Fault): Outcome | null {
  switch (fault.kind) {
    case '429':
      return {
        status: 429,
        body: rateLimited().body(),
        headers: { 'retry-after': retryAfterDate(core.clock(), fault.retryAfterSeconds ?? 1) },
      };
    case '500':
      return {
        status: 500,
        body: new AttioError(
          500,
          'api_error',
          'internal_server_error',
          'An unexpected error occurred.',
        ).body(),
      };
    case '502':
    case '503': {
      const status = Number(fault.kind);
      return {
        status,
        body: nginxPage(status, status === 502 ? 'Bad Gateway' : 'Service Temporarily Unavailable'),
        headers: {
          'content-type': 'text/html',
          ...(fault.retryAfterSeconds !== null && {
            'retry-after': retryAfterDate(core.clock(), fault.retryAfterSeconds),
          }),
        },
      };
    }
    default:
      return null;
  }
}

function send(reply: FastifyReply, outcome: Outcome): FastifyReply {
  return reply
    .code(outcome.status)
    .headers(outcome.headers ?? {})
    .send(outcome.body);
}

export function buildAttioApp(core: SimCore, control: AttioSimControl): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 8 * 1024 * 1024 });
  const api = handlers(core);

  const route = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    faultRoute: AttioFaultRoute,
    access: 'read' | 'write',
    handler: (input: Handled) => Outcome,
  ) =>
    app.route({
      method,
      url,
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        const input: Handled = {
          params: request.params as Record<string, string>,
          query: request.query as Record<string, string | undefined>,
          body: request.body && typeof request.body === 'object' ? (request.body as Json) : {},
        };
        const details: Json = {
          ...(input.params['object'] && { object: input.params['object'] }),
          ...(input.body['offset'] !== undefined && { offset: input.body['offset'] }),
          ...(input.query['offset'] !== undefined && { offset: Number(input.query['offset']) }),
        };
        let faultKind: string | null = null;
        const logged = (status: number) =>
          core.requestLog.add({
            at: new Date().toISOString(),
            method,
            url: request.url,
            route: faultRoute,
            status,
            fault: faultKind,
            details,
          });
        const run = (): Outcome => {
          const authorization = request.headers.authorization;
          const bearer = authorization?.startsWith('Bearer ') ? authorization.slice(7) : null;
          if (bearer !== core.token)
            return failure(
              unauthorized(
                'Missing or invalid access token. Send it as "Authorization: Bearer <token>".',
              ),
            );
          if (core.revoked && faultRoute !== 'self')
            return failure(unauthorized('The access token has been revoked.'));
          const allowed = core.rateWindow.take(access);
          if (!allowed.allowed)
            return { ...failure(rateLimited()), headers: { 'retry-after': allowed.retryAfter } };
          try {
            return handler(input);
          } catch (error) {
            if (error instanceof AttioError) return failure(error);
            throw error;
          }
        };

        const fault = core.faults.take({
          route: faultRoute,
          object: input.params['object'] ?? null,
          offset: typeof details['offset'] === 'number' ? (details['offset'] as number) : null,
          parent_object: input.query['parent_object'] ?? null,
        });
        faultKind = fault?.kind ?? null;
        const immediate = fault && faultOutcome(core, fault);
        if (immediate) {
          logged(immediate.status);
          return send(reply, immediate);
        }
        if (fault?.kind === 'hang') {
          await core.hangs.wait((release) => request.raw.socket.once('close', release));
          logged(0);
          reply.hijack();
          request.raw.socket.destroy();
          return reply;
        }
        if (fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault.delayMs));
        const outcome = run();
        logged(outcome.status);
        if (fault?.kind === 'empty_page' && outcome.status === 200) {
          const body = outcome.body as Json;
          if (Array.isArray(body['data']))
            return send(reply, { ...outcome, body: { ...body, data: [] } });
        }
        if (fault?.kind === 'malformed')
          return reply
            .code(outcome.status)
            .type('application/json; charset=utf-8')
            .send(halfBody(JSON.stringify(outcome.body)));
        if (fault?.kind === 'truncated') {
          reply.hijack();
          sendTruncated(
            reply.raw,
            outcome.status,
            { 'content-type': 'application/json; charset=utf-8', ...outcome.headers },
            JSON.stringify(outcome.body),
          );
          return reply;
        }
        return send(reply, outcome);
      },
    });

  route('GET', '/v2/self', 'self', 'read', api.self);
  route('GET', '/v2/objects', 'objects', 'read', api.objects);
  route('GET', '/v2/objects/:object', 'objects', 'read', api.object);
  route('POST', '/v2/objects/:object/records/query', 'records_query', 'read', api.recordsQuery);
  route('GET', '/v2/objects/:object/records/:record_id', 'record', 'read', api.record);
  route(
    'GET',
    '/v2/objects/:object/records/:record_id/attributes/:attribute/values',
    'record_values',
    'read',
    api.recordValues,
  );
  route('GET', '/v2/notes', 'notes', 'read', api.notes);
  route('GET', '/v2/notes/:note_id', 'note', 'read', api.note);
  route('GET', '/v2/tasks', 'tasks', 'read', api.tasks);
  route('GET', '/v2/tasks/:task_id', 'task', 'read', api.task);
  route('GET', '/v2/workspace_members', 'workspace_members', 'read', api.members);
  route(
    'GET',
    '/v2/workspace_members/:workspace_member_id',
    'workspace_member',
    'read',
    api.member,
  );
  route('GET', '/v2/lists/:list', 'list', 'read', api.list);
  route('POST', '/v2/lists/:list/entries/query', 'list_entries', 'read', api.listEntries);
  route('GET', '/v2/webhooks', 'webhooks', 'read', api.webhooks);
  route('POST', '/v2/webhooks', 'webhooks', 'write', api.createWebhook);
  route('GET', '/v2/webhooks/:webhook_id', 'webhooks', 'read', api.webhook);
  route('PATCH', '/v2/webhooks/:webhook_id', 'webhooks', 'write', api.updateWebhook);
  route('DELETE', '/v2/webhooks/:webhook_id', 'webhooks', 'write', api.deleteWebhook);

  // The page behind a record's `web_url` (render.ts webUrl): what a link from Cairn opens when the
  // world links to this simulator. Anything else falls through to Attio's 404 below.
  app.get<{ Params: { workspace: string; segment: string; recordId: string } }>(
    '/:workspace/:segment/:recordId',
    async (request, reply) => {
      const { world } = core;
      const { workspace, segment, recordId } = request.params;
      const object = OBJECT_SLUGS.find((slug) => world.objects[slug].urlSegment === segment);
      const record = object
        ? world.records[object].find((r) => r.id === recordId && !r.deleted)
        : undefined;
      if (workspace !== world.workspace.slug || !object || !record) return reply.callNotFound();
      return reply
        .type('text/html; charset=utf-8')
        .send(entityPage('Attio', world.objects[object].singular, recordId));
    },
  );

  app.setNotFoundHandler((request, reply) =>
    send(
      reply,
      failure(notFound(`Route ${request.method} ${request.url.split('?')[0]} not found.`)),
    ),
  );
  registerControlApi(app, control);
  return app;
}

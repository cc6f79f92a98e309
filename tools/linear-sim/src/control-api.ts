// The control API over HTTP, for the demo and for tests in another process: the same operations
// as sim.control under /__sim/. Errors: 404 `{error}` for unknown entities, 422 `{error}` for bad
// input, as chatwoot-sim answers.
import type { FastifyInstance } from 'fastify';
import { ndjson, registerCommonControlRoutes } from '@cairn/studio';
import type { LinearSimControl } from './control.js';
import { InputError, NotFoundError } from './store.js';

type Body = Record<string, unknown>;
type Params = { id: string };

function text(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new InputError(`${field} must be a string`);
  return value;
}

export function registerControlApi(app: FastifyInstance, control: LinearSimControl): void {
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof NotFoundError) return reply.code(404).send({ error: error.message });
    if (error instanceof InputError) return reply.code(422).send({ error: error.message });
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    const message = error instanceof Error ? error.message : String(error);
    return reply.code(status).send({ error: status >= 500 ? 'Internal Server Error' : message });
  });
  const guarded =
    <T>(fn: () => T) =>
    async () => {
      try {
        return fn();
      } catch (error) {
        if (error instanceof NotFoundError || error instanceof InputError) throw error;
        throw new InputError(error instanceof Error ? error.message : String(error));
      }
    };

  app.post<{ Body: Body }>('/__sim/issues', (request) =>
    guarded(() => control.addIssue(request.body as never))(),
  );
  app.patch<{ Params: Params; Body: Body }>('/__sim/issues/:id', (request) =>
    guarded(() => control.editIssue(request.params.id, request.body as never))(),
  );
  app.post<{ Params: Params }>('/__sim/issues/:id/archive', async (request) =>
    control.archiveIssue(request.params.id),
  );
  app.post<{ Params: Params }>('/__sim/issues/:id/unarchive', async (request) =>
    control.unarchiveIssue(request.params.id),
  );
  app.delete<{ Params: Params }>('/__sim/issues/:id', async (request) =>
    control.deleteIssue(request.params.id),
  );
  app.post<{ Body: Body }>('/__sim/comments', (request) =>
    guarded(() => control.addComment(request.body as never))(),
  );
  app.patch<{ Params: Params; Body: Body }>('/__sim/comments/:id', (request) =>
    guarded(() => control.editComment(request.params.id, text(request.body['body'], 'body')))(),
  );
  app.post<{ Params: Params }>('/__sim/comments/:id/archive', async (request) =>
    control.archiveComment(request.params.id),
  );
  app.delete<{ Params: Params }>('/__sim/comments/:id', async (request) =>
    control.deleteComment(request.params.id),
  );
  app.post<{ Body: Body }>('/__sim/customers', (request) =>
    guarded(() => control.addCustomer(request.body as never))(),
  );
  app.patch<{ Params: Params; Body: Body }>('/__sim/customers/:id', (request) =>
    guarded(() => control.editCustomer(request.params.id, request.body))(),
  );
  app.post<{ Params: Params }>('/__sim/customers/:id/archive', async (request) =>
    control.archiveCustomer(request.params.id),
  );
  app.delete<{ Params: Params }>('/__sim/customers/:id', async (request) =>
    control.deleteCustomer(request.params.id),
  );
  app.post<{ Body: Body }>('/__sim/customer-needs', (request) =>
    guarded(() => control.addCustomerNeed(request.body as never))(),
  );
  app.post<{ Params: Params }>('/__sim/projects/:id/archive', async (request) =>
    control.archiveProject(request.params.id),
  );

  app.get('/__sim/ground-truth/issues', async (_request, reply) =>
    ndjson(reply, control.groundTruth.issues()),
  );
  app.get<{ Querystring: { issueId?: string } }>(
    '/__sim/ground-truth/comments',
    async (request, reply) =>
      ndjson(reply, control.groundTruth.comments({ issueId: request.query.issueId })),
  );
  app.get('/__sim/ground-truth/customers', async (_request, reply) =>
    ndjson(reply, control.groundTruth.customers()),
  );
  app.get('/__sim/ground-truth/customer-needs', async (_request, reply) =>
    ndjson(reply, control.groundTruth.customerNeeds()),
  );
  app.get('/__sim/ground-truth/projects', async (_request, reply) =>
    ndjson(reply, control.groundTruth.projects()),
  );
  app.get('/__sim/ground-truth/users', async (_request, reply) =>
    ndjson(reply, control.groundTruth.users()),
  );

  app.post<{ Body: Body }>('/__sim/webhook-payload', (request) =>
    guarded(() =>
      control.buildWebhookPayload(
        request.body['type'] as never,
        request.body['action'] as never,
        text(request.body['id'], 'id'),
      ),
    )(),
  );

  app.get('/__sim/rate-limits', async () => control.rateLimits());
  app.put<{ Body: Body }>('/__sim/rate-limits', (request) =>
    guarded(() => control.setRateLimits(request.body))(),
  );
  app.delete('/__sim/rate-limits', async () => {
    control.resetRateLimits();
    return { ok: true };
  });
  registerCommonControlRoutes(app, control, (message) => new InputError(message));
}

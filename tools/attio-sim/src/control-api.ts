// The control API over HTTP, for the demo and for tests in another process: the same operations as
// sim.control under /__sim/. Control errors answer `{error}` with 404 or 422 as chatwoot-sim does;
// errors on the Attio API paths keep Attio's envelope.
import type { FastifyInstance } from 'fastify';
import { ndjson, registerCommonControlRoutes } from '@cairn/studio';
import type { AttioSimControl } from './control.js';
import { AttioError } from './errors.js';
import { InputError } from './store.js';
import type { ObjectSlug } from './world.js';

type Body = Record<string, unknown>;

export function registerControlApi(app: FastifyInstance, control: AttioSimControl): void {
  app.setErrorHandler((error, request, reply) => {
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    const message = error instanceof Error ? error.message : String(error);
    if (!request.url.startsWith('/__sim')) {
      // Bodies Fastify could not parse, answered in Attio's envelope.
      const attio =
        error instanceof AttioError
          ? error
          : new AttioError(
              status < 500 ? 400 : 500,
              status < 500 ? 'invalid_request_error' : 'api_error',
              status < 500 ? 'validation_type' : 'internal_server_error',
              status < 500 ? message : 'An unexpected error occurred.',
            );
      return reply.code(attio.status).send(attio.body());
    }
    if (error instanceof AttioError && error.status === 404)
      return reply.code(404).send({ error: error.message });
    if (error instanceof AttioError || error instanceof InputError || status < 500)
      return reply.code(422).send({ error: message });
    return reply.code(500).send({ error: 'Internal Server Error' });
  });

  const object = (value: string) => value as ObjectSlug;
  app.post<{ Body: Body }>('/__sim/people', async (request) =>
    control.addPerson(request.body as never),
  );
  app.post<{ Body: Body }>('/__sim/companies', async (request) =>
    control.addCompany(request.body as never),
  );
  app.post<{ Body: Body }>('/__sim/deals', async (request) =>
    control.addDeal(request.body as never),
  );
  app.patch<{ Params: { object: string; id: string }; Body: Body }>(
    '/__sim/records/:object/:id',
    async (request) =>
      control.updateRecord(object(request.params.object), request.params.id, request.body),
  );
  app.delete<{ Params: { object: string; id: string } }>(
    '/__sim/records/:object/:id',
    async (request) => control.deleteRecord(object(request.params.object), request.params.id),
  );
  app.post<{ Body: Body }>('/__sim/notes', async (request) =>
    control.addNote(request.body as never),
  );
  app.patch<{ Params: { id: string }; Body: Body }>('/__sim/notes/:id', async (request) =>
    control.editNote(request.params.id, request.body),
  );
  app.delete<{ Params: { id: string } }>('/__sim/notes/:id', async (request) =>
    control.deleteNote(request.params.id),
  );
  app.post<{ Body: Body }>('/__sim/tasks', async (request) =>
    control.addTask(request.body as never),
  );
  app.patch<{ Params: { id: string }; Body: Body }>('/__sim/tasks/:id', async (request) =>
    control.updateTask(request.params.id, request.body),
  );
  app.delete<{ Params: { id: string } }>('/__sim/tasks/:id', async (request) =>
    control.deleteTask(request.params.id),
  );
  app.post<{ Params: { list: string }; Body: Body }>(
    '/__sim/lists/:list/entries',
    async (request) => control.addListEntry(request.params.list, String(request.body['record_id'])),
  );
  app.delete<{ Params: { list: string; recordId: string } }>(
    '/__sim/lists/:list/entries/:recordId',
    async (request) => control.removeListEntry(request.params.list, request.params.recordId),
  );
  app.post<{ Body: Body }>('/__sim/token', async (request) => {
    control.revokeToken(request.body['revoked'] !== false);
    return { ok: true };
  });

  app.get<{ Params: { object: string } }>(
    '/__sim/ground-truth/records/:object',
    async (request, reply) =>
      ndjson(reply, control.groundTruth.records(object(request.params.object))),
  );
  app.get('/__sim/ground-truth/notes', async (_request, reply) =>
    ndjson(reply, control.groundTruth.notes()),
  );
  app.get('/__sim/ground-truth/tasks', async (_request, reply) =>
    ndjson(reply, control.groundTruth.tasks()),
  );

  app.put<{ Body: Body }>('/__sim/rate-limits', async (request) => {
    try {
      return control.setRateLimits(request.body);
    } catch (error) {
      throw new InputError(error instanceof Error ? error.message : String(error));
    }
  });
  registerCommonControlRoutes(app, control, (message) => new InputError(message));
}

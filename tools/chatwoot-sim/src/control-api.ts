// The /__sim/ control API: the same operations as sim.control, over HTTP, for out-of-process tests.
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SimControl } from './control.js';
import type { FaultSpec } from './faults.js';
import type { Query } from './queries.js';
import { InputError, type SimCore } from './sim-core.js';
import type { ConversationStatus } from './world.js';

function ndjson(reply: FastifyReply, rows: Iterable<unknown>): FastifyReply {
  function* lines() {
    for (const row of rows) yield `${JSON.stringify(row)}\n`;
  }
  return reply.type('application/x-ndjson').send(Readable.from(lines()));
}

export function registerControlApi(app: FastifyInstance, core: SimCore, control: SimControl): void {
  type Body = Record<string, unknown>;
  const accountIdOf = (value: unknown) =>
    value === undefined || value === null ? undefined : Number(value);

  app.get('/__sim/info', async () => ({
    accountId: core.accounts[0]!.accountId,
    accountIds: core.accounts.map((a) => a.accountId),
    foreignAccountId: core.foreignAccountId,
    token: core.token,
    webhookSecret: core.webhooks.secret,
  }));
  app.get('/__sim/stats', async () => control.stats());

  app.post<{ Body: Body }>('/__sim/messages', async (request) =>
    control.addMessage(request.body as unknown as Parameters<SimControl['addMessage']>[0]),
  );
  app.patch<{ Params: { id: string }; Body: Body }>('/__sim/messages/:id', async (request) =>
    control.editMessage(Number(request.params.id), String(request.body['content'] ?? ''), {
      accountId: accountIdOf(request.body['accountId']),
    }),
  );
  app.delete<{ Params: { id: string }; Querystring: Query }>(
    '/__sim/messages/:id',
    async (request) =>
      control.deleteMessage(Number(request.params.id), {
        accountId: accountIdOf(request.query['accountId']),
      }),
  );
  app.post<{ Body: Body }>('/__sim/conversations', async (request) =>
    control.addConversation(request.body as Parameters<SimControl['addConversation']>[0]),
  );
  app.post<{ Params: { id: string }; Body: Body }>(
    '/__sim/conversations/:id/status',
    async (request) =>
      control.setConversationStatus(
        Number(request.params.id),
        request.body['status'] as ConversationStatus,
        {
          accountId: accountIdOf(request.body['accountId']),
          snoozedUntil: (request.body['snoozed_until'] as string | undefined) ?? null,
        },
      ),
  );
  app.post<{ Params: { id: string }; Body: Body }>(
    '/__sim/conversations/:id/assignee',
    async (request) =>
      control.assignConversation(
        Number(request.params.id),
        (request.body['assigneeId'] as number | null | undefined) ?? null,
        {
          accountId: accountIdOf(request.body['accountId']),
        },
      ),
  );
  app.patch<{ Params: { id: string }; Body: Body }>('/__sim/contacts/:id', async (request) =>
    control.updateContact(Number(request.params.id), request.body, {
      accountId: accountIdOf(request.body['accountId']),
    }),
  );
  app.get('/__sim/sent-messages', async () => control.listSentMessages());

  app.get('/__sim/faults', async () => control.faults());
  app.post<{ Body: Body }>('/__sim/faults', async (request) => {
    try {
      return control.injectFault(request.body as unknown as FaultSpec);
    } catch (error) {
      throw new InputError(error instanceof Error ? error.message : String(error));
    }
  });
  app.delete('/__sim/faults', async () => {
    control.clearFaults();
    return { ok: true };
  });

  app.get<{ Querystring: Query }>('/__sim/requests', async (request) => {
    const route = request.query['route'];
    return control.requests(typeof route === 'string' ? { route } : undefined);
  });
  app.delete('/__sim/requests', async () => {
    control.clearRequests();
    return { ok: true };
  });

  app.get('/__sim/webhooks', async () => control.webhookDeliveries());
  app.post('/__sim/webhooks/flush', async () => {
    await control.flushWebhooks();
    return { ok: true };
  });
  app.put<{ Body: Body }>('/__sim/webhooks', async (request) => {
    const url = request.body['url'];
    const secret = request.body['secret'];
    if (url !== null && typeof url !== 'string')
      throw new InputError('url must be a string or null');
    if (secret !== undefined && typeof secret !== 'string')
      throw new InputError('secret must be a string');
    core.webhooks.configure(url, secret);
    return { ok: true, secret: core.webhooks.secret };
  });
  app.post<{ Body: Body }>('/__sim/webhook-payload', async (request) =>
    control.buildWebhookPayload(
      request.body['event'] as Parameters<SimControl['buildWebhookPayload']>[0],
      {
        accountId: accountIdOf(request.body['accountId']),
        conversationId: accountIdOf(request.body['conversationId']),
        messageId: accountIdOf(request.body['messageId']),
        contactId: accountIdOf(request.body['contactId']),
      },
    ),
  );

  app.get<{ Querystring: Query }>('/__sim/ground-truth/messages', async (request, reply) =>
    ndjson(
      reply,
      control.groundTruth.messages({
        accountId: accountIdOf(request.query['accountId']),
        conversationId: accountIdOf(request.query['conversationId']),
      }),
    ),
  );
  app.get<{ Querystring: Query }>('/__sim/ground-truth/conversations', async (request, reply) =>
    ndjson(
      reply,
      control.groundTruth.conversations({ accountId: accountIdOf(request.query['accountId']) }),
    ),
  );
  app.get<{ Querystring: Query }>('/__sim/ground-truth/contacts', async (request, reply) =>
    ndjson(
      reply,
      control.groundTruth.contacts({ accountId: accountIdOf(request.query['accountId']) }),
    ),
  );
}

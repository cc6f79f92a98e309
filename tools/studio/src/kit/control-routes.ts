// The control routes the Linear and Attio simulators share under /__sim/: stats, the studio truth,
// faults, the request log and the webhook target, over the same methods their `sim.control` has.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { StudioTruth } from '../studio/truth.js';
import type { RequestLogEntry, WebhookDelivery } from './deliveries.js';
import { webhookConfigBody } from './presets.js';

export interface CommonControl {
  stats(): unknown;
  studioTruth(): StudioTruth;
  injectFault(spec: never): unknown;
  clearFaults(): void;
  faults(): unknown;
  requests(filter?: { route?: string }): RequestLogEntry[];
  clearRequests(): void;
  configureWebhook(url: string | null, secret?: string): string | null;
  webhookDeliveries(): WebhookDelivery[];
  flushWebhooks(): Promise<void>;
}

/** One JSON document per line: ground truth of any size without one huge array. */
export function ndjson(reply: FastifyReply, rows: Iterable<unknown>): FastifyReply {
  let out = '';
  for (const row of rows) out += `${JSON.stringify(row)}\n`;
  return reply.type('application/x-ndjson').send(out);
}

/**
 * Registers the shared routes; `invalid` turns a refused input into the simulator's own error
 * (answered 422 by its error handler).
 */
export function registerCommonControlRoutes(
  app: FastifyInstance,
  control: CommonControl,
  invalid: (message: string) => Error,
): void {
  const checked = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      throw invalid(error instanceof Error ? error.message : String(error));
    }
  };
  app.get('/__sim/stats', async () => control.stats());
  app.get('/__sim/studio-truth', async () => control.studioTruth());
  app.get('/__sim/faults', async () => control.faults());
  app.post<{ Body: unknown }>('/__sim/faults', async (request) =>
    checked(() => control.injectFault(request.body as never)),
  );
  app.delete('/__sim/faults', async () => {
    control.clearFaults();
    return { ok: true };
  });
  app.get<{ Querystring: { route?: string } }>('/__sim/requests', async (request) =>
    control.requests(request.query.route ? { route: request.query.route } : undefined),
  );
  app.delete('/__sim/requests', async () => {
    control.clearRequests();
    return { ok: true };
  });
  app.get('/__sim/webhooks', async () => control.webhookDeliveries());
  app.put<{ Body: Record<string, unknown> }>('/__sim/webhooks', async (request) => {
    const config = checked(() => webhookConfigBody(request.body ?? {}));
    return { ok: true, secret: control.configureWebhook(config.url, config.secret) };
  });
  app.post('/__sim/webhooks/flush', async () => {
    await control.flushWebhooks();
    return { ok: true };
  });
}

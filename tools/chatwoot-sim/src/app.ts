// The simulator's HTTP server: fault injection and logging around the Application API and /__sim/.
import Fastify, { type FastifyInstance } from 'fastify';
import { registerApplicationApi } from './application-api.js';
import { createControl, type SimControl } from './control.js';
import { registerControlApi } from './control-api.js';
import { logRequest, numberParam, pageOf, type ConversationParams } from './http-context.js';
import type { Query } from './queries.js';
import { InputError, NotFoundError, type SimCore } from './sim-core.js';

export function buildSimApp(
  core: SimCore,
  control: SimControl = createControl(core),
): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 8 * 1024 * 1024 });
  app.decorateRequest('simFault', null);
  app.decorate('simCore', core);

  // Fault injection runs first, as rack-attack and proxies sit in front of Chatwoot's controllers.
  app.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.config.faultRoute ?? null;
    const params = request.params as Partial<ConversationParams>;
    const fault = core.faults.take({
      route,
      conversationId: route === 'contact' ? null : numberParam(params.id),
      page: pageOf(request.query as Query),
    });
    request.simFault = fault;
    if (!fault) return;
    switch (fault.kind) {
      case '429':
        if (fault.retryAfterSeconds !== null)
          reply.header('retry-after', String(fault.retryAfterSeconds));
        return reply.code(429).type('text/plain').send('Retry later\n');
      case '500':
        return reply.code(500).send({ status: 500, error: 'Internal Server Error' });
      case '502':
        return reply.code(502).type('text/html').send(nginxPage(502, 'Bad Gateway'));
      case '503':
        if (fault.retryAfterSeconds !== null)
          reply.header('retry-after', String(fault.retryAfterSeconds));
        return reply
          .code(503)
          .type('text/html')
          .send(nginxPage(503, 'Service Temporarily Unavailable'));
      case 'delay':
        await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
        return;
      default:
        return;
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const fault = request.simFault;
    if (!fault || typeof payload !== 'string' || reply.statusCode >= 400) return payload;
    if (fault.kind === 'malformed') {
      // Valid length, invalid JSON: what a proxy that cut a body and fixed the header would send.
      return payload.slice(0, Math.max(1, Math.floor(payload.length / 2)));
    }
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    logRequest(core, request, reply.statusCode);
  });

  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof NotFoundError) return reply.code(404).send({ error: error.message });
    if (error instanceof InputError) return reply.code(422).send({ error: error.message });
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    const message = error instanceof Error ? error.message : String(error);
    return reply
      .code(status)
      .send(status >= 500 ? { status, error: 'Internal Server Error' } : { error: message });
  });

  registerApplicationApi(app, core);
  registerControlApi(app, core, control);
  return app;
}

function nginxPage(status: number, text: string): string {
  return `<html>\r\n<head><title>${status} ${text}</title></head>\r\n<body>\r\n<center><h1>${status} ${text}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}

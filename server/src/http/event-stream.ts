import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Takes a response over from Fastify as a Server-Sent Events stream: the headers the hooks have
 * set (request id, CORS, security) are kept, caching and proxy buffering are turned off. The
 * caller writes `event:`/`data:` blocks to the returned response and ends it.
 */
export function startEventStream(request: FastifyRequest, reply: FastifyReply) {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string>),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    // Tells nginx-style proxies not to buffer the stream.
    'x-accel-buffering': 'no',
    'x-request-id': request.id,
  });
  return res;
}

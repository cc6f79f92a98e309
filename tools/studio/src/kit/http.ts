// HTTP plumbing the simulators share: listening on loopback and the broken bodies a proxy produces.
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';

/** Listens and returns the base URL without a trailing slash. */
export async function listen(
  app: FastifyInstance,
  options: { host?: string; port?: number },
): Promise<string> {
  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port ?? 0, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** What nginx in front of an API answers when the upstream fails. */
export function nginxPage(status: number, text: string): string {
  return `<html>\r\n<head><title>${status} ${text}</title></head>\r\n<body>\r\n<center><h1>${status} ${text}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}

/** Valid length, invalid JSON: what a proxy that cut a body and fixed the header would send. */
export function halfBody(payload: string): string {
  return payload.slice(0, Math.max(1, Math.floor(payload.length / 2)));
}

/**
 * Sends the status and headers with the full Content-Length, half of the body, then drops the
 * connection: the client sees a response that ends early.
 */
export function sendTruncated(
  raw: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string,
): void {
  const bytes = Buffer.from(body);
  raw.writeHead(status, { ...headers, 'content-length': String(bytes.length) });
  raw.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => raw.destroy());
}

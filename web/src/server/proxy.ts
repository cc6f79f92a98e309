import 'server-only';

/**
 * Server-only: forwards a browser request under /api/* to the API server. The upstream origin is
 * read from API_UPSTREAM_URL on every request (not at build time), so one build serves every
 * deployment. Bodies stream both ways, which keeps Server-Sent Events (/api/jobs/events) live.
 */

const DEFAULT_UPSTREAM = 'http://localhost:8080';
const API_PREFIX = '/api';

// Connection-level headers describe the browser↔Next hop only; forwarding them would corrupt the
// Next↔API hop. `host` must be the upstream's, which fetch sets itself.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'expect',
]);

export function upstreamOrigin(env: NodeJS.ProcessEnv = process.env): string {
  return (env.API_UPSTREAM_URL ?? DEFAULT_UPSTREAM).replace(/\/+$/, '');
}

/** The upstream URL for a request, keeping the browser's percent-encoding of ids such as `cw:…`. */
export function upstreamUrlFor(requestUrl: string, origin = upstreamOrigin()): string {
  const url = new URL(requestUrl);
  const path = url.pathname.startsWith(API_PREFIX)
    ? url.pathname.slice(API_PREFIX.length) || '/'
    : url.pathname;
  return `${origin}${path}${url.search}`;
}

/**
 * The address of the client this server is talking to, as Next's server recorded it. A route
 * handler sees no socket; Next (base-server.ts) sets `x-forwarded-for` to the socket's address
 * unless the request already carried the header, in which case it keeps the header as sent. Its
 * last entry is therefore the nearest hop's word: this server's own peer when nothing came before
 * it, or what a reverse proxy in front appended. Only that one address goes on, never the rest of
 * a chain a client may have written itself.
 */
export function clientAddress(request: Request): string | null {
  const last = request.headers.get('x-forwarded-for')?.split(',').pop()?.trim();
  return last ? last : null;
}

function forwardedRequestHeaders(request: Request): Headers {
  const headers = new Headers();
  request.headers.forEach((value, name) => {
    if (!HOP_BY_HOP.has(name) && name !== 'x-forwarded-for') headers.set(name, value);
  });
  // The API keys its login limit on the client's address and trusts this header only from its
  // configured proxies (TRUST_PROXY, loopback by default: this process).
  const client = clientAddress(request);
  if (client) headers.set('x-forwarded-for', client);
  const url = new URL(request.url);
  // Cookies, Origin, Sec-Fetch-* and content-type pass through unchanged above: the API checks
  // Origin and Sec-Fetch-Site against the browser-facing origin, so they must stay the browser's.
  if (!headers.has('x-forwarded-host')) headers.set('x-forwarded-host', url.host);
  if (!headers.has('x-forwarded-proto'))
    headers.set('x-forwarded-proto', url.protocol.replace(':', ''));
  return headers;
}

function responseHeadersFrom(upstream: Response): Headers {
  const headers = new Headers();
  upstream.headers.forEach((value, name) => {
    // fetch already decompressed the body, so the upstream's encoding and length no longer hold.
    if (HOP_BY_HOP.has(name) || name === 'content-encoding' || name === 'set-cookie') return;
    headers.set(name, value);
  });
  // Each Set-Cookie must stay its own header; joining them with commas breaks cookie dates.
  for (const cookie of upstream.headers.getSetCookie()) headers.append('set-cookie', cookie);
  if (headers.get('content-type')?.startsWith('text/event-stream')) {
    // no-transform keeps Next's response compression from buffering the event stream.
    headers.set('cache-control', 'no-cache, no-transform');
    headers.set('x-accel-buffering', 'no');
  }
  return headers;
}

function upstreamUnavailable(): Response {
  const requestId = crypto.randomUUID();
  return Response.json(
    {
      ok: false,
      error: 'upstream_unavailable',
      message: 'The Cairn API server is not reachable. Check that it is running.',
      request_id: requestId,
    },
    { status: 502, headers: { 'x-request-id': requestId } },
  );
}

export async function proxyToApi(request: Request): Promise<Response> {
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  const init: RequestInit & { duplex?: 'half' } = {
    method: request.method,
    headers: forwardedRequestHeaders(request),
    body: hasBody ? request.body : undefined,
    // Streaming a request body through fetch requires half-duplex mode in Node.
    duplex: hasBody ? 'half' : undefined,
    redirect: 'manual',
    // The browser closing an event stream aborts the upstream connection too.
    signal: request.signal,
    cache: 'no-store',
  };
  let upstream: Response;
  try {
    upstream = await fetch(upstreamUrlFor(request.url), init);
  } catch {
    return upstreamUnavailable();
  }
  return new Response(upstream.body, {
    status: upstream.status,
    statusText: upstream.statusText,
    headers: responseHeadersFrom(upstream),
  });
}

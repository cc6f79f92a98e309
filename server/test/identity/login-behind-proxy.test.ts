import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { useTestApp } from '../support/app.js';
import { createUser } from '../support/factories.js';

// Next resolves `server-only` itself; outside Next it is only a marker.
vi.mock('server-only', () => ({}));

interface Proxy {
  proxyToApi(request: Request): Promise<Response>;
}

/**
 * Login throttling through the bundled web proxy (web/src/server/proxy.ts), with real clients at
 * two addresses. The web side here is a few lines standing in for Next's server: it hands the
 * proxy a Request whose `x-forwarded-for` is set the way Next's base server sets it (the socket's
 * address unless the request already carried the header), and the proxy code is the real one.
 */
describe('login throttling behind the web proxy', () => {
  const ctx = useTestApp({
    LOGIN_RATE_LIMIT_MAX_ATTEMPTS: '3',
    LOGIN_USERNAME_DELAY_SECONDS: '2',
  });
  let web: Server;
  let webPort: number;
  const previousUpstream = process.env.API_UPSTREAM_URL;

  beforeAll(async () => {
    const apiUrl = await ctx.app.listen({ host: '127.0.0.1', port: 0 });
    process.env.API_UPSTREAM_URL = apiUrl;
    const proxy = (await import(
      new URL('../../../web/src/server/proxy.ts', import.meta.url).href
    )) as Proxy;
    web = createServer(async (req, res) => {
      req.headers['x-forwarded-for'] ??= req.socket.remoteAddress;
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers))
        if (typeof value === 'string') headers.set(name, value);
      const upstream = await proxy.proxyToApi(
        new Request(`http://web.test${req.url}`, {
          method: req.method,
          headers,
          body: chunks.length ? Buffer.concat(chunks) : undefined,
        }),
      );
      res.writeHead(upstream.status, Object.fromEntries(upstream.headers));
      res.end(Buffer.from(await upstream.arrayBuffer()));
    });
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
    webPort = (web.address() as AddressInfo).port;
  });
  afterAll(() => {
    web?.close();
    if (previousUpstream === undefined) delete process.env.API_UPSTREAM_URL;
    else process.env.API_UPSTREAM_URL = previousUpstream;
  });

  /** A browser at `from` signing in through the web server. */
  function login(from: string, username: string, password: string, headers = {}) {
    return new Promise<{ status: number; retryAfter: number | null }>((resolve, reject) => {
      const body = JSON.stringify({ username, password });
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: webPort,
          localAddress: from,
          method: 'POST',
          path: '/api/auth/login',
          headers: { 'content-type': 'application/json', ...headers },
        },
        (res) => {
          res.resume();
          res.on('end', () =>
            resolve({
              status: res.statusCode!,
              retryAfter: res.headers['retry-after'] ? Number(res.headers['retry-after']) : null,
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  it('locks the address that guessed, not the owner signing in from another one', async () => {
    const user = await createUser(ctx.database);
    for (let i = 0; i < 3; i++)
      expect((await login('127.0.0.2', user.username, 'wrong guess')).status).toBe(401);
    expect((await login('127.0.0.2', user.username, user.password)).status).toBe(429);
    expect((await login('127.0.0.3', user.username, user.password)).status).toBe(200);
  });

  it('takes only the nearest address from a chain a client wrote itself', async () => {
    const user = await createUser(ctx.database);
    // A client naming a new "origin" each time is still its own nearest hop's last entry.
    for (let i = 0; i < 3; i++)
      await login('127.0.0.4', user.username, 'wrong guess', {
        'x-forwarded-for': `198.51.100.${i}, 127.0.0.4`,
      });
    const again = await login('127.0.0.4', user.username, 'wrong guess', {
      'x-forwarded-for': '198.51.100.99, 127.0.0.4',
    });
    expect(again.status).toBe(429);
  });

  it('delays, never locks, a name guessed at from many addresses', async () => {
    const user = await createUser(ctx.database);
    // Two addresses, each locked after three failures: six failures for the name in all.
    for (const from of ['127.0.0.5', '127.0.0.6'])
      for (let i = 0; i < 3; i++)
        expect((await login(from, user.username, 'wrong guess')).status).toBe(401);
    // A third address guessing now is held back by seconds...
    const delayed = await login('127.0.0.7', user.username, 'wrong guess');
    expect(delayed.status).toBe(429);
    expect(delayed.retryAfter).toBeGreaterThan(0);
    expect(delayed.retryAfter).toBeLessThanOrEqual(2);
    // ...and the owner, after waiting that long, is in.
    const owner = await login('127.0.0.8', user.username, user.password);
    const signedIn =
      owner.status === 200
        ? owner
        : (await new Promise((r) => setTimeout(r, (owner.retryAfter ?? 0) * 1000)),
          await login('127.0.0.8', user.username, user.password));
    expect(signedIn.status).toBe(200);
  });
});

describe('X-Forwarded-For from a peer that is not a trusted proxy', () => {
  const ctx = useTestApp({ LOGIN_RATE_LIMIT_MAX_ATTEMPTS: '3' });

  it('is ignored: the socket address is the client', async () => {
    const user = await createUser(ctx.database);
    const attempt = (forwardedFor: string, password = 'wrong guess') =>
      ctx.app.inject({
        method: 'POST',
        url: '/auth/login',
        remoteAddress: '203.0.113.50',
        headers: { 'x-forwarded-for': forwardedFor },
        payload: { username: user.username, password },
      });
    for (let i = 0; i < 3; i++) expect((await attempt(`198.51.100.${i}`)).statusCode).toBe(401);
    expect((await attempt('198.51.100.200', user.password)).statusCode).toBe(429);
  });
});

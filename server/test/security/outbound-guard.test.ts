import diagnostics from 'node:diagnostics_channel';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { startChatwootSim, type Sim } from '@cairn/chatwoot-sim';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGuardedHttp, type GuardedHttp } from '../../src/lib/net/guarded-http.js';
import {
  allowedAddresses,
  HostBlockedError,
  parseHostAllowlist,
} from '../../src/lib/net/host-policy.js';
import { defaultJobHandlers } from '../../src/modules/jobs/handlers.js';
import { createChatwootAdapter } from '../../src/modules/connectors/chatwoot/deliver.js';
import { DeliveryError } from '../../src/modules/outbound/adapters/types.js';
import { startJobs, type JobsRuntime } from '../../src/modules/jobs/runtime.js';
import { useTestApp } from '../support/app.js';
import { LOOPBACK } from '../support/constants.js';
import { createProject, signIn, type Session } from '../support/factories.js';
import { PUBLIC_ADDRESS, testResolver } from '../support/resolver.js';

/**
 * The outbound guard (server/src/lib/net): every request to a user-supplied host. A refused
 * request must open no TCP connection at all. Two witnesses: a loopback server that counts the
 * connections it accepts (every loopback form below targets it), and Node's `net.client.socket`
 * diagnostics channel, which sees every client socket the process creates; a socket to anywhere
 * but loopback is destroyed the moment it is created, so a broken guard cannot reach outside.
 */

let counter: Server;
let port: number;
let accepted = 0;
/** Sockets the process dialled toward the counting server or anywhere off loopback. */
const sockets: string[] = [];

function onClientSocket(message: unknown) {
  const socket = (message as { socket: Socket }).socket;
  const connect = socket.connect.bind(socket) as (...args: unknown[]) => Socket;
  // net.connect publishes the socket, then calls its connect(): whatever a broken guard dials
  // is recorded here, and anything but loopback is never dialled at all.
  (socket as unknown as { connect: (...args: unknown[]) => Socket }).connect = (...args) => {
    const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
    const target = first as { host?: string; port?: number | string } | undefined;
    const host = String(target?.host);
    // The test database's own connections (loopback, another port) come and go meanwhile.
    if (host !== LOOPBACK || Number(target?.port) === port) sockets.push(`${host}:${target?.port}`);
    if (host !== LOOPBACK) {
      process.nextTick(() => socket.destroy(new Error(`test: refused to dial ${host}`)));
      return socket;
    }
    return connect(...args);
  };
}

beforeAll(async () => {
  counter = createHttpServer((_req, res) => res.end('{"id":1}')).on('connection', () => accepted++);
  await new Promise<void>((resolve) => counter.listen(0, LOOPBACK, resolve));
  port = (counter.address() as AddressInfo).port;
  diagnostics.subscribe('net.client.socket', onClientSocket);
});
afterAll(() => {
  diagnostics.unsubscribe('net.client.socket', onClientSocket);
  counter.close();
});
// Every test starts with both witnesses at zero.
beforeEach(() => {
  accepted = 0;
  sockets.length = 0;
});

// Every spelling of a refused address, as a URL. Loopback ones reach the counting server if
// the guard lets them through.
const LITERAL_FORMS: [string, string][] = [
  ['loopback', '127.0.0.1'],
  ['loopback, another address of 127/8', '127.0.0.2'],
  ['loopback, decimal integer', '2130706433'],
  ['loopback, hexadecimal', '0x7f000001'],
  ['loopback, octal', '0177.0.0.1'],
  ['loopback, short form', '127.1'],
  ['IPv6 loopback', '[::1]'],
  ['IPv4-mapped loopback', '[::ffff:127.0.0.1]'],
  ['IPv4-mapped loopback, hex', '[::ffff:7f00:1]'],
  ['IPv4-compatible loopback', '[::127.0.0.1]'],
  ['NAT64 of loopback', '[64:ff9b::7f00:1]'],
  ['6to4 of loopback', '[2002:7f00:1::]'],
  ['unspecified', '0.0.0.0'],
  ['unspecified, short', '0'],
  ['this network (0/8)', '0.1.2.3'],
  ['IPv6 unspecified', '[::]'],
  ['RFC 1918 10/8', '10.0.0.1'],
  ['RFC 1918 172.16/12', '172.16.0.1'],
  ['RFC 1918 192.168/16', '192.168.1.1'],
  ['IPv4-mapped RFC 1918', '[::ffff:10.0.0.1]'],
  ['link-local (cloud metadata)', '169.254.169.254'],
  ['IPv4-mapped metadata', '[::ffff:169.254.169.254]'],
  ['IPv6 link-local', '[fe80::1]'],
  ['RFC 4193 unique local', '[fc00::1]'],
  ['RFC 4193 unique local fd', '[fd12:3456::1]'],
  ['CGNAT 100.64/10', '100.64.0.1'],
  ['multicast', '224.0.0.1'],
  ['IPv6 multicast', '[ff02::1]'],
  ['broadcast', '255.255.255.255'],
  ['benchmarking 198.18/15', '198.18.0.1'],
  ['documentation 192.0.2/24', '192.0.2.1'],
  ['reserved 240/4', '240.0.0.1'],
  ['IPv6 documentation', '[2001:db8::1]'],
];

const NAMES: Record<string, string[]> = Object.fromEntries([
  ...LITERAL_FORMS.filter(([, host]) => /^[\d.:[\]a-f]+$/.test(host) && host.includes('.'))
    .filter(([, host]) => /^(\d+\.){3}\d+$/.test(host) || host.startsWith('['))
    .map(([, host]) => [
      `to-${host.replace(/[[\]:.]/g, '-')}.test`,
      [host.replace(/^\[|\]$/g, '')],
    ]),
  ['localhost.test', ['127.0.0.1', '::1']],
  ['all-private.test', ['10.0.0.1', '192.168.0.1', '::1']],
]);

describe('the guarded agent refuses every private address form, before any connection', () => {
  let http: GuardedHttp;
  beforeAll(() => {
    http = createGuardedHttp({ resolve: testResolver(NAMES) });
  });
  afterAll(() => http.close());

  it.each([
    ...LITERAL_FORMS.map(([name, host]) => [name, host] as const),
    ...Object.keys(NAMES).map(
      (name) => [`DNS name resolving to ${NAMES[name]!.join(', ')}`, name] as const,
    ),
  ])('%s (%s)', async (_name, host) => {
    const error = await http
      .fetch(`http://${host}:${port}/api/v1/profile`)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    const cause = (error as { cause?: unknown }).cause;
    expect(cause).toBeInstanceOf(HostBlockedError);
    expect((cause as Error).message).toMatch(
      /^host resolves to a private address \(.+\); add it to SOURCE_HOST_ALLOWLIST to allow$/,
    );
    expect(accepted).toBe(0);
    expect(sockets).toEqual([]);
  });

  it('reaches a public address (the check itself, with no connection made)', async () => {
    await expect(
      allowedAddresses('public.example.com', {
        allowlist: parseHostAllowlist(undefined),
        resolve: testResolver(),
      }),
    ).resolves.toEqual([PUBLIC_ADDRESS]);
  });

  it('keeps only the public answers of a name that also resolves privately', async () => {
    await expect(
      allowedAddresses('mixed.test', {
        allowlist: parseHostAllowlist(undefined),
        resolve: testResolver({ 'mixed.test': ['127.0.0.1', PUBLIC_ADDRESS, '10.1.1.1'] }),
      }),
    ).resolves.toEqual([PUBLIC_ADDRESS]);
  });

  it('names an unresolvable host without connecting', async () => {
    const error = await http.fetch(`http://nowhere.test:${port}/`).catch((e: unknown) => e);
    expect(((error as { cause?: Error }).cause as Error).message).toBe(
      'host could not be resolved',
    );
    expect(sockets).toEqual([]);
  });
});

describe('SOURCE_HOST_ALLOWLIST opens exactly what it lists', () => {
  const resolve = testResolver({
    'chatwoot.internal': ['127.0.0.1'],
    'other.internal': ['127.0.0.1'],
    'dual.test': ['::1', '127.0.0.1'],
  });
  const reaches = async (allowlist: string, host: string) => {
    const http = createGuardedHttp({ allowlist, resolve });
    accepted = 0;
    try {
      const response = await http.fetch(`http://${host}:${port}/`);
      await response.text();
      return accepted === 1 ? 'connected' : `accepted ${accepted}`;
    } catch (error) {
      return accepted === 0 && (error as { cause?: unknown }).cause instanceof HostBlockedError
        ? 'refused'
        : `failed otherwise: ${String(error)}`;
    } finally {
      await http.close();
    }
  };

  it.each([
    ['127.0.0.1', '127.0.0.1', 'connected'],
    ['127.0.0.1', '[::ffff:127.0.0.1]', 'connected'],
    ['127.0.0.1', '2130706433', 'connected'],
    ['127.0.0.1', '[::1]', 'refused'],
    ['127.0.0.1', 'dual.test', 'connected'],
    ['127.0.0.0/8', '127.0.0.1', 'connected'],
    ['127.0.0.2', '127.0.0.1', 'refused'],
    ['10.0.0.0/8', '127.0.0.1', 'refused'],
    ['chatwoot.internal', 'chatwoot.internal', 'connected'],
    ['chatwoot.internal', 'other.internal', 'refused'],
    ['chatwoot.internal', '127.0.0.1', 'refused'],
    ['', '127.0.0.1', 'refused'],
  ])('allowlist "%s", host %s: %s', async (allowlist, host, expected) => {
    expect(await reaches(allowlist, host)).toBe(expected);
  });

  it('refuses an allowlist entry that is none of a name, an address or a range', () => {
    expect(() => parseHostAllowlist('127.0.0.1,not a host!')).toThrow(/"not a host!"/);
    expect(() => parseHostAllowlist('0x7f000001/8')).toThrow(/CIDR/);
  });
});

describe('what the guarded fetch will not do', () => {
  let other: Server;
  let otherPort: number;
  let otherAccepted = 0;
  beforeAll(async () => {
    other = createHttpServer((_req, res) => res.end('secret')).on(
      'connection',
      () => otherAccepted++,
    );
    await new Promise<void>((resolve) => other.listen(0, LOOPBACK, resolve));
    otherPort = (other.address() as AddressInfo).port;
  });
  afterAll(() => other.close());

  async function serve(handler: Parameters<typeof createHttpServer>[1]) {
    const server = createHttpServer(handler);
    await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
    return { server, url: `http://${LOOPBACK}:${(server.address() as AddressInfo).port}/` };
  }

  it('follows no redirect: a credential never travels to where the host points', async () => {
    const { server, url } = await serve((_req, res) =>
      res.writeHead(302, { location: `http://${LOOPBACK}:${otherPort}/steal` }).end(),
    );
    const http = createGuardedHttp({ allowlist: LOOPBACK });
    try {
      const response = await http.fetch(url, { headers: { api_access_token: 'secret-token' } });
      expect(response.status).toBe(302);
      expect(otherAccepted).toBe(0);
    } finally {
      await http.close();
      server.close();
    }
  });

  it('stops reading a response larger than the cap', async () => {
    const { server, url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      for (let i = 0; i < 40; i++) res.write('x'.repeat(64 * 1024));
      res.end();
    });
    const http = createGuardedHttp({ allowlist: LOOPBACK, maxResponseBytes: 1024 * 1024 });
    try {
      const error = await http
        .fetch(url)
        .then((r) => r.text())
        .catch((e: unknown) => e);
      expect(String((error as Error).cause ?? error)).toMatch(/exceeded|size/i);
    } finally {
      await http.close();
      server.close();
    }
  });

  it('gives up on a host that never answers once the total time is spent', async () => {
    const { server, url } = await serve(() => undefined);
    const http = createGuardedHttp({ allowlist: LOOPBACK, totalTimeoutMs: 300 });
    try {
      const error = await http.fetch(url).catch((e: unknown) => e);
      expect((error as Error).name).toBe('TimeoutError');
    } finally {
      await http.close();
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('the outbound Chatwoot adapter', () => {
  it('sends a reply to a refused host nowhere, and does not retry it', async () => {
    const http = createGuardedHttp({});
    const adapter = createChatwootAdapter({ timeoutMs: 2_000, http });
    try {
      const request = {
        messageId: 'm1',
        handle: 'cairn-m1',
        content: 'Thanks, the files are on their way.',
        chatwoot: {
          baseUrl: `http://127.1:${port}`,
          accountId: 1,
          apiToken: 'secret-token',
          conversationId: 7,
        },
      };
      const error = await adapter.deliver(request).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DeliveryError);
      expect(error).toMatchObject({ retryable: false, outcomeUnknown: false });
      expect((error as Error).message).toMatch(/host resolves to a private address \(loopback\)/);
      await expect(adapter.lookup!(request)).rejects.toThrow(/private address/);
      expect(accepted).toBe(0);
      expect(sockets).toEqual([]);
    } finally {
      await http.close();
    }
  });
});

const bindBody = (baseUrl: string) => ({
  source_kind: 'chatwoot_account',
  base_url: baseUrl,
  account_id: 1,
  api_token: 'cw-token-never-echoed',
});

describe('binding a source checks base_url fully, with no allowlist', () => {
  // chat.rebind.test is public when bound and loopback afterwards: DNS rebinding.
  let rebound = false;
  const resolveHost = testResolver();
  const ctx = useTestApp(
    { SOURCE_HOST_ALLOWLIST: '' },
    {
      resolveHost: async (host) =>
        host === 'chat.rebind.test'
          ? [{ address: rebound ? LOOPBACK : PUBLIC_ADDRESS, family: 4 }]
          : resolveHost(host),
    },
  );
  let session: Session;
  beforeAll(async () => {
    session = await signIn(ctx.app, ctx.database);
    await createProject(session);
  });

  it.each([
    'http://127.0.0.1:5432',
    'http://[::ffff:127.0.0.1]:1',
    'http://2130706433:1',
    'http://0x7f000001:1',
    'http://0177.0.0.1:1',
    'http://127.1:1',
    'http://169.254.169.254/latest/meta-data',
    'http://[fd00::1]/',
    'http://10.1.2.3:3000',
  ])('refuses %s with 400 naming base_url and the reason', async (baseUrl) => {
    const res = await session.request('POST', '/sources', bindBody(baseUrl));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      error: 'validation_error',
      details: { fields: [{ field: 'base_url' }] },
    });
    expect(res.json().message).toMatch(
      /host resolves to a private address .*add it to SOURCE_HOST_ALLOWLIST to allow/,
    );
    expect(res.json().request_id).toEqual(expect.any(String));
  });

  it("refuses the API's own address", async () => {
    const server = ctx.app.server.address() as AddressInfo | null;
    const own = `http://127.0.0.1:${server?.port ?? ctx.config.PORT}`;
    expect((await session.request('POST', '/sources', bindBody(own))).statusCode).toBe(400);
  });

  it.each([
    ['http://127.0.0.1:99999/', /port/],
    ['http://chat.example.com:65536/', /port/],
    ['http://chat.example.com:-1/', /port/],
    ['http://chat.example.com:0/', /port/],
    ['https://', /./],
    ['ftp://chat.example.com/', /./],
    ['http://nowhere.test/', /could not be resolved/],
  ])('answers %s with 400 naming base_url, never 500', async (baseUrl, why) => {
    const res = await session.request('POST', '/sources', bindBody(baseUrl));
    expect(res.statusCode).toBe(400);
    expect(res.json().details.fields[0].field).toBe('base_url');
    expect(res.json().message).toMatch(why);
  });

  it('refuses credentials in the URL, and neither stores nor echoes them', async () => {
    const res = await session.request(
      'POST',
      '/sources',
      bindBody('https://admin:hunter2-password@chat.example.com/'),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().details.fields[0]).toEqual({
      field: 'base_url',
      message: 'must not contain a user name or password',
    });
    expect(res.body).not.toContain('hunter2');
    expect(ctx.logs.join('\n')).not.toContain('hunter2');
    const listed = await session.request('GET', '/sources');
    expect(listed.body).not.toContain('hunter2');
  });

  it('refuses at connect time a host that resolved publicly at bind time, with no connection', async () => {
    const created = await session.request(
      'POST',
      '/sources',
      bindBody(`http://chat.rebind.test:${port}`),
    );
    expect(created.statusCode).toBe(201);
    rebound = true;
    const res = await session.request('POST', `/sources/${created.json().source.id}/test`);
    expect(res.statusCode).toBe(502);
    expect(res.json().message).toBe(
      `Chatwoot was not contacted: Chatwoot GET /api/v1/profile failed after 1 attempt: ` +
        'host resolves to a private address (loopback); add it to SOURCE_HOST_ALLOWLIST to allow',
    );
    expect(accepted).toBe(0);
    expect(sockets).toEqual([]);
  });
});

describe('with SOURCE_HOST_ALLOWLIST=127.0.0.1 (a studio-network Chatwoot)', () => {
  const ctx = useTestApp({ CHATWOOT_TIMEOUT_MS: '400' });
  let session: Session;
  let sim: Sim;
  beforeAll(async () => {
    session = await signIn(ctx.app, ctx.database);
    await createProject(session);
    sim = await startChatwootSim({ size: 'tiny', seed: 'outbound-guard' });
  });
  afterAll(() => sim?.stop());

  async function bindAndTest(baseUrl: string) {
    const created = await session.request('POST', '/sources', bindBody(baseUrl));
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().source.id as string;
    try {
      return await session.request('POST', `/sources/${id}/test`);
    } finally {
      await session.request('DELETE', `/sources/${id}`);
    }
  }

  it('binds the allowlisted address', async () => {
    const res = await session.request('POST', '/sources', bindBody('http://127.0.0.1:5432'));
    expect(res.statusCode).toBe(201);
    await session.request('DELETE', `/sources/${res.json().source.id}`);
  });

  it('never echoes the upstream body in the connection test', async () => {
    const server = createHttpServer((_req, res) =>
      res.writeHead(500, { 'content-type': 'text/plain' }).end('UPSTREAM-SECRET-BODY'),
    );
    await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
    try {
      const res = await bindAndTest(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      expect(res.statusCode).toBe(502);
      expect(res.body).not.toContain('UPSTREAM-SECRET-BODY');
      expect(res.json().message).toMatch(/HTTP 500/);
    } finally {
      server.close();
    }
  });

  it('reads the same for a closed port, a silent port and a port speaking another protocol', async () => {
    const closed = createTcpServer();
    await new Promise<void>((resolve) => closed.listen(0, LOOPBACK, resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const silent = createTcpServer(() => undefined);
    const banner = createTcpServer((socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n'));
    for (const s of [silent, banner])
      await new Promise<void>((resolve) => s.listen(0, LOOPBACK, resolve));
    try {
      const messages: string[] = [];
      for (const p of [
        closedPort,
        ...[silent, banner].map((s) => (s.address() as AddressInfo).port),
      ])
        messages.push((await bindAndTest(`http://127.0.0.1:${p}`)).json().message as string);
      expect(new Set(messages).size).toBe(1);
      expect(messages[0]).toMatch(/^Chatwoot could not be reached: .*no usable HTTP response/);
    } finally {
      for (const s of [silent, banner]) s.close();
    }
  });

  it('records the reason on the sync run when the allowlist no longer covers the source', async () => {
    const created = await session.request('POST', '/sources', {
      ...bindBody(sim.url),
      account_id: sim.accountId,
      api_token: sim.token,
    });
    expect(created.statusCode).toBe(201);
    let jobs: JobsRuntime | undefined;
    try {
      jobs = await startJobs({
        config: ctx.config,
        database: ctx.database,
        logger: pino({ level: 'silent' }),
        handlers: defaultJobHandlers({ ...ctx.config, SOURCE_HOST_ALLOWLIST: undefined }),
        queue: { pollingIntervalSeconds: 0.5 },
        scheduler: false,
      });
      const res = await session.request('POST', '/jobs/chatwoot/sync?wait=true&timeout_seconds=30');
      const run = res.json().run;
      expect(run.status).toBe('failed');
      expect(run.error).toContain(
        'host resolves to a private address (loopback); add it to SOURCE_HOST_ALLOWLIST to allow',
      );
      expect(sim.control.requests()).toEqual([]);
    } finally {
      await jobs?.stop();
      await session.request('DELETE', `/sources/${created.json().source.id}`);
    }
  });
});

// @module-tag no-database
import { startLinearSim, type LinearSim } from '@cairn/linear-sim';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGuardedHttp } from '../../../src/lib/net/guarded-http.js';
import {
  LinearApiError,
  LinearClient,
  type LinearClientOptions,
} from '../../../src/modules/connectors/linear/client.js';
import {
  ENTITY_PAGE_SIZE,
  ID_PAGE_SIZE,
  type LinearEntityKind,
} from '../../../src/modules/connectors/linear/documents.js';
import { LOOPBACK } from '../../support/constants.js';

const KINDS: LinearEntityKind[] = ['issues', 'comments', 'projects', 'customers', 'users'];

let sim: LinearSim;
const http = createGuardedHttp({ allowlist: LOOPBACK });
beforeAll(async () => {
  sim = await startLinearSim({ size: 'tiny', seed: 'cairn-linear-client' });
});
afterEach(() => {
  sim.control.clearFaults();
  sim.control.clearRequests();
});
afterAll(async () => {
  await sim?.stop();
  await http.close();
});

const client = (options: Partial<LinearClientOptions> = {}) =>
  new LinearClient({
    http,
    url: sim.graphqlUrl,
    apiKey: sim.apiKey,
    timeoutMs: 2000,
    maxRetries: 3,
    retryBaseMs: 5,
    retryMaxMs: 20,
    rateLimitWaitMaxMs: 50,
    ...options,
  });

function truthIds(kind: LinearEntityKind): string[] {
  const truth = sim.control.groundTruth;
  const all = kind === 'customers' ? truth.customers() : truth[kind]();
  return [...(all as Iterable<{ id: string }>)].map((e) => e.id);
}

async function crawl(api: LinearClient, kind: LinearEntityKind, updatedAfter?: string) {
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page: { nodes: { id: string }[]; hasNextPage: boolean; endCursor: string | null } =
      await api.list(kind, { after, updatedAfter });
    ids.push(...page.nodes.map((n) => n.id));
    if (!page.hasNextPage) return ids;
    after = page.endCursor;
  }
}

describe('Linear client against the simulator', () => {
  it('keeps every document under the per-query complexity cap (as the server counts it)', async () => {
    // One request per document: a generous deadline, so a loaded machine adds no retry.
    const api = client({ timeoutMs: 15_000 });
    for (const kind of KINDS) {
      await api.list(kind);
      await api.listIds(kind);
    }
    const costs = sim.control.requests().map((r) => Number(r.details?.['complexity']));
    expect(costs).toHaveLength(KINDS.length * 2);
    for (const cost of costs) expect(cost).toBeLessThan(10_000);
    // The issue page is the heaviest; the figure is quoted in documents.ts.
    expect(Math.max(...costs)).toBeGreaterThan(1_000);
  });

  it('reads the organization and every entity kind, archived included, in updatedAt order', async () => {
    const api = client();
    const org = await api.organization();
    expect(org.organization.id).toBe(sim.organizationId);
    for (const kind of KINDS) {
      const ids = await crawl(api, kind);
      expect(new Set(ids).size).toBe(ids.length);
      expect([...ids].sort()).toEqual(truthIds(kind).sort());
    }
    const page = await api.list('issues');
    const times = page.nodes.map((n) => n.updatedAt);
    expect([...times].sort()).toEqual(times);
    expect(page.nodes.length).toBe(ENTITY_PAGE_SIZE > 60 ? 60 : ENTITY_PAGE_SIZE);
    expect(api.rateLimit?.complexityLimit).toBeGreaterThan(0);
    expect(api.usage.complexity).toBeGreaterThan(0);
  });

  it('filters by updatedAt and lists ids cheaply', async () => {
    const api = client();
    const all = (await api.list('issues')).nodes;
    const cut = all[all.length - 5]!.updatedAt;
    const newer = await crawl(api, 'issues', cut);
    expect(newer.length).toBe(all.filter((n) => n.updatedAt > cut).length);
    const ids = await api.listIds('comments');
    expect(ids.nodes.length).toBe(Math.min(ID_PAGE_SIZE, truthIds('comments').length));
  });

  it.each([
    ['ratelimited_400', 400],
    ['ratelimited_429', 429],
  ] as const)(
    'backs off on %s (RATELIMITED with HTTP %i) and then succeeds',
    async (kind, status) => {
      const retries: string[] = [];
      const limited = client({ onRetry: (r) => retries.push(r.kind) });
      sim.control.injectFault({ route: 'issues', kind, times: 2 });
      const page = await limited.list('issues');
      expect(page.nodes.length).toBeGreaterThan(0);
      expect(retries).toEqual(['ratelimited', 'ratelimited']);
      expect(limited.usage.rateLimited).toBe(2);
      // The two refusals really came with that status, then the page with 200.
      expect(sim.control.requests().map((r) => r.status)).toEqual([status, status, 200]);
    },
  );

  it.each([
    ['ratelimited_400', 400],
    ['ratelimited_429', 429],
  ] as const)('gives up on a lasting %s naming HTTP %i', async (kind, status) => {
    sim.control.injectFault({ route: 'issues', kind, times: 10 });
    const error = await client({ maxRetries: 1 })
      .list('issues')
      .catch((e: unknown) => e);
    expect((error as LinearApiError).kind).toBe('ratelimited');
    expect((error as LinearApiError).status).toBe(status);
  });

  it('gives up on a lasting rate limit with a clear error', async () => {
    sim.control.injectFault({ route: 'issues', kind: 'ratelimited_429', times: 10 });
    const error = await client({ maxRetries: 2 })
      .list('issues')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LinearApiError);
    expect((error as LinearApiError).kind).toBe('ratelimited');
    expect((error as Error).message).toMatch(
      /issues failed after 3 attempts \(HTTP 429\): rate limited/,
    );
  });

  it('honours Retry-After on a 429', async () => {
    sim.control.injectFault({ route: 'issues', kind: 'ratelimited_429', retryAfterSeconds: 1 });
    const delays: number[] = [];
    await client({ rateLimitWaitMaxMs: 5_000, onRetry: (r) => delays.push(r.delayMs) }).list(
      'issues',
    );
    expect(delays[0]).toBeGreaterThanOrEqual(1000);
  });

  it.each(['500', '502', '503', 'truncated', 'malformed'] as const)(
    'retries a %s and then succeeds',
    async (kind) => {
      sim.control.injectFault({ route: 'comments', kind, times: 2 });
      const page = await client().list('comments');
      expect(page.nodes.length).toBeGreaterThan(0);
    },
  );

  it('retries a hanging request after its timeout', async () => {
    sim.control.injectFault({ route: 'projects', kind: 'hang' });
    const kinds: string[] = [];
    const page = await client({ timeoutMs: 200, onRetry: (r) => kinds.push(r.kind) }).list(
      'projects',
    );
    expect(page.nodes.length).toBeGreaterThan(0);
    expect(kinds).toEqual(['timeout']);
  });

  it('names a malformed page that does not recover', async () => {
    sim.control.injectFault({ route: 'issues', kind: 'malformed', times: 10 });
    const error = await client({ maxRetries: 1 })
      .list('issues')
      .catch((e: unknown) => e);
    expect((error as LinearApiError).kind).toBe('invalid_response');
    expect((error as Error).message).toMatch(/the response is not JSON/);
  });

  it('fails at once on a wrong key, naming the reason', async () => {
    const retries: unknown[] = [];
    const error = await client({ apiKey: 'lin_api_wrong', onRetry: (r) => retries.push(r) })
      .organization()
      .catch((e: unknown) => e);
    expect((error as LinearApiError).kind).toBe('auth');
    expect((error as Error).message).toMatch(/AUTHENTICATION_ERROR/);
    expect(retries).toEqual([]);
  });

  it('keeps the guard’s response cap through the SDK: an oversized page fails at once', async () => {
    const small = createGuardedHttp({ allowlist: LOOPBACK, maxResponseBytes: 4 * 1024 });
    try {
      const retries: unknown[] = [];
      const error = await client({ http: small, onRetry: (r) => retries.push(r) })
        .list('issues')
        .catch((e: unknown) => e);
      expect((error as LinearApiError).kind).toBe('invalid_response');
      expect((error as Error).message).toMatch(/exceeded the size cap/);
      expect(retries).toEqual([]);
      // The small organization answer fits under the same cap.
      await expect(client({ http: small }).organization()).resolves.toBeTruthy();
    } finally {
      await small.close();
    }
  });

  it('refuses a body encoded although identity was asked for (it would inflate past the cap)', async () => {
    sim.control.injectFault({ route: 'issues', kind: 'encoded' });
    const error = await client()
      .list('issues')
      .catch((e: unknown) => e);
    expect((error as LinearApiError).kind).toBe('invalid_response');
    expect((error as Error).message).toMatch(/gzip-encoded although identity was asked for/);
  });

  it('is refused by the guard without the loopback allowlist', async () => {
    const closed = createGuardedHttp({});
    try {
      const error = await client({ http: closed })
        .organization()
        .catch((e: unknown) => e);
      expect((error as LinearApiError).kind).toBe('blocked');
    } finally {
      await closed.close();
    }
  });
});

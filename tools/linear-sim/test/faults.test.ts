import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LinearClient } from '@linear/sdk';
import type { LinearSim } from '../src/index.js';
import { gql, startTinySim } from './helpers.js';

let sim: LinearSim;
beforeAll(async () => {
  sim = await startTinySim({ seed: 'faults' });
});
afterEach(() => {
  sim.control.clearFaults();
  sim.control.clearRequests();
});
afterAll(async () => {
  await sim.stop();
});

const issues = () => gql(sim, '{ issues(first: 5) { nodes { id } } }');

describe('fault injection', () => {
  it('answers RATELIMITED with HTTP 400, once by default, as Linear often does', async () => {
    sim.control.injectFault({ route: 'issues', kind: 'ratelimited_400' });
    const limited = await issues();
    expect(limited.status).toBe(400);
    expect(limited.body['errors'][0]['extensions']).toMatchObject({
      code: 'RATELIMITED',
      type: 'ratelimited',
      statusCode: 429,
    });
    expect(limited.headers.get('x-ratelimit-requests-remaining')).toBe('0');
    expect(Number(limited.headers.get('x-ratelimit-requests-reset'))).toBeGreaterThan(Date.now());
    expect((await issues()).status).toBe(200);
  });

  it('answers RATELIMITED with HTTP 429, with Retry-After when asked', async () => {
    sim.control.injectFault({ route: 'issues', kind: 'ratelimited_429', retryAfterSeconds: 3 });
    const limited = await issues();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect(limited.body['errors'][0]['extensions']['code']).toBe('RATELIMITED');
  });

  it('both forms reach @linear/sdk as a RatelimitedLinearError with the reset time', async () => {
    const client = new LinearClient({ apiKey: sim.apiKey, apiUrl: sim.graphqlUrl });
    for (const kind of ['ratelimited_400', 'ratelimited_429'] as const) {
      sim.control.injectFault({ route: 'issues', kind });
      const error = await client.client
        .rawRequest('{ issues(first: 1) { nodes { id } } }')
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ type: 'Ratelimited', requestsRemaining: 0 });
      expect((error as { requestsResetAt: number }).requestsResetAt).toBeGreaterThan(Date.now());
    }
  });

  it('sends 500, 502 and 503 and then answers normally', async () => {
    sim.control.injectFault({ route: '*', kind: '500' });
    sim.control.injectFault({ route: '*', kind: '502' });
    sim.control.injectFault({ route: '*', kind: '503', retryAfterSeconds: 2 });
    const results = [await issues(), await issues(), await issues(), await issues()];
    expect(results.map((r) => r.status)).toEqual([500, 502, 503, 200]);
    expect(results[0]!.body['errors'][0]['extensions']['code']).toBe('INTERNAL_SERVER_ERROR');
    expect(results[1]!.text).toContain('502 Bad Gateway');
    expect(results[2]!.headers.get('retry-after')).toBe('2');
  });

  it('delays an answer, and hangs until the client gives up', async () => {
    sim.control.injectFault({ route: 'viewer', kind: 'delay', delayMs: 60 });
    const started = Date.now();
    const delayed = await gql(sim, '{ viewer { id } }');
    expect(delayed.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);

    sim.control.injectFault({ route: 'issues', kind: 'hang' });
    const hung = fetch(sim.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: sim.apiKey },
      body: JSON.stringify({ query: '{ issues { nodes { id } } }' }),
      signal: AbortSignal.timeout(200),
    });
    await expect(hung).rejects.toThrow(/abort|timeout/i);
    expect((await issues()).status).toBe(200);
  });

  it('cuts a body mid-stream, and sends a malformed page with HTTP 200', async () => {
    sim.control.injectFault({ route: 'issues', kind: 'truncated' });
    const response = await fetch(sim.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: sim.apiKey },
      body: JSON.stringify({ query: '{ issues { nodes { id title } } }' }),
    });
    await expect(response.text()).rejects.toThrow();

    sim.control.injectFault({ route: 'issues', kind: 'malformed' });
    const malformed = await issues();
    expect(malformed.status).toBe(200);
    expect(() => JSON.parse(malformed.text)).toThrow();
    expect(sim.control.requests({ route: 'issues' }).map((r) => r.fault)).toEqual([
      'truncated',
      'malformed',
    ]);
  });

  it('fails a chosen page: skip lets earlier requests through, match narrows by cursor', async () => {
    sim.control.injectFault({ route: 'comments', kind: '503', skip: 2 });
    const statuses = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await gql(sim, '{ comments(first: 5) { nodes { id } } }')).status);
    expect(statuses).toEqual([200, 200, 503, 200]);

    const first = await gql(sim, '{ issues(first: 5) { pageInfo { endCursor } } }');
    const cursor = first.body['data']['issues']['pageInfo']['endCursor'] as string;
    sim.control.injectFault({ route: 'issues', kind: '500', match: { after: cursor } });
    const page = 'query($a: String) { issues(first: 5, after: $a) { nodes { id } } }';
    expect((await gql(sim, page, { a: null })).status).toBe(200);
    expect((await gql(sim, page, { a: cursor })).status).toBe(500);
  });

  it('is also driven over HTTP at /__sim/faults, refusing unknown kinds', async () => {
    const injected = await fetch(`${sim.url}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ route: 'viewer', kind: '502' }),
    });
    expect(injected.status).toBe(200);
    expect((await gql(sim, '{ viewer { id } }')).status).toBe(502);
    const rejected = await fetch(`${sim.url}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ route: 'viewer', kind: 'teapot' }),
    });
    expect(rejected.status).toBe(422);
    expect(((await rejected.json()) as { error: string }).error).toMatch(/teapot/);
  });
});

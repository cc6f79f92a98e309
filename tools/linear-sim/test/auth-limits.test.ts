import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchema } from 'graphql';
import { queryComplexity, SCHEMA_SDL, type LinearSim } from '../src/index.js';
import { gql, startTinySim } from './helpers.js';

let sim: LinearSim;
let clock = Date.parse('2026-12-01T10:00:00Z');
beforeAll(async () => {
  sim = await startTinySim({ seed: 'limits', now: () => clock });
});
afterAll(async () => {
  await sim.stop();
});

describe('authentication', () => {
  it('takes a personal API key as the bare Authorization header', async () => {
    const result = await gql(sim, '{ viewer { email } }');
    expect(result.status).toBe(200);
    expect(result.body['data']['viewer']['email']).toBe('anna.smirnova@linia-studio.example');
  });

  it('takes an OAuth token after Bearer, but not an API key after Bearer', async () => {
    const oauth = await gql(
      sim,
      '{ viewer { id } }',
      {},
      { authorization: `Bearer ${sim.accessToken}` },
    );
    expect(oauth.status).toBe(200);
    const bearerKey = await gql(
      sim,
      '{ viewer { id } }',
      {},
      { authorization: `Bearer ${sim.apiKey}` },
    );
    expect(bearerKey.status).toBe(400);
    expect(bearerKey.body['errors'][0]['extensions']).toMatchObject({
      code: 'AUTHENTICATION_ERROR',
      type: 'authentication error',
    });
  });

  it('refuses a missing or wrong key with AUTHENTICATION_ERROR and no data', async () => {
    for (const authorization of [null, 'lin_api_wrong']) {
      const result = await gql(sim, '{ viewer { id } }', {}, { authorization });
      expect(result.status).toBe(400);
      expect(result.body['data']).toBeUndefined();
      expect(result.body['errors'][0]['extensions']['code']).toBe('AUTHENTICATION_ERROR');
    }
  });

  it('refuses a query the schema does not have, naming the field', async () => {
    const result = await gql(sim, '{ viewer { id shoeSize } }');
    expect(result.status).toBe(400);
    expect(result.body['errors'][0]['message']).toMatch(/shoeSize/);
    expect(result.body['errors'][0]['extensions']['code']).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('complexity', () => {
  const schema = buildSchema(SCHEMA_SDL);
  const cost = (query: string, variables = {}) =>
    queryComplexity(schema, parse(query), undefined, variables);

  it('counts 0.1 per scalar, 1 per object, and multiplies a connection by first (50 by default)', () => {
    expect(cost('{ viewer { id name } }')).toBe(2); // 1 + 0.2, rounded up
    // 1 + 10 × (nodes 1 + 3 × 0.1) = 14
    expect(cost('{ issues(first: 10) { nodes { id title url } } }')).toBe(14);
    expect(cost('{ issues { nodes { id } } }')).toBe(56); // 1 + 50 × 1.1
    expect(cost('query($n: Int) { issues(first: $n) { nodes { id } } }', { n: 100 })).toBe(111);
    // A nested connection without first counts 50 children per issue: 1 + 100 × (1 + 1 + 50 × 1.1).
    expect(cost('{ issues(first: 100) { nodes { labels { nodes { name } } } } }')).toBe(5_701);
    expect(cost('{ issues(first: 100) { nodes { labels(first: 5) { nodes { name } } } } }')).toBe(
      751,
    );
  });

  it('answers with X-Complexity and the rate-limit headers', async () => {
    const result = await gql(sim, '{ issues(first: 10) { nodes { id title url } } }');
    expect(result.headers.get('x-complexity')).toBe('14');
    expect(result.headers.get('x-ratelimit-requests-limit')).toBe('5000');
    expect(result.headers.get('x-ratelimit-complexity-limit')).toBe('250000');
    const reset = Number(result.headers.get('x-ratelimit-complexity-reset'));
    expect(reset).toBeGreaterThan(clock);
    expect(reset).toBeLessThanOrEqual(clock + 3_600_000);
  });

  it('refuses a query above 10,000 points with HTTP 400 and the figure, taking nothing', async () => {
    sim.control.resetRateLimits();
    const result = await gql(sim, '{ issues(first: 200) { nodes { labels { nodes { name } } } } }');
    expect(result.status).toBe(400);
    expect(result.body['errors'][0]).toMatchObject({
      message: 'Query too complex',
      extensions: {
        code: 'INPUT_ERROR',
        userPresentableMessage:
          'The query is too complex. Complexity: 11401. Maximum allowed complexity: 10000.',
      },
    });
    expect(sim.control.rateLimits().buckets.complexity.remaining).toBe(250_000);
  });
});

describe('rate limits', () => {
  it('runs dry, answers RATELIMITED with HTTP 400, then refills with time', async () => {
    sim.control.setRateLimits({ requestsPerHour: 3, complexityPerHour: 1_000, status: 400 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await gql(sim, '{ viewer { id } }')).status);
    expect(statuses).toEqual([200, 200, 200, 400]);
    const limited = await gql(sim, '{ viewer { id } }');
    expect(limited.body['errors'][0]['extensions']).toMatchObject({
      code: 'RATELIMITED',
      type: 'ratelimited',
    });
    expect(limited.headers.get('x-ratelimit-requests-remaining')).toBe('0');
    const reset = Number(limited.headers.get('x-ratelimit-requests-reset'));
    clock = reset;
    expect((await gql(sim, '{ viewer { id } }')).status).toBe(200);
  });

  it('can answer RATELIMITED with HTTP 429 instead, and limits complexity points too', async () => {
    sim.control.setRateLimits({ requestsPerHour: 100, complexityPerHour: 60, status: 429 });
    expect((await gql(sim, '{ issues { nodes { id } } }')).status).toBe(200); // 56 points
    const limited = await gql(sim, '{ issues { nodes { id } } }');
    expect(limited.status).toBe(429);
    expect(limited.body['errors'][0]['extensions']['code']).toBe('RATELIMITED');
    expect(Number(limited.headers.get('x-ratelimit-complexity-remaining'))).toBeLessThan(56);
    sim.control.setRateLimits({ requestsPerHour: 5_000, complexityPerHour: 250_000, status: 400 });
  });

  it('reports the buckets through rateLimitStatus', async () => {
    const result = await gql(
      sim,
      '{ rateLimitStatus { kind limits { type allowedAmount remainingAmount period } } }',
    );
    expect(result.body['data']['rateLimitStatus']['limits']).toEqual([
      expect.objectContaining({ type: 'requestLimit', allowedAmount: 5_000, period: 3_600_000 }),
      expect.objectContaining({ type: 'complexityLimit', allowedAmount: 250_000 }),
    ]);
  });
});

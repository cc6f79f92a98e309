// @linear/sdk, the client the connector uses, against the simulator: the endpoint is LinearClient's
// `apiUrl` option (plain http is accepted for 127.0.0.1); sync queries go through
// `client.client.rawRequest`, which the reference notes recommend over the model API for bulk reads.
import { LinearClient, LinearErrorType } from '@linear/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LinearSim } from '../src/index.js';
import { startTinySim, type Json } from './helpers.js';

let sim: LinearSim;
beforeAll(async () => {
  sim = await startTinySim({ seed: 'sdk', size: { studio: 'tiny', issues: 230, comments: 100 } });
});
afterAll(async () => {
  await sim.stop();
});

const PAGE = `query issues($first: Int!, $after: String) {
  issues(first: $first, after: $after, orderBy: updatedAt, includeArchived: true) {
    nodes { id identifier title updatedAt state { type } labels(first: 10) { nodes { name } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

describe('@linear/sdk against the simulator', () => {
  it('lists every issue page by page with an API key', async () => {
    const client = new LinearClient({ apiKey: sim.apiKey, apiUrl: sim.graphqlUrl });
    const seen: Json[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const response = await client.client.rawRequest<Json, Json>(PAGE, { first: 100, after });
      pages++;
      expect(response.status).toBe(200);
      expect(Number(response.headers?.get('x-complexity'))).toBeGreaterThan(100);
      const page = response.data!['issues'] as Json;
      seen.push(...(page['nodes'] as Json[]));
      if (!page['pageInfo']['hasNextPage']) break;
      after = page['pageInfo']['endCursor'] as string;
    }
    expect(pages).toBe(3);
    const truth = [...sim.control.groundTruth.issues()];
    expect(new Set(seen.map((i) => i['id']))).toEqual(new Set(truth.map((i) => i['id'])));
    expect(seen).toHaveLength(truth.length);
  });

  it('authenticates an OAuth token through `accessToken` (sent as Bearer)', async () => {
    const client = new LinearClient({ accessToken: sim.accessToken, apiUrl: sim.graphqlUrl });
    const response = await client.client.rawRequest<Json, Json>(
      '{ viewer { email } organization { urlKey } }',
    );
    expect(response.data).toEqual({
      viewer: { email: 'anna.smirnova@linia-studio.example' },
      organization: { urlKey: 'linia' },
    });
  });

  it('turns the simulator’s errors into the SDK’s typed errors', async () => {
    const wrong = new LinearClient({ apiKey: 'lin_api_wrong', apiUrl: sim.graphqlUrl });
    await expect(wrong.client.rawRequest('{ viewer { id } }')).rejects.toMatchObject({
      type: LinearErrorType.AuthenticationError,
    });
    const client = new LinearClient({ apiKey: sim.apiKey, apiUrl: sim.graphqlUrl });
    await expect(
      client.client.rawRequest('{ issues(first: 300) { nodes { id } } }'),
    ).rejects.toMatchObject({
      type: LinearErrorType.InvalidInput,
      message: expect.stringMatching(/250/),
    });
    await expect(
      client.client.rawRequest('{ issues(first: 250) { nodes { comments { nodes { body } } } } }'),
    ).rejects.toMatchObject({
      type: LinearErrorType.InvalidInput,
      message: expect.stringMatching(/too complex/),
    });
  });
});

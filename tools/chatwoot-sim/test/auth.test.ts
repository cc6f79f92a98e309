import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sim } from '../src/index.js';
import { accountPath, startTinySim } from './helpers.js';

let sim: Sim;
beforeAll(async () => {
  sim = await startTinySim({ token: 'test-token', accountId: 7 });
});
afterAll(async () => {
  await sim.stop();
});

async function raw(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${sim.url}${path}`, { headers });
  return { status: response.status, body: (await response.json()) as unknown };
}

describe('authentication like Chatwoot', () => {
  it('answers 401 with an errors array when the token header is missing', async () => {
    expect(await raw(accountPath(sim, '/conversations'))).toEqual({
      status: 401,
      body: { errors: ['You need to sign in or sign up before continuing.'] },
    });
  });

  it('answers 401 Invalid Access Token for an unknown token', async () => {
    expect(await raw(accountPath(sim, '/conversations'), { api_access_token: 'nope' })).toEqual({
      status: 401,
      body: { error: 'Invalid Access Token' },
    });
  });

  it('does not accept a Bearer token', async () => {
    const result = await raw(accountPath(sim, '/conversations'), {
      authorization: 'Bearer test-token',
    });
    expect(result.status).toBe(401);
  });

  it('answers 401 for an account the user does not belong to and 404 for no account', async () => {
    expect(
      await raw('/api/v1/accounts/8/conversations', { api_access_token: 'test-token' }),
    ).toEqual({
      status: 401,
      body: { error: 'You are not authorized to access this account' },
    });
    expect(
      await raw('/api/v1/accounts/999/conversations', { api_access_token: 'test-token' }),
    ).toEqual({
      status: 404,
      body: { error: 'Resource could not be found' },
    });
  });

  it('answers 404 for an unknown conversation or contact', async () => {
    const headers = { api_access_token: 'test-token' };
    expect((await raw(accountPath(sim, '/conversations/9999'), headers)).status).toBe(404);
    expect((await raw(accountPath(sim, '/conversations/9999/messages'), headers)).status).toBe(404);
    expect((await raw(accountPath(sim, '/contacts/9999'), headers)).body).toEqual({
      error: 'Resource could not be found',
    });
  });

  it('serves the profile to test a connection, listing the account', async () => {
    const { status, body } = await raw('/api/v1/profile', { api_access_token: 'test-token' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: 2, role: 'administrator', accounts: [{ id: 7 }] });
    expect(sim.accountId).toBe(7);
  });
});

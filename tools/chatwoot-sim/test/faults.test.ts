import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Sim } from '../src/index.js';
import { accountPath, api, startTinySim } from './helpers.js';

let sim: Sim;
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

const conversations = () => api(sim, accountPath(sim, '/conversations?status=all'));

describe('fault injection', () => {
  it('sends 429 as plain text "Retry later" without Retry-After, like real Chatwoot, once by default', async () => {
    sim.control.injectFault({ route: 'conversations', kind: '429' });
    const limited = await conversations();
    expect(limited.status).toBe(429);
    expect(limited.text).toBe('Retry later\n');
    expect(limited.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(limited.headers.get('retry-after')).toBeNull();
    expect((await conversations()).status).toBe(200);
  });

  it('can add a Retry-After header to 429 and repeat a fault several times', async () => {
    sim.control.injectFault({
      route: 'conversations',
      kind: '429',
      retryAfterSeconds: 7,
      times: 2,
    });
    const first = await conversations();
    const second = await conversations();
    expect([first.status, second.status]).toEqual([429, 429]);
    expect(first.headers.get('retry-after')).toBe('7');
    expect((await conversations()).status).toBe(200);
    expect(sim.control.requests({ route: 'conversations' }).map((r) => r.status)).toEqual([
      429, 429, 200,
    ]);
  });

  it('sends 500, 502 and 503 server errors', async () => {
    sim.control.injectFault({ route: 'messages', kind: '500' });
    sim.control.injectFault({ route: 'messages', kind: '502' });
    sim.control.injectFault({ route: 'messages', kind: '503', retryAfterSeconds: 2 });
    const path = accountPath(sim, '/conversations/1/messages');
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      const result = await api(sim, path);
      statuses.push(result.status);
      if (result.status === 503) expect(result.headers.get('retry-after')).toBe('2');
      if (result.status === 502) expect(result.text).toContain('502 Bad Gateway');
    }
    expect(statuses).toEqual([500, 502, 503, 200]);
  });

  it('delays a response and then answers normally', async () => {
    sim.control.injectFault({ route: 'contacts', kind: 'delay', delayMs: 50 });
    const result = await api(sim, accountPath(sim, '/contacts'));
    expect(result.status).toBe(200);
    expect(result.body['payload'].length).toBeGreaterThan(0);
    expect(sim.control.requests({ route: 'contacts' })[0]).toMatchObject({
      fault: 'delay',
      status: 200,
    });
  });

  it('truncates a body mid-stream so the client sees a broken response', async () => {
    sim.control.injectFault({ route: 'conversations', kind: 'truncated' });
    const response = await fetch(`${sim.url}${accountPath(sim, '/conversations?status=all')}`, {
      headers: { api_access_token: sim.token },
    });
    await expect(response.text()).rejects.toThrow();
    expect((await conversations()).status).toBe(200);
    expect(sim.control.requests({ route: 'conversations' }).map((r) => r.fault)).toEqual([
      'truncated',
      null,
    ]);
  });

  it('sends malformed JSON with status 200', async () => {
    sim.control.injectFault({ route: 'messages', kind: 'malformed' });
    const result = await api(sim, accountPath(sim, '/conversations/1/messages'));
    expect(result.status).toBe(200);
    expect(() => JSON.parse(result.text)).toThrow();
  });

  it('sends an empty page in the right envelope', async () => {
    sim.control.injectFault({ route: 'conversations', kind: 'empty_page', match: { page: 1 } });
    const result = await conversations();
    expect(result.body['data']['payload']).toEqual([]);
    expect(result.body['data']['meta']['all_count']).toBe(30);
  });

  it('matches faults by conversation and by page only', async () => {
    sim.control.injectFault({ route: 'messages', kind: '500', match: { conversationId: 3 } });
    sim.control.injectFault({ route: 'conversations', kind: '500', match: { page: 2 } });
    expect((await api(sim, accountPath(sim, '/conversations/2/messages'))).status).toBe(200);
    expect((await conversations()).status).toBe(200);
    expect((await api(sim, accountPath(sim, '/conversations/3/messages'))).status).toBe(500);
    expect((await api(sim, accountPath(sim, '/conversations?status=all&page=2'))).status).toBe(500);
  });

  it('applies a "*" fault to any Application API route and clears on demand', async () => {
    sim.control.injectFault({ route: '*', kind: '503', times: 10 });
    expect((await api(sim, accountPath(sim, '/contacts/1'))).status).toBe(503);
    sim.control.clearFaults();
    expect((await api(sim, accountPath(sim, '/contacts/1'))).status).toBe(200);
  });

  it('fails message creation without creating the message', async () => {
    const before = sim.control.stats().addedMessages;
    sim.control.injectFault({ route: 'create_message', kind: '500' });
    const result = await api(sim, accountPath(sim, '/conversations/1/messages'), {
      method: 'POST',
      json: { content: 'hi' },
    });
    expect(result.status).toBe(500);
    expect(sim.control.stats().addedMessages).toBe(before);
  });

  it('is also driven over HTTP at /__sim/faults', async () => {
    const injected = await fetch(`${sim.url}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ route: 'conversation', kind: '502' }),
    });
    expect(injected.status).toBe(200);
    expect((await api(sim, accountPath(sim, '/conversations/1'))).status).toBe(502);
    const rejected = await fetch(`${sim.url}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ route: 'conversation', kind: 'teapot' }),
    });
    expect(rejected.status).toBe(422);
    const log = (await (
      await fetch(`${sim.url}/__sim/requests?route=conversation`)
    ).json()) as unknown[];
    expect(log).toHaveLength(1);
  });
});

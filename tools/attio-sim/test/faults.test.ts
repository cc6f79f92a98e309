import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AttioSim } from '../src/index.js';
import { api, startTinySim } from './helpers.js';

let sim: AttioSim;
let clock = Date.parse('2026-12-01T10:00:00.250Z');
beforeAll(async () => {
  sim = await startTinySim({ seed: 'faults', now: () => clock });
});
afterEach(() => {
  sim.control.clearFaults();
  sim.control.clearRequests();
});
afterAll(async () => {
  await sim.stop();
});

const people = (offset = 0) =>
  api(sim, '/v2/objects/people/records/query', { json: { limit: 5, offset } });

describe('authentication and rate limits', () => {
  it('wants `Authorization: Bearer <token>`', async () => {
    expect((await api(sim, '/v2/self')).status).toBe(200);
    for (const token of [null, 'wrong']) {
      const result = await api(sim, '/v2/notes', { token });
      expect(result.status).toBe(401);
      expect(result.body).toMatchObject({ status_code: 401, type: 'auth_error' });
    }
    const noBearer = await fetch(`${sim.url}/v2/self`, { headers: { authorization: sim.token } });
    expect(noBearer.status).toBe(401);
  });

  it('answers a revoked token with {active: false} at /v2/self and 401 elsewhere', async () => {
    sim.control.revokeToken();
    expect((await api(sim, '/v2/self')).body).toEqual({ active: false });
    expect((await api(sim, '/v2/notes')).status).toBe(401);
    sim.control.revokeToken(false);
    expect((await api(sim, '/v2/notes')).status).toBe(200);
  });

  it('limits reads per second with 429 and Retry-After as an HTTP date, the next second', async () => {
    sim.control.setRateLimits({ readsPerSecond: 2 });
    clock += 1_000;
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await api(sim, '/v2/notes?limit=1')).status);
    expect(statuses).toEqual([200, 200, 429]);
    const limited = await api(sim, '/v2/notes?limit=1');
    expect(limited.body).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
    const retryAfter = limited.headers.get('retry-after')!;
    expect(retryAfter).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    expect(Date.parse(retryAfter)).toBe(Math.floor(clock / 1000) * 1000 + 1000);
    clock = Date.parse(retryAfter);
    expect((await api(sim, '/v2/notes?limit=1')).status).toBe(200);
    sim.control.setRateLimits({ readsPerSecond: 100 });
  });
});

describe('fault injection', () => {
  it('sends 429 with an HTTP-date Retry-After, once by default', async () => {
    sim.control.injectFault({ route: 'records_query', kind: '429', retryAfterSeconds: 2 });
    const limited = await people();
    expect(limited.status).toBe(429);
    expect(Date.parse(limited.headers.get('retry-after')!)).toBe(
      Math.floor(clock / 1000) * 1000 + 2000,
    );
    expect((await people()).status).toBe(200);
  });

  it('sends 500, 502 and 503 and then answers normally', async () => {
    sim.control.injectFault({ route: '*', kind: '500' });
    sim.control.injectFault({ route: '*', kind: '502' });
    sim.control.injectFault({ route: '*', kind: '503' });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await api(sim, '/v2/tasks')).status);
    expect(statuses).toEqual([500, 502, 503, 200]);
  });

  it('delays, and hangs until the client gives up', async () => {
    sim.control.injectFault({ route: 'notes', kind: 'delay', delayMs: 50 });
    const started = Date.now();
    expect((await api(sim, '/v2/notes')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    sim.control.injectFault({ route: 'notes', kind: 'hang' });
    const hung = fetch(`${sim.url}/v2/notes`, {
      headers: { authorization: `Bearer ${sim.token}` },
      signal: AbortSignal.timeout(200),
    });
    await expect(hung).rejects.toThrow(/abort|timeout/i);
    expect((await api(sim, '/v2/notes')).status).toBe(200);
  });

  it('truncates a body, sends malformed JSON with 200, and an empty page', async () => {
    sim.control.injectFault({ route: 'records_query', kind: 'truncated' });
    const response = await fetch(`${sim.url}/v2/objects/people/records/query`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sim.token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    await expect(response.text()).rejects.toThrow();
    sim.control.injectFault({ route: 'records_query', kind: 'malformed' });
    const malformed = await people();
    expect(malformed.status).toBe(200);
    expect(() => JSON.parse(malformed.text)).toThrow();
    sim.control.injectFault({ route: 'records_query', kind: 'empty_page' });
    expect((await people()).body).toEqual({ data: [] });
  });

  it('matches object and offset, and skips the first requests', async () => {
    sim.control.injectFault({
      route: 'records_query',
      kind: '500',
      match: { object: 'people', offset: 5 },
    });
    expect(
      (await api(sim, '/v2/objects/companies/records/query', { json: { offset: 5 } })).status,
    ).toBe(200);
    expect((await people(0)).status).toBe(200);
    expect((await people(5)).status).toBe(500);
    sim.control.injectFault({ route: 'notes', kind: '503', skip: 1 });
    expect((await api(sim, '/v2/notes')).status).toBe(200);
    expect((await api(sim, '/v2/notes')).status).toBe(503);
    expect(sim.control.requests({ route: 'notes' }).map((r) => r.fault)).toEqual([null, '503']);
  });

  it('is also driven over HTTP at /__sim/faults', async () => {
    const injected = await fetch(`${sim.url}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ route: 'self', kind: '502' }),
    });
    expect(injected.status).toBe(200);
    expect((await api(sim, '/v2/self')).status).toBe(502);
    const rejected = await fetch(`${sim.url}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ route: 'self', kind: 'teapot' }),
    });
    expect(rejected.status).toBe(422);
  });
});

import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';

describe('foundation', () => {
  const ctx = useTestApp();

  it('answers /health with ok and the request id in header and body', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.ok).toBe(true);
    expect(body.request_id).toBe(res.headers['x-request-id']);
  });

  it('serves every route under /v1 too', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/v1/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json().ok).toBe(true);
  });

  it('keeps a well-formed incoming request id and replaces a malformed one', async () => {
    const kept = await ctx.app.inject({
      method: 'GET',
      url: '/health',
      headers: { 'x-request-id': 'req-abcdef123' },
    });
    expect(kept.headers['x-request-id']).toBe('req-abcdef123');
    expect(kept.json().request_id).toBe('req-abcdef123');
    const replaced = await ctx.app.inject({
      method: 'GET',
      url: '/health',
      headers: { 'x-request-id': 'bad id <script>' },
    });
    expect(replaced.headers['x-request-id']).not.toBe('bad id <script>');
  });

  it('answers an unknown route with a 404 envelope carrying the request id', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/no/such/route' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({
      ok: false,
      error: 'not_found',
      request_id: res.headers['x-request-id'],
    });
  });

  it('serves a valid OpenAPI 3 document', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.paths['/health']).toBeDefined();
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/v1/'))).toBe(false);
  });

  it('exposes Prometheus metrics with request counts by route', async () => {
    await ctx.app.inject({ method: 'GET', url: '/health' });
    const res = await ctx.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('http_requests_total{method="GET",route="/health",status="200"}');
    expect(res.body).toContain('process_cpu_user_seconds_total');
  });
});

describe('an unexpected error', () => {
  it('answers 500 internal_error with the request id and without the stack or the SQL', async () => {
    const { buildApp } = await import('../../src/app.js');
    const { openDatabase } = await import('../../src/db/database.js');
    const { testConfig } = await import('../support/app.js');
    // No query runs here, so any reachable URL will do: the pool connects lazily.
    const config = testConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:9/none' });
    const database = await openDatabase(config);
    const app = await buildApp({ config, database, logger: false });
    app.get('/boom', { config: { access: 'public' } }, async () => {
      throw new Error('relation "secret_table" does not exist: select * from secret_table');
    });
    try {
      const res = await app.inject({ method: 'GET', url: '/boom' });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toMatchObject({
        ok: false,
        error: 'internal_error',
        request_id: res.headers['x-request-id'],
      });
      expect(res.body).not.toMatch(/secret_table|at .*\.ts/);
    } finally {
      await app.close();
      await database.close();
    }
  });
});

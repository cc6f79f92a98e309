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

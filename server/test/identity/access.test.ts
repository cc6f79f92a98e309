import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';
import { signInWithProject } from '../support/factories.js';

const MUTATIONS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const concrete = (url: string) =>
  url.replace(/:[A-Za-z_]+/g, '00000000-0000-4000-8000-000000000000').replace('*', 'x');

describe('access rules over every registered route', () => {
  const ctx = useTestApp();

  const protectedRoutes = () =>
    ctx.app.routeTable
      .filter((r) => r.access === 'session' || r.access === 'project')
      .filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS');

  it('has a meaningful route table to walk', () => {
    expect(protectedRoutes().length).toBeGreaterThan(5);
    expect(ctx.app.routeTable.some((r) => r.url === '/health' && r.access === 'public')).toBe(true);
  });

  it('answers 401 on every protected route without a session cookie', async () => {
    for (const route of protectedRoutes()) {
      const res = await ctx.app.inject({
        method: route.method as 'GET',
        url: concrete(route.url),
        payload: MUTATIONS.has(route.method) ? {} : undefined,
      });
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(401);
      expect(res.json().error, `${route.method} ${route.url}`).toBe('unauthorized');
    }
  });

  it('answers 401 for a cookie value the server never issued, and creates no session', async () => {
    const before = await ctx.database.db
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const res = await ctx.app.inject({
      method: 'GET',
      url: '/projects',
      headers: { cookie: 'sid=forged-value-never-issued' },
    });
    expect(res.statusCode).toBe(401);
    const after = await ctx.database.db
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('answers 403 csrf_invalid on every protected mutation without or with a wrong x-csrf-token', async () => {
    const { session } = await signInWithProject(ctx.app, ctx.database);
    for (const route of protectedRoutes().filter((r) => MUTATIONS.has(r.method))) {
      for (const token of [undefined, 'wrong-token']) {
        const headers: Record<string, string> = { cookie: session.cookie };
        if (token) headers['x-csrf-token'] = token;
        const res = await ctx.app.inject({
          method: route.method as 'POST',
          url: concrete(route.url),
          headers,
          payload: {},
        });
        expect(res.statusCode, `${route.method} ${route.url} token=${token}`).toBe(403);
        expect(res.json().error).toBe('csrf_invalid');
      }
    }
  });

  it('refuses a cross-site mutation even with a valid token', async () => {
    const { session } = await signInWithProject(ctx.app, ctx.database);
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/projects',
      headers: { ...session.headers, 'sec-fetch-site': 'cross-site' },
      payload: { name: 'sneaky' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toBe('csrf_invalid');
    const foreignOrigin = await ctx.app.inject({
      method: 'POST',
      url: '/projects',
      headers: { ...session.headers, origin: 'https://evil.example' },
      payload: { name: 'sneaky' },
    });
    expect(foreignOrigin.statusCode).toBe(403);
  });

  it('accepts a same-origin mutation from the web origin', async () => {
    const { session } = await signInWithProject(ctx.app, ctx.database);
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/projects',
      headers: {
        ...session.headers,
        origin: ctx.config.CORS_ORIGIN,
        'sec-fetch-site': 'same-origin',
      },
      payload: { name: 'legit project' },
    });
    expect(res.statusCode).toBe(201);
  });

  it('answers 415 for a text/plain body on a JSON route', async () => {
    const { session } = await signInWithProject(ctx.app, ctx.database);
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/projects',
      headers: { ...session.headers, 'content-type': 'text/plain' },
      payload: '{"name":"plain text"}',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().error).toBe('unsupported_media_type');
  });

  it('answers 409 active_project_required on a scoped route before a project is selected', async () => {
    const { signIn } = await import('../support/factories.js');
    const session = await signIn(ctx.app, ctx.database);
    // A first login lands in the oldest project when there is one; this session has none.
    await ctx.database.db
      .updateTable('sessions')
      .set({ active_project_id: null })
      .where('csrf_token', '=', session.csrf)
      .execute();
    const res = await session.request('GET', '/sources');
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toBe('active_project_required');
  });

  it('sets security headers and allows credentials only for the web origin', async () => {
    const res = await ctx.app.inject({
      method: 'GET',
      url: '/health',
      headers: { origin: ctx.config.CORS_ORIGIN },
    });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(String(res.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
    expect(res.headers['access-control-allow-origin']).toBe(ctx.config.CORS_ORIGIN);
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    const foreign = await ctx.app.inject({
      method: 'GET',
      url: '/health',
      headers: { origin: 'https://evil.example' },
    });
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers a validation error with 400 naming the field, never a 500', async () => {
    const { session } = await signInWithProject(ctx.app, ctx.database);
    const res = await session.request('POST', '/projects', { name: 'x' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ ok: false, error: 'validation_error' });
    expect(res.json().message).toContain('name');
    expect(res.json().request_id).toBe(res.headers['x-request-id']);
  });
});

import { MeResponseSchema } from '@cairn/contract';
import type { LightMyRequestResponse } from 'fastify';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';
import { signInWithProject } from '../support/factories.js';
import { memberSession, tokenCaller } from '../support/team.js';

// GET /auth/me answers a cached caller from a per-credential memo (modules/auth/routes.ts). It
// must never be older than the credential: every change shows on the very next request, in this
// process (credential-notices.test.ts shows the same for changes made by another one).
describe('GET /auth/me for a cached caller', () => {
  // An hour: nothing here changes because an entry expired.
  const ctx = useTestApp({ AUTH_CACHE_TTL_SECONDS: '3600', TOKEN_RATE_LIMIT_PER_MINUTE: '600' });

  /** The answer, checked against the contract, and its request id matching the header. */
  function answer(res: LightMyRequestResponse) {
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = res.json() as Record<string, unknown>;
    expect(Value.Check(MeResponseSchema, body), res.body).toBe(true);
    expect(body.request_id).toBe(res.headers['x-request-id']);
    const { request_id: _, ...rest } = body;
    return rest;
  }

  it('follows role, membership, locale and project changes at the next request', async () => {
    const { session: owner, project } = await signInWithProject(ctx.app, ctx.database);
    const member = await memberSession(
      ctx.app,
      ctx.database,
      owner,
      project.projectId,
      'contributor',
    );
    const me = () => member.request('GET', '/auth/me').then(answer);
    const first = await me();
    expect(first).toMatchObject({
      authenticated: true,
      via: 'session',
      active_project_id: project.projectId,
      project_role: 'contributor',
    });
    expect(ctx.app.credentials.size).toBeGreaterThan(0);
    // Answered again (from the memo), the same, and the same as one described afresh.
    expect(await me()).toEqual(first);
    ctx.app.credentials.forgetAll();
    expect(await me()).toEqual(first);

    const path = `/projects/${project.projectId}/members/${member.userId}`;
    expect((await owner.request('PUT', path, { role: 'viewer' })).statusCode).toBe(200);
    expect(await me()).toMatchObject({
      project_role: 'viewer',
      project_permissions: ['project:read', 'search', 'audit:read'],
    });

    expect((await member.request('PATCH', '/auth/me', { locale: 'ru' })).statusCode).toBe(200);
    expect(await me()).toMatchObject({ locale: 'ru', project_role: 'viewer' });

    expect((await owner.request('DELETE', path)).statusCode).toBe(200);
    expect(await me()).toMatchObject({
      active_project_id: null,
      project_role: null,
      project_permissions: [],
    });

    expect((await owner.request('PUT', path, { role: 'manager' })).statusCode).toBe(200);
    expect((await member.request('POST', `/projects/${project.projectId}/select`)).statusCode).toBe(
      200,
    );
    expect(await me()).toMatchObject({
      active_project_id: project.projectId,
      project_role: 'manager',
    });
  });

  it('is signed out at the next request after revocation or deactivation', async () => {
    const { session: owner, project } = await signInWithProject(ctx.app, ctx.database);
    const member = await memberSession(ctx.app, ctx.database, owner, project.projectId, 'viewer');
    const token = await tokenCaller(ctx.app, member, {
      permission: 'read',
      project_ids: [project.projectId],
    });
    const other = await tokenCaller(ctx.app, member, {
      permission: 'read',
      project_ids: [project.projectId],
    });
    for (let i = 0; i < 2; i++) {
      expect(answer(await token.request('GET', '/auth/me'))).toMatchObject({
        authenticated: true,
        via: 'token',
        role: 'member',
      });
      expect(answer(await member.request('GET', '/auth/me')).authenticated).toBe(true);
    }

    expect((await member.request('DELETE', `/auth/tokens/${token.id}`)).statusCode).toBe(200);
    expect(answer(await token.request('GET', '/auth/me'))).toEqual({
      ok: true,
      authenticated: false,
    });
    expect(answer(await other.request('GET', '/auth/me')).authenticated).toBe(true);

    const patched = await owner.request('PATCH', `/users/${member.userId}`, { active: false });
    expect(patched.statusCode).toBe(200);
    expect(answer(await member.request('GET', '/auth/me')).authenticated).toBe(false);
    expect(answer(await other.request('GET', '/auth/me')).authenticated).toBe(false);
  });
});

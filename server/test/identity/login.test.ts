import { MeResponseSchema, MeSchema } from '@cairn/contract';
import { sql } from 'kysely';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';
import { createUser, loginAs } from '../support/factories.js';

describe('login, sessions and logout', () => {
  const ctx = useTestApp({ LOGIN_RATE_LIMIT_MAX_ATTEMPTS: '10' });

  const attempt = (username: string, password: string, ip = '10.0.0.1') =>
    ctx.app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { username, password },
      remoteAddress: ip,
    });

  it('gives the same 401 body for a wrong password and an unknown user', async () => {
    const user = await createUser(ctx.database);
    const wrong = await attempt(user.username, 'not the password');
    const unknown = await attempt('nobody-at-all', 'not the password');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    const strip = (b: Record<string, unknown>) => ({ ...b, request_id: undefined });
    expect(strip(wrong.json())).toEqual(strip(unknown.json()));
    expect(wrong.json().error).toBe('invalid_credentials');
  });

  it('sets an HttpOnly SameSite session cookie and a readable CSRF cookie equal to the stored token', async () => {
    const user = await createUser(ctx.database);
    const res = await attempt(user.username, user.password);
    expect(res.statusCode).toBe(200);
    const sid = res.cookies.find((c) => c.name === 'sid')!;
    const csrf = res.cookies.find((c) => c.name === 'csrf_token')!;
    expect(sid.httpOnly).toBe(true);
    expect(sid.sameSite).toBe('Lax');
    expect(sid.path).toBe('/');
    expect(csrf.httpOnly).toBeFalsy();
    const stored = await ctx.database.db
      .selectFrom('sessions')
      .select(['session_id', 'csrf_token'])
      .where('csrf_token', '=', csrf.value)
      .executeTakeFirstOrThrow();
    // Only a hash of the cookie is stored: a database dump yields no live cookie.
    expect(stored.session_id).not.toBe(sid.value);
    expect(stored.session_id).toMatch(/^[0-9a-f]{64}$/);
  });

  it('rate-limits the 11th failed attempt per ip and username with Retry-After, and lets a correct login in after the window', async () => {
    const user = await createUser(ctx.database);
    for (let i = 0; i < 10; i++)
      expect((await attempt(user.username, 'wrong', '10.0.0.2')).statusCode).toBe(401);
    const limited = await attempt(user.username, 'wrong', '10.0.0.2');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Even the right password waits out the window...
    expect((await attempt(user.username, user.password, '10.0.0.2')).statusCode).toBe(429);
    // ...while another ip is not affected.
    expect((await attempt(user.username, user.password, '10.0.0.3')).statusCode).toBe(200);
    // Move the window past: the attempts age out.
    await sql`update login_attempts set attempted_at = attempted_at - interval '16 minutes'`.execute(
      ctx.database.db,
    );
    expect((await attempt(user.username, user.password, '10.0.0.2')).statusCode).toBe(200);
  });

  it('issues a new session id at every login', async () => {
    const user = await createUser(ctx.database);
    const first = await loginAs(ctx.app, user.username, user.password);
    const second = await loginAs(ctx.app, user.username, user.password);
    expect(second.cookie).not.toBe(first.cookie);
    expect(second.csrf).not.toBe(first.csrf);
  });

  it('rejects an expired session and an idle one', async () => {
    const user = await createUser(ctx.database);
    const session = await loginAs(ctx.app, user.username, user.password);
    expect((await session.request('GET', '/projects')).statusCode).toBe(200);
    await sql`update sessions set expires_at = now() - interval '1 second' where csrf_token = ${session.csrf}`.execute(
      ctx.database.db,
    );
    // A write behind the app's back, as from another process: the app hears of it by NOTIFY
    // cairn_credentials, a moment later on server Postgres and never on the embedded test
    // database, so the test tells the cache itself (credential-notices.test.ts tests the NOTIFY).
    ctx.app.credentials.forgetAll();
    expect((await session.request('GET', '/projects')).statusCode).toBe(401);

    const idle = await loginAs(ctx.app, user.username, user.password);
    await sql`update sessions set last_seen_at = now() - interval '721 minutes' where csrf_token = ${idle.csrf}`.execute(
      ctx.database.db,
    );
    expect((await idle.request('GET', '/projects')).statusCode).toBe(401);
  });

  it('opens a first login in the oldest project and later logins where the user left off', async () => {
    const { createProject } = await import('../support/factories.js');
    const user = await createUser(ctx.database);
    const first = await loginAs(ctx.app, user.username, user.password);
    const oldest = (await first.request('POST', '/projects', { name: 'Oldest project' })).json()
      .project;
    const newer = await createProject(first, 'Newer project');
    const fresh = await createUser(ctx.database);
    const freshSession = await loginAs(ctx.app, fresh.username, fresh.password);
    const projects = (await freshSession.request('GET', '/projects')).json();
    expect(projects.active_project_id).toBe(projects.projects[0].id);
    expect(projects.projects[0].id).not.toBe(newer.projectId);
    expect(oldest.id).toBeDefined();
    const again = await loginAs(ctx.app, user.username, user.password);
    expect((await again.request('GET', '/auth/me')).json().active_project_id).toBe(newer.projectId);
  });

  it('reports the session on /auth/me and nothing without one, as the contract says', async () => {
    // The route writes its answer with JSON.stringify (auth/routes.ts): nothing but these checks
    // holds it to the schema, extra fields included.
    const anonymous = await ctx.app.inject({ method: 'GET', url: '/auth/me' });
    expect(anonymous.json()).toMatchObject({ ok: true, authenticated: false });
    expect(Value.Check(MeResponseSchema, anonymous.json())).toBe(true);
    const user = await createUser(ctx.database);
    const session = await loginAs(ctx.app, user.username, user.password);
    const res = await session.request('GET', '/auth/me');
    const me = res.json();
    expect(me).toMatchObject({
      authenticated: true,
      username: user.username,
    });
    expect(Date.parse(me.created_at)).not.toBeNaN();
    expect([...Value.Errors(MeResponseSchema, me)]).toEqual([]);
    const fields = Object.keys(MeSchema.anyOf[1]!.properties);
    expect(Object.keys(me).sort()).toEqual([...fields, 'ok', 'request_id'].sort());
    expect(res.headers['content-type']).toMatch(/^application\/json/);
  });

  it('logout needs the CSRF header, deletes the session and makes the old cookie useless', async () => {
    const user = await createUser(ctx.database);
    const session = await loginAs(ctx.app, user.username, user.password);
    const withoutToken = await ctx.app.inject({
      method: 'POST',
      url: '/auth/logout',
      headers: { cookie: session.cookie },
    });
    expect(withoutToken.statusCode).toBe(403);
    const res = await session.request('POST', '/auth/logout');
    expect(res.statusCode).toBe(200);
    const cleared = res.cookies.find((c) => c.name === 'sid');
    expect(cleared?.value).toBe('');
    expect((await session.request('GET', '/projects')).statusCode).toBe(401);
  });

  it('audits logins and logouts without the password', async () => {
    const user = await createUser(ctx.database);
    const session = await loginAs(ctx.app, user.username, user.password);
    await session.request('POST', '/auth/logout');
    const rows = await ctx.database.db
      .selectFrom('audit_events')
      .selectAll()
      .where('actor', '=', user.username)
      .execute();
    expect(rows.map((r) => r.action)).toEqual(
      expect.arrayContaining(['auth.login', 'auth.logout']),
    );
    expect(JSON.stringify(rows)).not.toContain(user.password);
  });
});

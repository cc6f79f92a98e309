import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';
import { createUser, loginAs, type Session } from '../support/factories.js';

describe('sessions and password', () => {
  const ctx = useTestApp();

  /** Signs in with a given address and browser, as a second device would. */
  async function loginFrom(username: string, password: string, ip: string, agent: string) {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { username, password },
      remoteAddress: ip,
      headers: { 'user-agent': agent },
    });
    expect(res.statusCode).toBe(200);
    const cookies = Object.fromEntries(res.cookies.map((c) => [c.name, c.value]));
    const headers = {
      cookie: `sid=${cookies.sid}; csrf_token=${cookies.csrf_token}`,
      'x-csrf-token': cookies.csrf_token!,
    };
    return {
      sid: cookies.sid!,
      request: (method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) =>
        ctx.app.inject({ method, url, headers, ...(body ? { payload: body as object } : {}) }),
    };
  }

  it('lists my sessions with address, browser and which is current, by a public id only', async () => {
    const user = await createUser(ctx.database);
    const laptop = await loginFrom(user.username, user.password, '10.0.0.5', 'Firefox/140');
    const phone = await loginFrom(user.username, user.password, '10.0.0.6', 'Safari/19 Mobile');
    const res = await laptop.request('GET', '/auth/sessions');
    expect(res.statusCode).toBe(200);
    const sessions = res.json().sessions as {
      id: string;
      ip: string;
      user_agent: string;
      current: boolean;
    }[];
    expect(sessions).toHaveLength(2);
    expect(sessions.find((s) => s.current)).toMatchObject({
      ip: '10.0.0.5',
      user_agent: 'Firefox/140',
    });
    expect(sessions.find((s) => !s.current)).toMatchObject({
      ip: '10.0.0.6',
      user_agent: 'Safari/19 Mobile',
    });
    for (const sid of [laptop.sid, phone.sid]) {
      expect(res.body).not.toContain(sid);
      expect(res.body).not.toContain(createHash('sha256').update(sid).digest('hex'));
    }
  });

  it('ends one session by id, and every other one at once', async () => {
    const user = await createUser(ctx.database);
    const a = await loginFrom(user.username, user.password, '10.0.1.1', 'A');
    const b = await loginFrom(user.username, user.password, '10.0.1.2', 'B');
    const c = await loginFrom(user.username, user.password, '10.0.1.3', 'C');
    const listed = (await a.request('GET', '/auth/sessions')).json().sessions as {
      id: string;
      user_agent: string;
    }[];
    const bId = listed.find((s) => s.user_agent === 'B')!.id;
    expect((await a.request('DELETE', `/auth/sessions/${bId}`)).json()).toMatchObject({
      revoked: 1,
    });
    expect((await b.request('GET', '/projects')).statusCode).toBe(401);
    expect((await c.request('GET', '/projects')).statusCode).toBe(200);

    // Someone else's session id is not mine to end: 404, like a missing one.
    const other = await createUser(ctx.database);
    const theirs = await loginFrom(other.username, other.password, '10.0.1.9', 'X');
    const theirId = (
      (await theirs.request('GET', '/auth/sessions')).json().sessions as { id: string }[]
    )[0]!.id;
    expect((await a.request('DELETE', `/auth/sessions/${theirId}`)).statusCode).toBe(404);
    expect((await theirs.request('GET', '/projects')).statusCode).toBe(200);

    expect((await a.request('POST', '/auth/sessions/revoke-others')).json()).toMatchObject({
      revoked: 1,
    });
    expect((await c.request('GET', '/projects')).statusCode).toBe(401);
    expect((await a.request('GET', '/projects')).statusCode).toBe(200);
  });

  it('changes the password after checking the current one, ending every other session', async () => {
    const user = await createUser(ctx.database);
    const here = await loginFrom(user.username, user.password, '10.0.2.1', 'here');
    const there = await loginFrom(user.username, user.password, '10.0.2.2', 'there');
    const wrong = await here.request('POST', '/auth/password', {
      current_password: 'not my password',
      new_password: 'a brand new password',
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().details.fields[0].field).toBe('current_password');
    const short = await here.request('POST', '/auth/password', {
      current_password: user.password,
      new_password: 'short',
    });
    expect(short.statusCode).toBe(400);
    expect(short.json().details.fields[0].field).toBe('new_password');

    const ok = await here.request('POST', '/auth/password', {
      current_password: user.password,
      new_password: 'a brand new password',
    });
    expect(ok.json()).toMatchObject({ ok: true, revoked: 1 });
    expect((await there.request('GET', '/projects')).statusCode).toBe(401);
    expect((await here.request('GET', '/projects')).statusCode).toBe(200);
    const old = await ctx.app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { username: user.username, password: user.password },
    });
    expect(old.statusCode).toBe(401);
    await loginAs(ctx.app, user.username, 'a brand new password');
  });

  it("lets an owner list and end another user's sessions", async () => {
    const owner = await createUser(ctx.database);
    const ownerSession: Session = await loginAs(ctx.app, owner.username, owner.password);
    const member = await createUser(ctx.database, undefined, undefined, 'member');
    const memberSession = await loginFrom(member.username, member.password, '10.0.3.1', 'm');
    const memberId = (await memberSession.request('GET', '/auth/me')).json().user_id as string;
    const listed = await ownerSession.request('GET', `/users/${memberId}/sessions`);
    expect(listed.statusCode).toBe(200);
    const [session] = listed.json().sessions as { id: string; current: boolean }[];
    expect(session!.current).toBe(false);
    const ended = await ownerSession.request(
      'DELETE',
      `/users/${memberId}/sessions/${session!.id}`,
    );
    expect(ended.json()).toMatchObject({ revoked: 1 });
    expect((await memberSession.request('GET', '/projects')).statusCode).toBe(401);
    // A member may not do the same to the owner.
    const again = await loginFrom(member.username, member.password, '10.0.3.1', 'm');
    const ownerId = (await ownerSession.request('GET', '/auth/me')).json().user_id as string;
    const refused = await again.request('GET', `/users/${ownerId}/sessions`);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().details).toEqual({ permission: 'users:manage' });
  });

  it('records logins, failures, password changes and revocations in the workspace chain', async () => {
    const user = await createUser(ctx.database);
    await ctx.app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { username: user.username, password: 'wrong password' },
    });
    const session = await loginFrom(user.username, user.password, '10.0.4.1', 'z');
    await session.request('POST', '/auth/sessions/revoke-others');
    await session.request('POST', '/auth/password', {
      current_password: user.password,
      new_password: 'another new password',
    });
    await session.request('POST', '/auth/logout');
    const owner = await createUser(ctx.database);
    const ownerSession = await loginAs(ctx.app, owner.username, owner.password);
    const events = (await ownerSession.request('GET', '/audit/workspace?limit=500')).json()
      .events as { actor: string; action: string; status: string; project_id?: unknown }[];
    const mine = events
      .filter((e) => e.actor === user.username)
      .map((e) => `${e.action}:${e.status}`);
    expect(mine).toEqual(
      expect.arrayContaining([
        'auth.login:denied',
        'auth.login:ok',
        'session.revoke:ok',
        'auth.password.change:ok',
        'auth.logout:ok',
      ]),
    );
    expect(JSON.stringify(events)).not.toContain('another new password');
  });
});

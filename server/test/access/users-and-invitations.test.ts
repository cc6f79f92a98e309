import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { updateUser } from '../../src/modules/access/users.js';
import { useTestApp } from '../support/app.js';
import {
  loginAs,
  signIn,
  signInWithProject,
  uniqueName,
  type Session,
} from '../support/factories.js';
import { memberSession } from '../support/team.js';

const PASSWORD = 'a long enough password';
const tokenOf = (url: string) => url.split('/').pop()!;

async function invite(owner: Session, role: 'owner' | 'member' = 'member') {
  const username = uniqueName('invitee');
  const res = await owner.request('POST', '/users', {
    username,
    role,
    email: `${username}@studio.test`,
    locale: 'ru',
  });
  if (res.statusCode !== 201) throw new Error(`invite failed: ${res.body}`);
  const body = res.json() as {
    user: { id: string; username: string };
    invitation_url: string;
    email?: string;
  };
  return { username, id: body.user.id, url: body.invitation_url, body };
}

describe('users and invitations', () => {
  const ctx = useTestApp({ INVITE_TTL_HOURS: '72' });

  const accept = (token: string, password = PASSWORD, ip = '10.1.0.1') =>
    ctx.app.inject({
      method: 'POST',
      url: `/invitations/${token}/accept`,
      payload: { password },
      remoteAddress: ip,
    });

  it('invites a user with a one-time link that works once, stored only as a hash', async () => {
    const owner = await signIn(ctx.app, ctx.database);
    const { username, id, url, body } = await invite(owner);
    expect(url).toMatch(/^http:\/\/localhost:3000\/invite\/[A-Za-z0-9_-]{43}$/);
    expect(body.user).toMatchObject({
      username,
      role: 'member',
      active: true,
      email: `${username}@studio.test`,
      password_set: false,
      pending_link: { purpose: 'invite' },
    });
    // No SMTP_URL here: the link is only in the response (invitation-email.test.ts sends it).
    expect(body.email).toBe('not_configured');
    const token = tokenOf(url);
    const stored = await ctx.database.db
      .selectFrom('invitations')
      .selectAll()
      .where('user_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(stored.token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(stored)).not.toContain(token);
    // Listing users never shows the link again.
    expect((await owner.request('GET', '/users')).body).not.toContain(token);

    const info = await ctx.app.inject({ method: 'GET', url: `/invitations/${token}` });
    expect(info.json()).toMatchObject({ username, purpose: 'invite' });
    // Before a password is set, the user cannot sign in at all.
    expect(
      (
        await ctx.app.inject({
          method: 'POST',
          url: '/auth/login',
          payload: { username, password: '!none' },
        })
      ).statusCode,
    ).toBe(401);

    const short = await accept(token, 'short');
    expect(short.statusCode).toBe(400);
    expect(short.json().details.fields[0].field).toBe('password');
    expect((await accept(token)).json()).toMatchObject({ ok: true, username });
    const again = await accept(token, 'another long password');
    expect(again.statusCode).toBe(404);
    expect((await ctx.app.inject({ method: 'GET', url: `/invitations/${token}` })).statusCode).toBe(
      404,
    );

    const session = await loginAs(ctx.app, username, PASSWORD);
    const me = (await session.request('GET', '/auth/me')).json();
    expect(me).toMatchObject({ role: 'member', username, active_project_id: null });
    const hash = await ctx.database.db
      .selectFrom('app_users')
      .select('password_hash')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(hash.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('refuses a link after it expires', async () => {
    const owner = await signIn(ctx.app, ctx.database);
    const { id, url } = await invite(owner);
    await sql`update invitations set expires_at = now() - interval '1 second' where user_id = ${id}::uuid`.execute(
      ctx.database.db,
    );
    const res = await accept(tokenOf(url));
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toContain('not valid or has expired');
  });

  it('lets only one of two concurrent accepts of one link through', async () => {
    const owner = await signIn(ctx.app, ctx.database);
    const { url } = await invite(owner);
    const results = await Promise.all([
      accept(tokenOf(url), PASSWORD, '10.2.0.1'),
      accept(tokenOf(url), 'other long password', '10.2.0.2'),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 404]);
  });

  it('resets a password: the old one stops working at once, sessions end, the new link works once', async () => {
    const owner = await signIn(ctx.app, ctx.database);
    const { username, id, url } = await invite(owner);
    await accept(tokenOf(url));
    const session = await loginAs(ctx.app, username, PASSWORD);
    const reset = await owner.request('POST', `/users/${id}/reset`);
    expect(reset.statusCode).toBe(200);
    expect(reset.json().user).toMatchObject({
      password_set: false,
      pending_link: { purpose: 'reset' },
    });
    expect((await session.request('GET', '/auth/me')).json().authenticated).toBe(false);
    const login = await ctx.app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { username, password: PASSWORD },
    });
    expect(login.statusCode).toBe(401);
    // An earlier link of the same user (here a second reset's predecessor) no longer works.
    const second = await owner.request('POST', `/users/${id}/reset`);
    expect((await accept(tokenOf(reset.json().invitation_url))).statusCode).toBe(404);
    expect(
      (await accept(tokenOf(second.json().invitation_url), 'the new long password')).statusCode,
    ).toBe(200);
    await loginAs(ctx.app, username, 'the new long password');
  });

  it('refuses a taken username with 409 and a bad email with 400 naming the field', async () => {
    const owner = await signIn(ctx.app, ctx.database);
    const taken = await owner.request('POST', '/users', {
      username: owner.username.toUpperCase(),
      role: 'member',
    });
    expect(taken.statusCode).toBe(409);
    const bad = await owner.request('POST', '/users', {
      username: uniqueName('u'),
      role: 'member',
      email: 'nope',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details.fields[0].field).toBe('email');
  });

  it('rate-limits the public invitation routes per address', async () => {
    for (let i = 0; i < 10; i++) {
      expect((await accept(`unknown-${i}`, PASSWORD, '10.9.9.9')).statusCode).toBe(404);
    }
    const limited = await accept('unknown-11', PASSWORD, '10.9.9.9');
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await accept('unknown-12', PASSWORD, '10.9.9.10')).statusCode).toBe(404);
  });

  it('lets managers and owners manage a project’s members, and nobody else', async () => {
    const { session: owner, project } = await signInWithProject(ctx.app, ctx.database);
    const manager = await memberSession(ctx.app, ctx.database, owner, project.projectId, 'manager');
    const viewer = await memberSession(ctx.app, ctx.database, owner, project.projectId, 'viewer');
    const newcomer = await invite(owner);
    // A manager who is not an owner cannot list the workspace's users, so the member list names
    // whom they may add: active members of the workspace not in the project yet.
    expect((await manager.request('GET', '/users')).statusCode).toBe(403);
    const before = (await manager.request('GET', `/projects/${project.projectId}/members`)).json();
    const candidateNames = before.candidates.map((c: { username: string }) => c.username);
    expect(candidateNames).toContain(newcomer.username);
    expect(candidateNames).not.toContain(manager.username);
    expect(candidateNames).not.toContain(viewer.username);
    expect(candidateNames).not.toContain(owner.username);
    const put = await manager.request(
      'PUT',
      `/projects/${project.projectId}/members/${newcomer.id}`,
      { role: 'contributor' },
    );
    expect(put.statusCode).toBe(200);
    expect(put.json().member).toMatchObject({ username: newcomer.username, role: 'contributor' });
    const list = (await manager.request('GET', `/projects/${project.projectId}/members`)).json();
    expect(list.members.map((m: { username: string }) => m.username)).toEqual(
      expect.arrayContaining([manager.username, viewer.username, newcomer.username]),
    );
    expect(list.owners.map((o: { username: string }) => o.username)).toContain(owner.username);
    expect(list.candidates.map((c: { username: string }) => c.username)).not.toContain(
      newcomer.username,
    );
    const refused = await viewer.request(
      'PUT',
      `/projects/${project.projectId}/members/${viewer.userId}`,
      { role: 'manager' },
    );
    expect(refused.statusCode).toBe(403);
    expect(refused.json().details).toEqual({ permission: 'members:manage' });
    expect(
      (await manager.request('DELETE', `/projects/${project.projectId}/members/${newcomer.id}`))
        .statusCode,
    ).toBe(200);
    expect(
      (await manager.request('DELETE', `/projects/${project.projectId}/members/${newcomer.id}`))
        .statusCode,
    ).toBe(404);
    // A removed member's session no longer reaches the project (its active project reads as none).
    expect(
      (await owner.request('DELETE', `/projects/${project.projectId}/members/${viewer.userId}`))
        .statusCode,
    ).toBe(200);
    const after = await viewer.request('GET', '/conversations');
    expect(after.statusCode).toBe(409);
    expect((await viewer.request('GET', '/projects')).json().projects).toEqual([]);
  });

  it('records users, invitations, roles and memberships in the workspace audit chain', async () => {
    const { session: owner, project } = await signInWithProject(ctx.app, ctx.database);
    const { id, url } = await invite(owner);
    await accept(tokenOf(url));
    await owner.request('PATCH', `/users/${id}`, { role: 'owner' });
    await owner.request('PUT', `/projects/${project.projectId}/members/${id}`, { role: 'viewer' });
    const events = (await owner.request('GET', '/audit/workspace?limit=500')).json().events as {
      action: string;
      entity_id: string;
      payload: Record<string, unknown>;
    }[];
    const mine = events.filter((e) => e.entity_id === id || e.payload.user_id === id);
    expect(mine.map((e) => e.action)).toEqual(
      expect.arrayContaining(['user.invite', 'invitation.accept', 'user.update', 'member.set']),
    );
    expect(JSON.stringify(events)).not.toContain(tokenOf(url));
    const verify = (await owner.request('GET', '/audit/verify')).json();
    expect(verify.chains[0]).toMatchObject({ chain: 'workspace', valid: true });
    expect(verify.all_valid).toBe(true);
  });
});

describe('the last owner', () => {
  const ctx = useTestApp();
  const activeOwners = () =>
    ctx.database.db
      .selectFrom('app_users')
      .select('id')
      .where('role', '=', 'owner')
      .where('active', '=', true)
      .execute();

  it('cannot be demoted or deactivated, even by two owners demoting each other at once', async () => {
    const owner = await signIn(ctx.app, ctx.database);
    const me = (await owner.request('GET', '/auth/me')).json().user_id as string;
    // This file's database has no other owner.
    expect(await activeOwners()).toEqual([{ id: me }]);
    for (const patch of [{ role: 'member' }, { active: false }]) {
      const res = await owner.request('PATCH', `/users/${me}`, patch);
      expect(res.statusCode).toBe(409);
      expect(res.json().error).toBe('conflict');
    }
    const { url, id } = await invite(owner, 'owner');
    await ctx.app.inject({
      method: 'POST',
      url: `/invitations/${tokenOf(url)}/accept`,
      payload: { password: PASSWORD },
    });
    // Straight to the service, both at once: the guard would let only a still-owner through, and
    // this is about the lock that keeps two owners from demoting each other together.
    const actor = (userId: string) => ({ userId, username: 'owner', requestId: 'test' });
    const both = await Promise.allSettled([
      updateUser(ctx.database, id, { role: 'member' }, actor(me)),
      updateUser(ctx.database, me, { role: 'member' }, actor(id)),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = both.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: 'conflict' });
    expect(await activeOwners()).toHaveLength(1);
  });
});

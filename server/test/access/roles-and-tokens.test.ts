import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';
import { createProject, uniqueName, type Session } from '../support/factories.js';
import { memberSession, tokenCaller } from '../support/team.js';
import { createDraft, draftBody, outboundWorld, type World } from '../outbound/world.js';

describe('roles and personal tokens', () => {
  const ctx = useTestApp({ OUTBOUND_FOUR_EYES: 'true', TOKEN_RATE_LIMIT_PER_MINUTE: '600' });
  let world: World;
  let manager: Session & { userId: string };
  let contributor: Session & { userId: string };
  let viewer: Session & { userId: string };
  let other: { projectId: string; accountScopeId: string };
  let conversationId: string;

  beforeAll(async () => {
    world = await outboundWorld(ctx, { conversations: 3 });
    const projectId = world.scope.projectId;
    manager = await memberSession(ctx.app, ctx.database, world.session, projectId, 'manager');
    contributor = await memberSession(
      ctx.app,
      ctx.database,
      world.session,
      projectId,
      'contributor',
    );
    viewer = await memberSession(ctx.app, ctx.database, world.session, projectId, 'viewer');
    // The owner's second project, where none of the members belongs.
    other = await createProject(world.session, uniqueName('other'));
    await world.session.request('POST', `/projects/${projectId}/select`);
    conversationId = world.targets[0]!.conversationGlobalId;
  });
  afterAll(async () => {
    await world?.sim.stop();
  });

  it("refuses a viewer's draft with 403 naming the permission", async () => {
    const res = await viewer.request('POST', '/outbound/draft', draftBody(world.targets[0]!));
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({
      error: 'forbidden',
      details: { permission: 'outbound:draft' },
    });
    expect(res.json().message).toContain('outbound:draft');
    // ...while the viewer still reads the project.
    expect((await viewer.request('GET', `/conversations/${conversationId}`)).statusCode).toBe(200);
  });

  it("refuses a contributor's approval with 403, and four-eyes still needs a second manager", async () => {
    const id = await createDraft(contributor, world.targets[0]!);
    const refused = await contributor.request('POST', `/outbound/${id}/approve`);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().details).toEqual({ permission: 'outbound:approve' });
    expect((await manager.request('POST', `/outbound/${id}/approve`)).statusCode).toBe(200);

    const own = await createDraft(manager, world.targets[1]!);
    const self = await manager.request('POST', `/outbound/${own}/approve`);
    expect(self.statusCode).toBe(403);
    expect(self.json().message).toContain('four-eyes');
    expect((await world.session.request('POST', `/outbound/${own}/approve`)).statusCode).toBe(200);
  });

  it("answers a non-member's request for a real conversation of the project with 404", async () => {
    const outsider = await memberSession(
      ctx.app,
      ctx.database,
      world.session,
      other.projectId,
      'manager',
    );
    const res = await outsider.request('GET', `/conversations/${conversationId}`);
    expect(res.statusCode).toBe(404);
    const missing = await outsider.request('GET', `/conversations/${conversationId}999`);
    expect(res.json().message).toBe(missing.json().message);
    // Naming the project itself is 404 too, exactly like a project that does not exist.
    for (const id of [world.scope.projectId, '00000000-0000-4000-8000-000000000000']) {
      const select = await outsider.request('POST', `/projects/${id}/select`);
      expect(select.statusCode).toBe(404);
      expect(select.json().message).toBe('project not found');
    }
  });

  it('lists only the projects the caller may see, with their role and permissions', async () => {
    const names = async (s: Session) =>
      ((await s.request('GET', '/projects')).json().projects as { id: string }[]).map((p) => p.id);
    expect(await names(viewer)).toEqual([world.scope.projectId]);
    expect(await names(world.session)).toEqual(
      expect.arrayContaining([world.scope.projectId, other.projectId]),
    );
    const listed = (await viewer.request('GET', '/projects')).json().projects[0];
    expect(listed).toMatchObject({ role: 'viewer' });
    expect(listed.permissions).toEqual(['project:read', 'search', 'audit:read']);
  });

  it('lets a read token search its project, 404s another project and 403s a draft', async () => {
    const token = await tokenCaller(ctx.app, world.session, {
      permission: 'read',
      project_ids: [world.scope.projectId],
    });
    // Its only project needs no header; no cookie, no CSRF token.
    const search = await token.request('POST', '/search', { query: 'hello' });
    expect(search.statusCode).toBe(200);
    expect(search.json().ok).toBe(true);
    expect((await token.request('GET', `/conversations/${conversationId}`)).statusCode).toBe(200);

    const draft = await token.request('POST', '/outbound/draft', draftBody(world.targets[0]!));
    expect(draft.statusCode).toBe(403);
    expect(draft.json().details).toEqual({ permission: 'outbound:draft' });

    const foreign = await ctx.app.inject({
      method: 'GET',
      url: '/conversations',
      headers: { authorization: `Bearer ${token.secret}`, 'x-cairn-project': other.projectId },
    });
    expect(foreign.statusCode).toBe(404);
    const foreignProject = await token.request('GET', `/projects/${other.projectId}`);
    expect(foreignProject.statusCode).toBe(404);
    // And an id of another project through its own project: 404, like a missing one.
    const otherConversation = await ctx.database.db
      .insertInto('cw_conversations')
      .values({
        id: `cw:${other.projectId}:1:42`,
        project_id: other.projectId,
        account_scope_id: other.accountScopeId,
        account_id: 1,
        conversation_id: 42,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect((await token.request('GET', `/conversations/${otherConversation.id}`)).statusCode).toBe(
      404,
    );
  });

  it('lets a draft token draft and run a sync, never approve, send or manage', async () => {
    const token = await tokenCaller(ctx.app, world.session, {
      permission: 'draft',
      project_ids: 'all',
      project: world.scope.projectId,
    });
    const draft = await token.request('POST', '/outbound/draft', draftBody(world.targets[2]!));
    expect(draft.statusCode).toBe(201);
    const id = draft.json().message.id as string;
    expect(draft.json().message.created_by).toBeTruthy();
    for (const [method, url, permission] of [
      ['POST', `/outbound/${id}/approve`, 'outbound:approve'],
      ['POST', `/outbound/${id}/send`, 'outbound:send'],
      ['POST', '/sources', 'sources:manage'],
      ['GET', '/users', 'users:manage'],
      ['POST', '/auth/tokens', 'self:manage'],
    ] as const) {
      const res = await token.request(method, url, method === 'GET' ? undefined : {});
      expect(res.statusCode, url).toBe(403);
      expect(res.json().details, url).toEqual({ permission });
    }
    const sync = await token.request('POST', '/jobs/chatwoot/sync');
    expect(sync.statusCode).toBe(202);
    // Without X-Cairn-Project a token of several projects does not guess.
    const unnamed = await ctx.app.inject({
      method: 'GET',
      url: '/conversations',
      headers: { authorization: `Bearer ${token.secret}` },
    });
    expect(unnamed.statusCode).toBe(409);
    expect(unnamed.json().error).toBe('active_project_required');
  });

  it('acts with the intersection of the token and the role: a viewer’s draft token cannot draft', async () => {
    const token = await tokenCaller(ctx.app, viewer, {
      permission: 'draft',
      project_ids: [world.scope.projectId],
    });
    const res = await token.request('POST', '/outbound/draft', draftBody(world.targets[0]!));
    expect(res.statusCode).toBe(403);
    expect((await token.request('GET', '/outbound')).statusCode).toBe(200);
  });

  it('refuses a token for a project the user cannot see', async () => {
    const res = await viewer.request('POST', '/auth/tokens', {
      name: 'sneaky',
      permission: 'read',
      project_ids: [other.projectId],
    });
    expect(res.statusCode).toBe(404);
  });

  it('answers 401 on the next request after the token is revoked, and after it expires', async () => {
    const token = await tokenCaller(ctx.app, world.session, {
      permission: 'read',
      project_ids: [world.scope.projectId],
    });
    expect((await token.request('GET', '/outbound')).statusCode).toBe(200);
    const revoke = await world.session.request('DELETE', `/auth/tokens/${token.id}`);
    expect(revoke.statusCode).toBe(200);
    const after = await token.request('GET', '/outbound');
    expect(after.statusCode).toBe(401);
    expect(after.json().error).toBe('unauthorized');
    expect((await world.session.request('DELETE', `/auth/tokens/${token.id}`)).statusCode).toBe(
      404,
    );

    const expiring = await tokenCaller(ctx.app, world.session, {
      permission: 'read',
      project_ids: [world.scope.projectId],
    });
    expect((await expiring.request('GET', '/outbound')).statusCode).toBe(200);
    await sql`update api_tokens set expires_at = now() - interval '1 second' where id = ${expiring.id}::uuid`.execute(
      ctx.database.db,
    );
    // A write behind the app's back, as from another process: the app hears of it by NOTIFY
    // cairn_credentials, a moment later on server Postgres and never on the embedded test
    // database, so the test tells the cache itself (credential-notices.test.ts tests the NOTIFY).
    ctx.app.credentials.forgetAll();
    expect((await expiring.request('GET', '/outbound')).statusCode).toBe(401);
  });

  it('ends a deactivated user’s sessions and tokens on their next request', async () => {
    const member = await memberSession(
      ctx.app,
      ctx.database,
      world.session,
      world.scope.projectId,
      'contributor',
    );
    const token = await tokenCaller(ctx.app, member, {
      permission: 'read',
      project_ids: [world.scope.projectId],
    });
    expect((await member.request('GET', '/outbound')).statusCode).toBe(200);
    expect((await token.request('GET', '/outbound')).statusCode).toBe(200);
    const res = await world.session.request('PATCH', `/users/${member.userId}`, { active: false });
    expect(res.statusCode).toBe(200);
    expect(res.json().user).toMatchObject({ active: false });
    expect((await member.request('GET', '/outbound')).statusCode).toBe(401);
    expect((await token.request('GET', '/outbound')).statusCode).toBe(401);
    // Reactivating does not bring the old credentials back.
    await world.session.request('PATCH', `/users/${member.userId}`, { active: true });
    expect((await token.request('GET', '/outbound')).statusCode).toBe(401);
    expect((await member.request('GET', '/outbound')).statusCode).toBe(401);
  });

  it('refuses a request carrying both a bearer token and a session cookie with 400', async () => {
    const token = await tokenCaller(ctx.app, world.session, {
      permission: 'read',
      project_ids: [world.scope.projectId],
    });
    const res = await ctx.app.inject({
      method: 'GET',
      url: '/outbound',
      headers: { ...world.session.headers, authorization: `Bearer ${token.secret}` },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid_input');
  });

  it('takes a token without a CSRF header, and refuses a malformed or unknown one', async () => {
    const token = await tokenCaller(ctx.app, world.session, {
      permission: 'draft',
      project_ids: [world.scope.projectId],
    });
    // tokenCaller sends no cookie and no x-csrf-token.
    expect((await token.request('POST', '/jobs/embeddings/run')).statusCode).toBe(202);
    for (const authorization of ['Bearer cairn_pat_nope', 'Bearer something-else', 'Basic Zm9v']) {
      const res = await ctx.app.inject({
        method: 'GET',
        url: '/outbound',
        headers: { authorization },
      });
      expect(res.statusCode, authorization).toBe(401);
    }
  });

  it('reports who a token acts as on /auth/me and in last-used details', async () => {
    const token = await tokenCaller(ctx.app, world.session, {
      permission: 'read',
      project_ids: [world.scope.projectId],
    });
    const me = (
      await ctx.app.inject({
        method: 'GET',
        url: '/auth/me',
        headers: { authorization: `Bearer ${token.secret}`, 'user-agent': 'cairn-cli/1.0' },
      })
    ).json();
    expect(me).toMatchObject({
      authenticated: true,
      via: 'token',
      username: world.session.username,
      active_project_id: world.scope.projectId,
    });
    expect(me.permissions).toEqual(['self:read']);
    const listed = (await world.session.request('GET', '/auth/tokens')).json().tokens as {
      id: string;
      prefix: string;
      last_used_at: string | null;
      last_used_user_agent: string | null;
    }[];
    const row = listed.find((t) => t.id === token.id)!;
    expect(row.last_used_at).not.toBeNull();
    expect(row.last_used_user_agent).toBe('cairn-cli/1.0');
    expect(token.secret.startsWith(row.prefix)).toBe(true);
    expect(token.secret).toMatch(/^cairn_pat_[0-9A-Za-z]{40,44}$/);
    expect(JSON.stringify(listed)).not.toContain(token.secret);
  });
});

describe('per-token rate limit', () => {
  const ctx = useTestApp({ TOKEN_RATE_LIMIT_PER_MINUTE: '3' });

  it('answers 429 with Retry-After past the limit, counting each token on its own', async () => {
    const { signInWithProject } = await import('../support/factories.js');
    const { session, project } = await signInWithProject(ctx.app, ctx.database);
    const options = { permission: 'read' as const, project_ids: [project.projectId] };
    const first = await tokenCaller(ctx.app, session, options);
    const second = await tokenCaller(ctx.app, session, options);
    for (let i = 0; i < 3; i++)
      expect((await first.request('GET', '/outbound')).statusCode).toBe(200);
    const limited = await first.request('GET', '/outbound');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await second.request('GET', '/outbound')).statusCode).toBe(200);
    // Sessions are not limited by it.
    for (let i = 0; i < 5; i++)
      expect((await session.request('GET', '/outbound')).statusCode).toBe(200);
  });
});

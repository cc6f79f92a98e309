import { createHash } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';
import { createProject, createUser, loginAs, uniqueName } from '../support/factories.js';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

describe('credentials in responses and logs', () => {
  const ctx = useTestApp();

  it('never shows a token secret, session id, link token or password hash after creation', async () => {
    const responses: LightMyRequestResponse[] = [];
    const keep = (res: LightMyRequestResponse) => (responses.push(res), res);

    const ownerUser = await createUser(ctx.database);
    const owner = await loginAs(ctx.app, ownerUser.username, ownerUser.password);
    const sid = owner.cookie.match(/sid=([^;]+)/)![1]!;
    const project = await createProject(owner);

    // Creation responses carry the secret once; they are not kept for the scan.
    const created = await owner.request('POST', '/auth/tokens', {
      name: 'ci',
      permission: 'draft',
      project_ids: [project.projectId],
    });
    const secret = created.json().secret as string;
    const invited = await owner.request('POST', '/users', {
      username: uniqueName('new'),
      role: 'member',
    });
    const linkToken = (invited.json().invitation_url as string).split('/').pop()!;
    const userId = invited.json().user.id as string;

    const bearer = { authorization: `Bearer ${secret}` };
    keep(await ctx.app.inject({ method: 'GET', url: '/auth/me', headers: bearer }));
    keep(await ctx.app.inject({ method: 'GET', url: '/projects', headers: bearer }));
    keep(await ctx.app.inject({ method: 'GET', url: '/outbound', headers: bearer }));
    keep(await ctx.app.inject({ method: 'POST', url: '/jobs/embeddings/run', headers: bearer }));
    keep(await ctx.app.inject({ method: 'GET', url: `/invitations/${linkToken}` }));
    keep(
      await ctx.app.inject({
        method: 'POST',
        url: `/invitations/${linkToken}/accept`,
        payload: { password: 'a long enough password' },
      }),
    );
    keep(
      await ctx.app.inject({
        method: 'POST',
        url: `/invitations/${linkToken}/accept`,
        payload: { password: 'a long enough password' },
      }),
    );
    for (const url of [
      '/auth/me',
      '/auth/sessions',
      '/auth/tokens',
      '/users',
      `/users/${userId}/sessions`,
      '/audit/workspace?limit=500',
      '/audit/verify',
      '/audit?limit=500',
      '/projects',
    ]) {
      keep(await owner.request('GET', url));
    }
    keep(
      await owner
        .request('POST', `/users/${userId}/reset`)
        .then((r) => ({ ...r, body: '' }) as never),
    );
    keep(
      await owner.request('POST', '/auth/password', {
        current_password: 'wrong',
        new_password: 'whatever long password',
      }),
    );
    keep(
      await ctx.app.inject({
        method: 'POST',
        url: '/auth/login',
        payload: { username: ownerUser.username, password: 'wrong' },
      }),
    );

    const hashes = (await ctx.database.db.selectFrom('app_users').select('password_hash').execute())
      .map((u) => u.password_hash)
      .filter((h) => h.startsWith('$argon2'));
    expect(hashes.length).toBeGreaterThan(0);
    const forbidden = {
      'token secret': secret,
      'token secret hash': sha256(secret),
      'session cookie': sid,
      'session id (hash of the cookie)': sha256(sid),
      'csrf token': owner.csrf,
      'link token': linkToken,
      'link token hash': sha256(linkToken),
      ...Object.fromEntries(hashes.map((h, i) => [`password hash ${i}`, h])),
      password: ownerUser.password,
    };
    const haystacks = {
      responses: responses.map((r) => `${JSON.stringify(r.headers)}\n${r.body}`).join('\n'),
      logs: ctx.logs.join('\n'),
    };
    expect(haystacks.logs.length).toBeGreaterThan(1000);
    for (const [where, text] of Object.entries(haystacks)) {
      for (const [what, value] of Object.entries(forbidden)) {
        // The csrf token is the readable cookie by design; only its absence from logs matters.
        if (what === 'csrf token' && where === 'responses') continue;
        expect(text.includes(value), `${what} found in ${where}`).toBe(false);
      }
    }
  });
});

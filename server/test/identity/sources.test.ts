import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';
import { signInWithProject } from '../support/factories.js';
import { testResolver } from '../support/resolver.js';

const TOKEN = 'cw-api-token-very-secret-4242';
const WEBHOOK_SECRET = 'webhook-secret-also-very-secret-99';

const bindBody = (baseUrl: string) => ({
  source_kind: 'chatwoot_account',
  base_url: baseUrl,
  account_id: 3,
  api_token: TOKEN,
  webhook_secret: WEBHOOK_SECRET,
});

describe('sources', () => {
  const ctx = useTestApp({}, { resolveHost: testResolver() });

  it('binds a Chatwoot account, stores the token encrypted and never returns it', async () => {
    const { session } = await signInWithProject(ctx.app, ctx.database);
    const created = await session.request(
      'POST',
      '/sources',
      bindBody('https://Chat.Example.com/'),
    );
    expect(created.statusCode).toBe(201);
    const source = created.json().source;
    expect(source).toMatchObject({
      external_id: 'https://chat.example.com#3',
      api_token_set: true,
      webhook_secret_set: true,
    });
    const listed = await session.request('GET', '/sources');
    for (const body of [created.body, listed.body]) {
      expect(body).not.toContain(TOKEN);
      expect(body).not.toContain(WEBHOOK_SECRET);
    }
    const row = await ctx.database.db
      .selectFrom('project_sources')
      .selectAll()
      .where('id', '=', source.id)
      .executeTakeFirstOrThrow();
    expect(row.api_token_enc).not.toContain(TOKEN);
    expect(ctx.app.secrets.decrypt(row.api_token_enc)).toBe(TOKEN);
  });

  it('refuses to bind one Chatwoot account to a second project with 409 source_already_bound', async () => {
    const first = await signInWithProject(ctx.app, ctx.database);
    const second = await signInWithProject(ctx.app, ctx.database);
    expect(
      (await first.session.request('POST', '/sources', bindBody('https://shared.example.com')))
        .statusCode,
    ).toBe(201);
    const again = await second.session.request(
      'POST',
      '/sources',
      bindBody('https://SHARED.example.com/'),
    );
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toBe('source_already_bound');
  });

  it('unbinds a source, and another project cannot see or delete it', async () => {
    const owner = await signInWithProject(ctx.app, ctx.database);
    const stranger = await signInWithProject(ctx.app, ctx.database);
    const id = (
      await owner.session.request('POST', '/sources', bindBody('https://unbind.example.com'))
    ).json().source.id;
    expect((await stranger.session.request('DELETE', `/sources/${id}`)).statusCode).toBe(404);
    expect((await stranger.session.request('GET', '/sources')).json().sources).toEqual([]);
    expect((await owner.session.request('DELETE', `/sources/${id}`)).statusCode).toBe(200);
    expect((await owner.session.request('GET', '/sources')).json().sources).toEqual([]);
  });

  it('keeps the token out of every log line and audit row', async () => {
    const { session } = await signInWithProject(ctx.app, ctx.database);
    await session.request('POST', '/sources', bindBody('https://logs.example.com'));
    await session.request('POST', '/sources', bindBody('https://logs.example.com'));
    expect(ctx.logs.length).toBeGreaterThan(0);
    expect(ctx.logs.join('\n')).not.toContain(TOKEN);
    expect(ctx.logs.join('\n')).not.toContain(WEBHOOK_SECRET);
    const audit = await ctx.database.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', 'like', 'source.%')
      .execute();
    expect(audit.length).toBeGreaterThan(0);
    expect(JSON.stringify(audit)).not.toContain(TOKEN);
    expect(JSON.stringify(audit)).not.toContain(WEBHOOK_SECRET);
  });
});

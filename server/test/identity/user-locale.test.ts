import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';
import { createUser, loginAs } from '../support/factories.js';

describe('the saved interface language (Settings → Profile)', () => {
  const ctx = useTestApp();

  it('is null until chosen, then /auth/me reports it in every session of that user', async () => {
    const user = await createUser(ctx.database);
    const session = await loginAs(ctx.app, user.username, user.password);
    expect((await session.request('GET', '/auth/me')).json()).toMatchObject({ locale: null });

    const saved = await session.request('PATCH', '/auth/me', { locale: 'ru' });
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toMatchObject({
      authenticated: true,
      username: user.username,
      locale: 'ru',
    });

    const elsewhere = await loginAs(ctx.app, user.username, user.password);
    expect((await elsewhere.request('GET', '/auth/me')).json().locale).toBe('ru');

    // null goes back to following the browser.
    expect((await elsewhere.request('PATCH', '/auth/me', { locale: null })).json().locale).toBe(
      null,
    );
    expect((await session.request('GET', '/auth/me')).json().locale).toBe(null);
  });

  it('changes only the caller', async () => {
    const [a, b] = [await createUser(ctx.database), await createUser(ctx.database)];
    const sessionA = await loginAs(ctx.app, a.username, a.password);
    const sessionB = await loginAs(ctx.app, b.username, b.password);
    await sessionA.request('PATCH', '/auth/me', { locale: 'ru' });
    expect((await sessionB.request('GET', '/auth/me')).json().locale).toBe(null);
  });

  it('refuses a locale it does not carry, naming the field, and stores nothing', async () => {
    const user = await createUser(ctx.database);
    const session = await loginAs(ctx.app, user.username, user.password);
    for (const body of [{ locale: 'de' }, { locale: 'RU' }, {}, { locale: 'ru', theme: 'dark' }]) {
      const res = await session.request('PATCH', '/auth/me', body);
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toBe('validation_error');
    }
    const wrong = (await session.request('PATCH', '/auth/me', { locale: 'de' })).json();
    expect(JSON.stringify(wrong.details.fields)).toContain('locale');
    expect((await session.request('GET', '/auth/me')).json().locale).toBe(null);
  });

  it('needs a session and the CSRF header, as every mutation does', async () => {
    const anonymous = await ctx.app.inject({
      method: 'PATCH',
      url: '/auth/me',
      payload: { locale: 'ru' },
    });
    expect(anonymous.statusCode).toBe(401);
    const user = await createUser(ctx.database);
    const session = await loginAs(ctx.app, user.username, user.password);
    const forged = await ctx.app.inject({
      method: 'PATCH',
      url: '/auth/me',
      headers: { cookie: session.cookie },
      payload: { locale: 'ru' },
    });
    expect(forged.statusCode).toBe(403);
    expect(forged.json().error).toBe('csrf_invalid');
    expect((await session.request('GET', '/auth/me')).json().locale).toBe(null);
  });

  it('keeps the value inside the database check, whatever a caller does', async () => {
    const user = await createUser(ctx.database);
    await expect(
      ctx.database.db
        .updateTable('app_users')
        .set({ locale: 'de' as never })
        .where('username', '=', user.username)
        .execute(),
    ).rejects.toThrow(/check/);
  });
});

import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setUserLocale } from '../../src/modules/auth/user-locale.js';
import { useTestApp } from '../support/app.js';
import { loginAs, signIn, uniqueName, type Session } from '../support/factories.js';
import { startTestSmtp } from '../support/smtp.js';

const PASSWORD = 'a long enough password';

describe('invitation and reset emails, in the invitee’s language', () => {
  let smtp: Awaited<ReturnType<typeof startTestSmtp>>;
  // Filled before useTestApp's own beforeAll reads it (hooks run in the order they are declared).
  const env: Record<string, string> = { INVITE_TTL_HOURS: '72' };
  beforeAll(async () => {
    smtp = await startTestSmtp();
    env.SMTP_URL = smtp.url;
    env.SMTP_FROM = 'Cairn <cairn@studio.test>';
  });
  afterAll(() => smtp?.close());
  const ctx = useTestApp(env);

  /** The parsed mail to `address` (the SMTP server keeps every message). */
  async function mailTo(address: string) {
    const raw = smtp.received.find((m) => m.to.includes(address))?.raw;
    if (!raw) throw new Error(`no mail to ${address}`);
    return simpleParser(raw);
  }

  async function invite(owner: Session, body: Record<string, unknown>) {
    const username = uniqueName('invitee');
    const email = `${username}@studio.test`;
    const res = await owner.request('POST', '/users', { username, role: 'member', email, ...body });
    expect(res.statusCode).toBe(201);
    return { username, email, body: res.json() as { invitation_url: string; email?: string } };
  }

  const accept = (url: string) =>
    ctx.app.inject({
      method: 'POST',
      url: `/invitations/${url.split('/').pop()}/accept`,
      payload: { password: PASSWORD },
    });

  it('emails a Russian-speaking invitee in Russian, with a link that works once', async () => {
    const owner = await signIn(ctx.app, ctx.database);
    const { username, email, body } = await invite(owner, { locale: 'ru' });
    expect(body.email).toBe('sent');

    const mail = await mailTo(email);
    expect(mail.subject).toBe(`${owner.username} приглашает вас в Cairn`);
    expect(mail.headers.get('content-language')).toBe('ru');
    expect(mail.text).toContain('Откройте ссылку, чтобы задать пароль');
    expect(mail.text).toContain('в течение 72 часов');
    expect(mail.text).toContain(username);
    const url = /https?:\/\/\S+\/invite\/[A-Za-z0-9_-]+/.exec(mail.text ?? '')?.[0];
    expect(url).toBe(body.invitation_url);

    expect((await accept(url!)).statusCode).toBe(200);
    expect((await accept(url!)).statusCode).toBe(404);
    await loginAs(ctx.app, username, PASSWORD);
    // The chosen language is the invitee's own from now on.
    const me = await (await loginAs(ctx.app, username, PASSWORD)).request('GET', '/auth/me');
    expect(me.json()).toMatchObject({ locale: 'ru' });
  });

  it('emails an English-speaking invitee in English', async () => {
    const owner = await signIn(ctx.app, ctx.database);
    const { email, body } = await invite(owner, { locale: 'en' });
    expect(body.email).toBe('sent');
    const mail = await mailTo(email);
    expect(mail.subject).toBe(`${owner.username} invited you to Cairn`);
    expect(mail.headers.get('content-language')).toBe('en');
    expect(mail.text).toContain('for 72 hours');
    expect(mail.text).toContain(body.invitation_url);
  });

  it('without a language, writes in the inviting owner’s; a reset goes in the user’s', async () => {
    const owner = await signIn(ctx.app, ctx.database);
    const ownerId = (await owner.request('GET', '/auth/me')).json().user_id as string;
    await setUserLocale(ctx.database, ownerId, 'ru');
    const russianOwner = await loginAs(ctx.app, owner.username, 'correct horse battery');
    const { email, body } = await invite(russianOwner, {});
    expect(body.email).toBe('sent');
    expect((await mailTo(email)).subject).toBe(`${owner.username} приглашает вас в Cairn`);

    const english = await invite(owner, { locale: 'en' });
    const users = (await owner.request('GET', '/users')).json().users as {
      id: string;
      email: string;
    }[];
    const id = users.find((u) => u.email === english.email)!.id;
    const before = smtp.received.length;
    const reset = await russianOwner.request('POST', `/users/${id}/reset`);
    expect(reset.json()).toMatchObject({ email: 'sent' });
    const resetMail = await simpleParser(smtp.received.slice(before).at(-1)!.raw);
    expect(resetMail.subject).toBe('A new password for Cairn');
    expect(resetMail.text).toContain((reset.json() as { invitation_url: string }).invitation_url);
  });

  it('keeps the invitation when the SMTP server refuses the mail', async () => {
    const owner = await signIn(ctx.app, ctx.database);
    const username = uniqueName('refused');
    const email = `${username}@studio.test`;
    smtp.rejectRecipient(email);
    try {
      const res = await owner.request('POST', '/users', { username, role: 'member', email });
      expect(res.statusCode).toBe(201);
      const body = res.json() as { invitation_url: string; email: string };
      expect(body.email).toBe('failed');
      expect((await accept(body.invitation_url)).statusCode).toBe(200);
    } finally {
      smtp.rejectRecipient(null);
    }
    // The failure is logged without the link.
    expect(ctx.logs.join('\n')).toContain('could not email the one-time link');
  });
});

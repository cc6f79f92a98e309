import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';
import { startTestSmtp } from '../support/smtp.js';
import { outboundRow, outboundWorld, sendWithCrash, type World } from './world.js';

const env: Record<string, string> = {
  PUBLIC_BASE_URL: 'https://cairn.example.com/api',
  SMTP_FROM: 'Cairn Studio <hello@studio.example>',
};
let smtp: Awaited<ReturnType<typeof startTestSmtp>>;
beforeAll(async () => {
  smtp = await startTestSmtp();
  env.SMTP_URL = smtp.url;
});
afterAll(() => smtp?.close());

const header = (raw: string, name: string) =>
  new RegExp(`^${name}:\\s*(.+(?:\\r?\\n[ \\t].+)*)`, 'im')
    .exec(raw)?.[1]
    ?.replace(/\r?\n[ \t]+/g, ' ')
    .trim() ?? null;

describe('email delivery with one-click unsubscribe', () => {
  const ctx = useTestApp(env);
  let world: World;
  let contacts: { id: string; email: string }[];
  beforeAll(async () => {
    world = await outboundWorld(ctx, { conversations: 6 });
    // Give every contact of the project an address of its own.
    await ctx.database.db.executeQuery(
      sql`update cw_contacts set email = 'client-' || contact_id || '@client.example' where project_id = ${world.scope.projectId}::uuid`.compile(
        ctx.database.db,
      ),
    );
    contacts = (await ctx.database.withScope(world.scope, (trx) =>
      trx
        .selectFrom('cw_contacts')
        .select(['id', 'email'])
        .where('project_id', '=', world.scope.projectId)
        .orderBy('id')
        .execute(),
    )) as { id: string; email: string }[];
  });
  afterAll(async () => {
    await world?.sim.stop();
  });

  async function approvedEmail(contactId: string, subject = 'Your proposal') {
    const draft = await world.session.request('POST', '/outbound/draft', {
      channel: 'email',
      recipient_ref: contactId,
      payload: { content: 'Please find the revised proposal attached.', subject },
      idempotency_key: crypto.randomUUID(),
    });
    expect(draft.statusCode, draft.body).toBe(201);
    const id = draft.json().message.id as string;
    expect((await world.session.request('POST', `/outbound/${id}/approve`)).statusCode).toBe(200);
    return id;
  }

  const mailFor = (id: string) =>
    smtp.received.filter((m) => header(m.raw, 'Message-ID') === `<cairn-${id}@studio.example>`);

  function unsubscribePath(raw: string) {
    const link = /^<(.+)>$/.exec(header(raw, 'List-Unsubscribe') ?? '')?.[1];
    expect(link).toBeDefined();
    const url = new URL(link!);
    expect(url.protocol).toBe('https:');
    expect(url.origin + url.pathname.replace(/\/unsubscribe\/.*/, '')).toBe(
      'https://cairn.example.com/api',
    );
    return url.pathname.replace(/^\/api/, '');
  }

  it('sends over SMTP with RFC 8058 headers, a stable Message-ID and no address in the link', async () => {
    const contact = contacts[0]!;
    const id = await approvedEmail(contact.id);
    const res = await world.session.request('POST', `/outbound/${id}/send`);
    expect(res.json()).toMatchObject({
      result: 'sent',
      message: { status: 'sent', provider_message_id: `<cairn-${id}@studio.example>` },
    });
    const [mail] = mailFor(id);
    expect(mail!.to).toEqual([contact.email]);
    expect(header(mail!.raw, 'Subject')).toBe('Your proposal');
    expect(header(mail!.raw, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    const path = unsubscribePath(mail!.raw);
    expect(path).toMatch(/^\/unsubscribe\/[A-Za-z0-9_-]{43}$/);
    expect(header(mail!.raw, 'List-Unsubscribe')).not.toContain(contact.email);
    expect(header(mail!.raw, 'List-Unsubscribe')).not.toContain(encodeURIComponent(contact.email));
  });

  it('shows only a confirmation page on GET, and opts out on a cookieless one-click POST without redirecting', async () => {
    const contact = contacts[1]!;
    const id = await approvedEmail(contact.id);
    await world.session.request('POST', `/outbound/${id}/send`);
    const path = unsubscribePath(mailFor(id)[0]!.raw);
    const policy = () =>
      ctx.database.withScope(world.scope, (trx) =>
        trx
          .selectFrom('contact_channel_policies')
          .select(['opted_out'])
          .where('contact_global_id', '=', contact.id)
          .where('channel', '=', 'email')
          .executeTakeFirst(),
      );

    const page = await ctx.app.inject({ method: 'GET', url: path });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('<form method="post">');
    expect(page.body).toContain('<html lang="en">');
    // Recipients are not users: their browser's language chooses, English when none fits.
    const russian = await ctx.app.inject({
      method: 'GET',
      url: path,
      headers: { 'accept-language': 'ru-RU,ru;q=0.9,en;q=0.8' },
    });
    expect(russian.body).toContain('<html lang="ru">');
    expect(russian.body).toContain('<h1>Отписаться?</h1>');
    expect(russian.body).toContain('<button type="submit">Отписаться</button>');
    expect(await policy()).toBeUndefined();

    const click = await ctx.app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(click.statusCode).toBe(200);
    expect(click.headers.location).toBeUndefined();
    expect(click.body).toContain('<h1>You are unsubscribed</h1>');
    expect(await policy()).toEqual({ opted_out: true });
    const audit = await world.session.request(
      'GET',
      `/audit?action=outbound.policy_change&entity_id=${encodeURIComponent(`${contact.id}:email`)}`,
    );
    expect(audit.json().events[0]).toMatchObject({
      actor: `contact:${contact.id}`,
      payload: { via: 'one_click_unsubscribe' },
    });

    // The next email to that contact is blocked inside the send, and nothing reaches SMTP.
    const before = smtp.received.length;
    const next = await approvedEmail(contact.id, 'One more thing');
    expect((await world.session.request('POST', `/outbound/${next}/send`)).json()).toMatchObject({
      result: 'blocked',
      message: { block_reason: 'opt_out' },
    });
    expect(smtp.received.length).toBe(before);
    // A second click changes nothing and still answers 200.
    expect(
      (
        await ctx.app.inject({
          method: 'POST',
          url: path,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: 'List-Unsubscribe=One-Click',
        })
      ).statusCode,
    ).toBe(200);
  });

  it('answers an unknown or tampered token with the same 404 and opts nobody out', async () => {
    const contact = contacts[2]!;
    const id = await approvedEmail(contact.id);
    await world.session.request('POST', `/outbound/${id}/send`);
    const path = unsubscribePath(mailFor(id)[0]!.raw);
    const tampered = path.slice(0, -1) + (path.endsWith('A') ? 'B' : 'A');
    const bodies = [];
    for (const url of [
      tampered,
      '/unsubscribe/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      '/unsubscribe/short',
    ]) {
      for (const method of ['GET', 'POST'] as const) {
        const res = await ctx.app.inject({
          method,
          url,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: method === 'POST' ? 'List-Unsubscribe=One-Click' : undefined,
        });
        expect(res.statusCode).toBe(404);
        bodies.push(Object.keys(res.json()).sort().join());
      }
    }
    expect(new Set(bodies).size).toBe(1);
    const policies = await world.session.request('GET', '/outbound/policies?channel=email');
    expect(
      policies
        .json()
        .policies.filter((p: { opted_out: boolean }) => p.opted_out)
        .map((p: { contact_global_id: string }) => p.contact_global_id),
    ).not.toContain(contact.id);
  });

  it('never resends an email whose attempt crashed after SMTP accepted it', async () => {
    const contact = contacts[4] ?? contacts[0]!;
    await ctx.database.withScope(world.scope, (trx) =>
      trx
        .deleteFrom('contact_channel_policies')
        .where('contact_global_id', '=', contact.id)
        .execute(),
    );
    const id = await approvedEmail(contact.id, 'Crash test');
    const crash = new Error('injected crash after SMTP accepted');
    expect(await sendWithCrash(ctx, world.scope, id, 'afterProviderCall', crash)).toBe(crash);
    expect(mailFor(id)).toHaveLength(1);
    // SMTP cannot be asked whether it took the message: while the lease runs, no second send...
    expect((await world.session.request('POST', `/outbound/${id}/send`)).statusCode).toBe(409);
    // ...and after it, the message fails as "outcome unknown" instead of being sent again.
    await ctx.database.db
      .updateTable('outbound_attempts')
      .set({ lease_until: new Date(Date.now() - 1000) } as never)
      .where('outbound_message_id', '=', id)
      .execute();
    const retry = await world.session.request('POST', `/outbound/${id}/send`);
    expect(retry.json()).toMatchObject({
      result: 'failed',
      message: { status: 'failed', next_attempt_at: null },
    });
    expect(retry.json().message.last_error).toMatch(/unknown outcome/);
    await world.session.request('POST', '/outbound/process');
    expect(mailFor(id)).toHaveLength(1);
  });

  it('fails a permanent SMTP rejection without retrying it automatically', async () => {
    const contact = contacts[3]!;
    smtp.rejectRecipient(contact.email);
    const id = await approvedEmail(contact.id);
    const res = await world.session.request('POST', `/outbound/${id}/send`);
    smtp.rejectRecipient(null);
    expect(res.json().result).toBe('failed');
    const row = await outboundRow(ctx.database, world.scope, id);
    expect(row).toMatchObject({ status: 'failed', next_attempt_at: null });
    expect(row.last_error).toMatch(/550/);
  });

  it('refuses an email draft to a contact outside the project or without an address', async () => {
    const res = await world.session.request('POST', '/outbound/draft', {
      channel: 'email',
      recipient_ref: 'cwc:elsewhere:1:1',
      payload: { content: 'x' },
      idempotency_key: crypto.randomUUID(),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().details.fields[0].field).toBe('recipient_ref');
  });
});

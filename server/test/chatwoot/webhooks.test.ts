import { buildWebhookPayload, signedDelivery, type SignedDelivery } from '@cairn/chatwoot-sim';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';
import { bindSim, WEBHOOK_SECRET, type Bound } from './harness.js';

const ctx = useTestApp();

describe('POST /webhooks/chatwoot/:source_id', () => {
  let bound: Bound & { webhookUrlToken?: string };
  let conversationId: number;
  beforeAll(async () => {
    bound = await bindSim(ctx, { size: 'tiny', seed: 'webhooks' });
    conversationId = bound.sim.control.groundTruth.conversationIds()[3]!;
  });
  afterAll(() => void bound?.sim.stop());

  /** A fresh message at the simulator and the body Chatwoot would POST about it. */
  function newMessageEvent(
    content = 'Please send the final invoice and the approved logo files today.',
  ) {
    const message = bound.sim.control.addMessage({
      conversationId,
      content,
      message_type: 'incoming',
    });
    const payload = buildWebhookPayload(bound.sim, 'message_created', {
      conversationId,
      messageId: message.id as number,
    });
    return { messageId: message.id as number, payload };
  }

  const post = (delivery: SignedDelivery, path = `/webhooks/chatwoot/${bound.sourceId}`) =>
    ctx.app.inject({
      method: 'POST',
      url: path,
      headers: delivery.headers,
      payload: delivery.body,
    });

  async function stored(messageId: number) {
    return ctx.database.withScope(bound.scope, async (trx) => {
      const { rows } = await sql<{ content: string; chunks: number }>`
        select m.content, (select count(*)::integer from rag_chunks k where k.message_global_id = m.id) as chunks
        from cw_messages m where m.project_id = ${bound.scope.projectId}::uuid and m.message_id = ${messageId}`.execute(
        trx,
      );
      return rows;
    });
  }

  it('stores a signed message_created before the response returns, with its chunk', async () => {
    const { messageId, payload } = newMessageEvent();
    const res = await post(signedDelivery(WEBHOOK_SECRET, payload));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      ok: true,
      event: 'message_created',
      applied: true,
      duplicate: false,
    });
    expect(await stored(messageId)).toEqual([{ content: payload.content, chunks: 1 }]);
  });

  it('applies the same delivery once', async () => {
    const { messageId, payload } = newMessageEvent();
    const delivery = signedDelivery(WEBHOOK_SECRET, payload);
    expect((await post(delivery)).json()).toMatchObject({ applied: true, duplicate: false });
    const again = await post(delivery);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ applied: false, duplicate: true });
    expect(await stored(messageId)).toHaveLength(1);
  });

  it.each([
    [
      'a tampered body',
      (d: SignedDelivery) => ({ ...d, body: d.body.replace('deadline', 'dead1ine') }),
    ],
    [
      'the same JSON with keys reordered',
      (d: SignedDelivery) => ({
        ...d,
        body: JSON.stringify(
          Object.fromEntries(Object.entries(JSON.parse(d.body) as object).reverse()),
        ),
      }),
    ],
    [
      'a signature made with another secret',
      (d: SignedDelivery, payload: object) => ({
        ...signedDelivery('not-the-secret-at-all', payload),
        headers: {
          ...signedDelivery('not-the-secret-at-all', payload).headers,
          'x-chatwoot-delivery': d.headers['x-chatwoot-delivery']!,
        },
      }),
    ],
    [
      'a timestamp 301 s old',
      (_d: SignedDelivery, payload: object) =>
        signedDelivery(WEBHOOK_SECRET, payload, { timestamp: Math.floor(Date.now() / 1000) - 301 }),
    ],
    [
      'a timestamp 301 s ahead',
      // 301 s ahead when the server checks it: both sides count whole seconds, and the second may
      // turn between signing here and checking there (under load the test failed that way), so
      // sign one second further ahead. The old-side case above cannot drift into the window.
      (_d: SignedDelivery, payload: object) =>
        signedDelivery(WEBHOOK_SECRET, payload, { timestamp: Math.floor(Date.now() / 1000) + 302 }),
    ],
    [
      'no signature header',
      (d: SignedDelivery) => ({ ...d, headers: { ...d.headers, 'x-chatwoot-signature': '' } }),
    ],
    [
      'no timestamp header',
      (d: SignedDelivery) => ({ ...d, headers: { ...d.headers, 'x-chatwoot-timestamp': '' } }),
    ],
    [
      'a signature of the wrong length',
      (d: SignedDelivery) => ({
        ...d,
        headers: { ...d.headers, 'x-chatwoot-signature': 'sha256=abc' },
      }),
    ],
  ])('refuses %s with 401 and writes nothing', async (_name, mutate) => {
    const { messageId, payload } = newMessageEvent(
      'Changed the deadline: the brand book is now due next Monday, not Friday.',
    );
    const res = await post(mutate(signedDelivery(WEBHOOK_SECRET, payload), payload));
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ ok: false, error: 'invalid_signature' });
    expect(await stored(messageId)).toEqual([]);
  });

  it('accepts a timestamp 299 s old', async () => {
    const { messageId, payload } = newMessageEvent();
    const res = await post(
      signedDelivery(WEBHOOK_SECRET, payload, { timestamp: Math.floor(Date.now() / 1000) - 299 }),
    );
    expect(res.statusCode).toBe(200);
    expect(await stored(messageId)).toHaveLength(1);
  });

  it('refuses an unknown source with 401', async () => {
    const { payload } = newMessageEvent();
    const res = await post(
      signedDelivery(WEBHOOK_SECRET, payload),
      '/webhooks/chatwoot/00000000-0000-4000-8000-000000000000',
    );
    expect(res.statusCode).toBe(401);
  });

  it('applies an edit and a deletion: the chunk is reset, then removed', async () => {
    const { messageId, payload } = newMessageEvent();
    await post(signedDelivery(WEBHOOK_SECRET, payload));
    bound.sim.control.editMessage(
      messageId,
      'Edited: the invoice goes out on the 14th with the approved logo files attached.',
    );
    const edited = buildWebhookPayload(bound.sim, 'message_updated', { conversationId, messageId });
    expect((await post(signedDelivery(WEBHOOK_SECRET, edited))).statusCode).toBe(200);
    expect(await stored(messageId)).toEqual([{ content: edited.content, chunks: 1 }]);
    bound.sim.control.deleteMessage(messageId);
    const deleted = buildWebhookPayload(bound.sim, 'message_updated', {
      conversationId,
      messageId,
    });
    expect((await post(signedDelivery(WEBHOOK_SECRET, deleted))).statusCode).toBe(200);
    expect(await stored(messageId)).toEqual([{ content: 'This message was deleted', chunks: 0 }]);
  });

  it('applies conversation status changes and contact updates', async () => {
    bound.sim.control.setConversationStatus(conversationId, 'snoozed');
    const status = buildWebhookPayload(bound.sim, 'conversation_status_changed', {
      conversationId,
    });
    expect((await post(signedDelivery(WEBHOOK_SECRET, status))).json()).toMatchObject({
      applied: true,
    });
    const contactId = (status.meta as { sender: { id: number } }).sender.id;
    bound.sim.control.updateContact(contactId, { name: 'Renamed Client' });
    const contact = buildWebhookPayload(bound.sim, 'contact_updated', { contactId });
    expect((await post(signedDelivery(WEBHOOK_SECRET, contact))).json()).toMatchObject({
      applied: true,
    });
    const rows = await ctx.database.withScope(bound.scope, async (trx) => {
      const { rows } = await sql<{ status: string; name: string }>`
        select c.status, k.name from cw_conversations c join cw_contacts k on k.id = c.contact_global_id
        where c.project_id = ${bound.scope.projectId}::uuid and c.conversation_id = ${conversationId}`.execute(
        trx,
      );
      return rows;
    });
    expect(rows).toEqual([{ status: 'snoozed', name: 'Renamed Client' }]);
  });
});

describe('URL-token mode for Chatwoot before v4.12', () => {
  let bound: Bound & { webhookUrlToken?: string };
  beforeAll(async () => {
    bound = await bindSim(ctx, { size: 'tiny', seed: 'webhooks-token', webhookUrlToken: true });
  });
  afterAll(() => void bound?.sim.stop());

  it('accepts an unsigned delivery with the right token and refuses a wrong one, writing nothing', async () => {
    const conversationId = bound.sim.control.groundTruth.conversationIds()[0]!;
    const message = bound.sim.control.addMessage({
      conversationId,
      content: 'Unsigned hello from an older Chatwoot server, with the brief attached.',
      message_type: 'incoming',
    });
    const body = JSON.stringify(
      buildWebhookPayload(bound.sim, 'message_created', {
        conversationId,
        messageId: message.id as number,
      }),
    );
    const send = (token: string) =>
      ctx.app.inject({
        method: 'POST',
        url: `/webhooks/chatwoot/${bound.sourceId}?token=${encodeURIComponent(token)}`,
        headers: { 'content-type': 'application/json' },
        payload: body,
      });
    expect(bound.webhookUrlToken).toMatch(/^[\w-]{40,}$/);
    expect((await send(`${bound.webhookUrlToken!.slice(0, -1)}x`)).statusCode).toBe(401);
    const count = () =>
      ctx.database.withScope(bound.scope, async (trx) => {
        const { rows } = await sql<{
          n: number;
        }>`select count(*)::integer as n from cw_messages where project_id = ${bound.scope.projectId}::uuid`.execute(
          trx,
        );
        return rows[0]!.n;
      });
    expect(await count()).toBe(0);
    expect((await send(bound.webhookUrlToken!)).statusCode).toBe(200);
    expect(await count()).toBe(1);
    expect(ctx.logs.join('\n')).not.toContain(bound.webhookUrlToken!);
  });
});

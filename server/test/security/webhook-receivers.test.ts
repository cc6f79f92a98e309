import { randomBytes } from 'node:crypto';
import { buildWebhookPayload, signedDelivery, type SignedDelivery } from '@cairn/chatwoot-sim';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashUnsubscribeToken } from '../../src/modules/outbound/unsubscribe.js';
import { bindSim, WEBHOOK_SECRET, type Bound } from '../chatwoot/harness.js';
import { useTestApp, type TestContext } from '../support/app.js';

/**
 * The three rules every webhook receiver keeps (issue 14), run for every receiver there is: a
 * replay changes nothing, authenticated garbage is refused naming the field and writes nothing,
 * and a NUL in what it receives is never a 500. A new receiver (Linear, Attio) is a new row.
 */

type Res = LightMyRequestResponse;

interface ReceiverRow {
  name: string;
  setup(ctx: TestContext): Promise<void>;
  teardown?(): Promise<void>;
  /**
   * Delivers an event and then a newer one; returns ways to send the first one again (a replay),
   * and the state a replay must leave as it is.
   */
  replays(): Promise<{ state: () => Promise<unknown>; resend: [string, () => Promise<Res>][] }>;
  /** A delivery that authenticates but whose payload is not the provider's shape. */
  garbage(): Promise<{ send: () => Promise<Res>; state: () => Promise<unknown>; field: string }>;
  /** A delivery carrying NUL; `stored` is what it leaves, `expected` what that must be. */
  nul(): Promise<{ send: () => Promise<Res>; stored: () => Promise<unknown>; expected: unknown }>;
}

const ctx = useTestApp();

function chatwootReceiver(): ReceiverRow {
  let bound: Bound;
  let conversationId: number;
  const post = (delivery: SignedDelivery) =>
    ctx.app.inject({
      method: 'POST',
      url: `/webhooks/chatwoot/${bound.sourceId}`,
      headers: delivery.headers,
      payload: delivery.body,
    });
  const content = (messageId: number) =>
    ctx.database.withScope(bound.scope, async (trx) => {
      const { rows } = await sql<{ content: string; chunk: string | null }>`
        select m.content, (select string_agg(k.text, '|') from rag_chunks k where k.message_global_id = m.id) as chunk
        from cw_messages m where m.project_id = ${bound.scope.projectId}::uuid and m.message_id = ${messageId}`.execute(
        trx,
      );
      return rows;
    });
  const conversation = () =>
    ctx.database.withScope(bound.scope, async (trx) => {
      const { rows } = await sql`
        select status, inbox_id, contact_global_id, source_created_at, last_activity_at
        from cw_conversations
        where project_id = ${bound.scope.projectId}::uuid and conversation_id = ${conversationId}`.execute(
        trx,
      );
      return rows;
    });

  return {
    name: 'Chatwoot (POST /webhooks/chatwoot/:source_id)',
    async setup() {
      bound = await bindSim(ctx, { size: 'tiny', seed: 'webhook-receivers' });
      await bound.sync();
      conversationId = bound.sim.control.groundTruth.conversationIds()[2]!;
    },
    async teardown() {
      await bound?.sim.stop();
    },
    async replays() {
      const message = bound.sim.control.addMessage({
        conversationId,
        content: 'First version: the logo files are due on Friday, with the brand book.',
        message_type: 'incoming',
      });
      const messageId = message.id as number;
      const first = signedDelivery(
        WEBHOOK_SECRET,
        buildWebhookPayload(bound.sim, 'message_created', { conversationId, messageId }),
      );
      expect((await post(first)).json()).toMatchObject({ applied: true });
      bound.sim.control.editMessage(
        messageId,
        'Second version: the logo files are due on Monday instead, brand book unchanged.',
      );
      const second = signedDelivery(
        WEBHOOK_SECRET,
        buildWebhookPayload(bound.sim, 'message_updated', { conversationId, messageId }),
      );
      expect((await post(second)).json()).toMatchObject({ applied: true });
      const signature = first.headers['x-chatwoot-signature']!;
      const { 'x-chatwoot-delivery': _id, ...withoutDelivery } = first.headers;
      return {
        // Re-applying the first delivery would bring the first version back.
        state: () => content(messageId),
        resend: [
          ['the identical request', () => post(first)],
          [
            'a new X-Chatwoot-Delivery',
            () =>
              post({
                ...first,
                headers: { ...first.headers, 'x-chatwoot-delivery': crypto.randomUUID() },
              }),
          ],
          ['no X-Chatwoot-Delivery', () => post({ ...first, headers: withoutDelivery })],
          [
            'the signature in upper-case hex',
            () =>
              post({
                ...first,
                headers: {
                  ...withoutDelivery,
                  'x-chatwoot-signature': `sha256=${signature.slice(7).toUpperCase()}`,
                },
              }),
          ],
        ],
      };
    },
    async garbage() {
      const body = {
        event: 'conversation_updated',
        id: conversationId,
        status: 'bogus',
        created_at: 'not a date',
      };
      return {
        send: () => post(signedDelivery(WEBHOOK_SECRET, body)),
        state: conversation,
        field: 'status',
      };
    },
    async nul() {
      const message = bound.sim.control.addMessage({
        conversationId,
        content: 'Invoice attached\u0000 please confirm the total before Friday, thanks.',
        message_type: 'incoming',
      });
      const messageId = message.id as number;
      const payload = buildWebhookPayload(bound.sim, 'message_created', {
        conversationId,
        messageId,
      });
      return {
        send: () => post(signedDelivery(WEBHOOK_SECRET, payload)),
        stored: () => content(messageId),
        expected: [
          {
            content: 'Invoice attached\uFFFD please confirm the total before Friday, thanks.',
            chunk: 'Invoice attached\uFFFD please confirm the total before Friday, thanks.',
          },
        ],
      };
    },
  };
}

/** RFC 8058 one-click unsubscribe: authenticated by the token in its URL. */
function unsubscribeReceiver(): ReceiverRow {
  let bound: Bound;
  let contactGlobalId: string;
  const issueToken = async () => {
    const token = randomBytes(32).toString('base64url');
    await ctx.database.withScope(bound.scope, (trx) =>
      sql`insert into unsubscribe_tokens (token_hash, project_id, account_scope_id, contact_global_id, channel)
          values (${hashUnsubscribeToken(token)}, ${bound.scope.projectId}::uuid,
                  ${bound.scope.accountScopeId}::uuid, ${contactGlobalId}, 'email')`.execute(trx),
    );
    return token;
  };
  const post = (
    path: string,
    payload = 'List-Unsubscribe=One-Click',
    type = 'application/x-www-form-urlencoded',
  ) => ctx.app.inject({ method: 'POST', url: path, headers: { 'content-type': type }, payload });
  const policy = () =>
    ctx.database.withScope(bound.scope, async (trx) => {
      const { rows } = await sql`
        select opted_out, opted_out_at from contact_channel_policies
        where project_id = ${bound.scope.projectId}::uuid and contact_global_id = ${contactGlobalId}`.execute(
        trx,
      );
      return rows;
    });

  return {
    name: 'one-click unsubscribe (POST /unsubscribe/:token)',
    async setup() {
      bound = await bindSim(ctx, { size: 'tiny', seed: 'webhook-receivers-unsubscribe' });
      await bound.sync();
      const { rows } = await ctx.database.withScope(bound.scope, (trx) =>
        sql<{
          id: string;
        }>`select id from cw_contacts where project_id = ${bound.scope.projectId}::uuid
                            order by id limit 1`.execute(trx),
      );
      contactGlobalId = rows[0]!.id;
    },
    async teardown() {
      await bound?.sim.stop();
    },
    async replays() {
      const token = await issueToken();
      expect((await post(`/unsubscribe/${token}`)).statusCode).toBe(200);
      return {
        state: policy,
        resend: [['the identical request', () => post(`/unsubscribe/${token}`)]],
      };
    },
    async garbage() {
      const token = await issueToken();
      await ctx.database.withScope(bound.scope, (trx) =>
        sql`delete from contact_channel_policies where project_id = ${bound.scope.projectId}::uuid`.execute(
          trx,
        ),
      );
      return {
        send: () => post(`/unsubscribe/${token}`, '{"List-Unsubscribe": ', 'application/json'),
        state: policy,
        field: 'body',
      };
    },
    async nul() {
      const token = await issueToken();
      return {
        send: () => post(`/unsubscribe/${token}%00`),
        stored: policy,
        expected: [],
      };
    },
  };
}

const RECEIVERS = [chatwootReceiver(), unsubscribeReceiver()];

describe.each(RECEIVERS)('webhook receiver: $name', (receiver) => {
  beforeAll(() => receiver.setup(ctx));
  afterAll(() => receiver.teardown?.());

  it('changes nothing on a replay, however it is dressed', async () => {
    const { state, resend } = await receiver.replays();
    const before = await state();
    for (const [label, send] of resend) {
      const res = await send();
      expect(res.statusCode, `${label}: ${res.body}`).toBeLessThan(300);
      if (res.headers['content-type']?.toString().startsWith('application/json'))
        expect(res.json(), label).toMatchObject({ applied: false, duplicate: true });
      expect(await state(), label).toEqual(before);
    }
  });

  it('refuses an authenticated payload that is not its shape, naming the field, writing nothing', async () => {
    const { send, state, field } = await receiver.garbage();
    const before = await state();
    const res = await send();
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({
      ok: false,
      error: 'validation_error',
      details: { fields: [{ field }] },
      request_id: expect.any(String),
    });
    expect(await state()).toEqual(before);
  });

  it('keeps NUL out of the database and never answers 500', async () => {
    const { send, stored, expected } = await receiver.nul();
    const res = await send();
    expect(res.statusCode, res.body).toBeLessThan(500);
    expect(await stored()).toEqual(expected);
  });
});

describe('a refused Chatwoot webhook', () => {
  let bound: Bound;
  let conversationId: number;
  beforeAll(async () => {
    bound = await bindSim(ctx, { size: 'tiny', seed: 'webhook-partial' });
    await bound.sync();
    conversationId = bound.sim.control.groundTruth.conversationIds()[1]!;
  });
  afterAll(() => bound?.sim.stop());

  const post = (payload: object) => {
    const delivery = signedDelivery(WEBHOOK_SECRET, payload);
    return ctx.app.inject({
      method: 'POST',
      url: `/webhooks/chatwoot/${bound.sourceId}`,
      headers: delivery.headers,
      payload: delivery.body,
    });
  };
  const row = () =>
    ctx.database.withScope(bound.scope, async (trx) => {
      const { rows } = await sql<Record<string, unknown>>`
        select status, inbox_id, assignee_id, contact_global_id, source_created_at, last_activity_at,
               source_updated_at, data -> 'meta' -> 'sender' ->> 'id' as sender_id
        from cw_conversations
        where project_id = ${bound.scope.projectId}::uuid and conversation_id = ${conversationId}`.execute(
        trx,
      );
      return rows[0]!;
    });

  it('is recorded on the source, with what was wrong', async () => {
    const res = await post({ event: 'conversation_updated', id: conversationId, status: 'bogus' });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toBe(
      'webhook payload refused: status must be one of open, resolved, pending, snoozed',
    );
    const source = (await bound.session.request('GET', '/sources')).json().sources[0];
    expect(source.last_webhook_error).toEqual({
      message:
        'conversation_updated refused: status must be one of open, resolved, pending, snoozed',
      at: expect.any(String),
    });
  });

  it.each([
    [{ created_at: 'not a date' }, 'created_at'],
    [{ meta: { sender: { id: 'seven' } } }, 'meta.sender.id'],
    [{ inbox_id: 'two' }, 'inbox_id'],
  ])('refuses %j naming %s', async (patch, field) => {
    const before = await row();
    const res = await post({ event: 'conversation_updated', id: conversationId, ...patch });
    expect(res.statusCode).toBe(400);
    expect(res.json().details.fields[0].field).toBe(field);
    expect(await row()).toEqual(before);
  });

  it('applies a partial event to the fields it carries and leaves every other one', async () => {
    const before = await row();
    const res = await post({
      event: 'conversation_updated',
      id: conversationId,
      status: 'pending',
    });
    expect(res.json()).toMatchObject({ applied: true });
    expect(await row()).toEqual({ ...before, status: 'pending' });
    expect(before.inbox_id).not.toBeNull();
    expect(before.contact_global_id).not.toBeNull();
  });

  it('applies a partial message event without blanking the message or its chunks', async () => {
    const message = bound.sim.control.addMessage({
      conversationId,
      content: 'The revised palette goes to print on Thursday, after the proof is signed.',
      message_type: 'incoming',
    });
    const full = buildWebhookPayload(bound.sim, 'message_created', {
      conversationId,
      messageId: message.id as number,
    });
    expect((await post(full)).json()).toMatchObject({ applied: true });
    const partial = {
      event: 'message_updated',
      id: message.id,
      conversation: { id: conversationId },
      private: false,
    };
    expect((await post(partial)).json()).toMatchObject({ applied: true });
    const { rows } = await ctx.database.withScope(bound.scope, (trx) =>
      sql<{ content: string; sender_type: string; chunks: number }>`
        select m.content, m.sender_type,
               (select count(*)::int from rag_chunks k where k.message_global_id = m.id) as chunks
        from cw_messages m where m.project_id = ${bound.scope.projectId}::uuid and m.message_id = ${message.id as number}`.execute(
        trx,
      ),
    );
    expect(rows).toEqual([{ content: full.content, sender_type: 'Contact', chunks: 1 }]);
  });
});

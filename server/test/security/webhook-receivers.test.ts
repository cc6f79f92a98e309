import { randomBytes } from 'node:crypto';
import { buildWebhookPayload, signedDelivery, type SignedDelivery } from '@cairn/chatwoot-sim';
import {
  buildWebhookPayload as buildLinearPayload,
  linearSignedDelivery,
  type LinearSignedDelivery,
} from '@cairn/linear-sim';
import { attioSignedDelivery, type AttioSignedDelivery } from '@cairn/attio-sim';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashUnsubscribeToken } from '../../src/modules/outbound/unsubscribe.js';
import { bindSim, WEBHOOK_SECRET, type Bound } from '../chatwoot/harness.js';
import {
  bindLinearSource,
  LINEAR_WEBHOOK_SECRET,
  type LinearBound,
} from '../connectors/linear/harness.js';
import { bindAttioSim, type AttioBound } from '../connectors/attio/harness.js';
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
  /**
   * Signed receivers: deliveries that must not authenticate (a tampered body, a wrong signature,
   * a stale timestamp), each a 401 that writes nothing, receipts included.
   */
  forged?(): Promise<{ state: () => Promise<unknown>; sends: [string, () => Promise<Res>][] }>;
}

/** Rows the receipts table holds for one endpoint: a refused delivery leaves none. */
const receiptCount = async (receiver: string, endpointId: string) => {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from webhook_receipts
    where receiver = ${receiver} and endpoint_id = ${endpointId}::uuid`.execute(ctx.database.db);
  return rows[0]!.n;
};

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
    async forged() {
      const message = bound.sim.control.addMessage({
        conversationId,
        content: 'A forged version must never be stored, whatever its signature says.',
        message_type: 'incoming',
      });
      const messageId = message.id as number;
      const payload = buildWebhookPayload(bound.sim, 'message_created', {
        conversationId,
        messageId,
      });
      const good = signedDelivery(WEBHOOK_SECRET, payload);
      const stale = Math.floor(Date.now() / 1000) - 3600;
      return {
        state: async () => [
          await content(messageId),
          await receiptCount('chatwoot', bound.sourceId),
        ],
        sends: [
          [
            'a tampered body',
            () => post({ ...good, body: good.body.replace('forged', 'genuine') }),
          ],
          ['a wrong signature', () => post(signedDelivery('not-the-secret-000000', payload))],
          [
            'a stale timestamp',
            () => post(signedDelivery(WEBHOOK_SECRET, payload, { timestamp: stale })),
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

function linearReceiver(): ReceiverRow {
  let bound: LinearBound & { sourceId: string };
  let issueId: string;
  const post = (delivery: LinearSignedDelivery) =>
    ctx.app.inject({
      method: 'POST',
      url: `/webhooks/linear/${bound.sourceId}`,
      headers: delivery.headers,
      payload: delivery.body,
    });
  const sign = (payload: Record<string, unknown>) =>
    linearSignedDelivery(LINEAR_WEBHOOK_SECRET, payload);
  const issue = () =>
    ctx.database.withScope(bound.scope, async (trx) => {
      const { rows } = await sql<{ title: string; chunk: string | null }>`
        select i.title, (select string_agg(k.text, '|') from rag_chunks k
          where k.project_id = i.project_id and k.message_global_id = 'lin:' || i.project_id || ':' || i.id) as chunk
        from lin_issues i where i.project_id = ${bound.scope.projectId}::uuid and i.id = ${issueId}`.execute(
        trx,
      );
      return rows;
    });

  return {
    name: 'Linear (POST /webhooks/linear/:source_id)',
    async setup() {
      bound = await bindLinearSource(ctx, 'webhook-receivers-linear');
      await bound.sync();
      issueId = ([...bound.sim.control.groundTruth.issues()][3] as { id: string }).id;
    },
    async teardown() {
      await bound?.sim.stop();
    },
    async replays() {
      bound.sim.control.editIssue(issueId, {
        title: 'First version: the logo files are due Friday',
      });
      const first = sign(buildLinearPayload(bound.sim, 'Issue', 'update', issueId));
      expect((await post(first)).json()).toMatchObject({ applied: true });
      bound.sim.control.editIssue(issueId, {
        title: 'Second version: the logo files are due Monday',
      });
      const second = sign(buildLinearPayload(bound.sim, 'Issue', 'update', issueId));
      expect((await post(second)).json()).toMatchObject({ applied: true });
      const signature = first.headers['linear-signature']!;
      const { 'linear-delivery': _id, ...withoutDelivery } = first.headers;
      return {
        // Re-applying the first delivery would bring the first title back.
        state: issue,
        resend: [
          ['the identical request', () => post(first)],
          [
            'a new Linear-Delivery',
            () =>
              post({
                ...first,
                headers: { ...first.headers, 'linear-delivery': crypto.randomUUID() },
              }),
          ],
          ['no Linear-Delivery', () => post({ ...first, headers: withoutDelivery })],
          [
            'the signature in upper-case hex',
            () =>
              post({
                ...first,
                headers: { ...withoutDelivery, 'linear-signature': signature.toUpperCase() },
              }),
          ],
        ],
      };
    },
    async forged() {
      bound.sim.control.editIssue(issueId, { title: 'A forged title must never be stored' });
      const payload = buildLinearPayload(bound.sim, 'Issue', 'update', issueId);
      const good = sign(payload);
      return {
        state: async () => [await issue(), await receiptCount('linear', bound.sourceId)],
        sends: [
          [
            'a tampered body',
            () => post({ ...good, body: good.body.replace('forged', 'genuine') }),
          ],
          ['a wrong signature', () => post(linearSignedDelivery('not-the-secret-000000', payload))],
          [
            'a stale timestamp',
            () => post(sign({ ...payload, webhookTimestamp: Date.now() - 61_000 })),
          ],
        ],
      };
    },
    async garbage() {
      const payload = buildLinearPayload(bound.sim, 'Issue', 'update', issueId);
      const data = payload.data as Record<string, unknown>;
      return {
        send: () => post(sign({ ...payload, data: { ...data, state: { name: 'Done' } } })),
        state: issue,
        field: 'data.state.type',
      };
    },
    async nul() {
      bound.sim.control.editIssue(issueId, {
        title: 'Invoice attached\u0000 please confirm the total before Friday',
      });
      const payload = buildLinearPayload(bound.sim, 'Issue', 'update', issueId);
      return {
        send: () => post(sign(payload)),
        stored: async () => (await issue()).map((r) => r.title),
        expected: ['Invoice attached\uFFFD please confirm the total before Friday'],
      };
    },
  };
}

const ATTIO_WEBHOOK_SECRET = 'att-wh-secret-receivers-6Hc4Rk9Ys2';

function attioReceiver(): ReceiverRow {
  let bound: AttioBound;
  let sourceId: string;
  let noteId: string;
  const post = (delivery: AttioSignedDelivery) =>
    ctx.app.inject({
      method: 'POST',
      url: `/webhooks/attio/${sourceId}`,
      headers: delivery.headers,
      payload: delivery.body,
    });
  const sign = (events: Record<string, unknown>[], idempotencyKey?: string) =>
    attioSignedDelivery(
      ATTIO_WEBHOOK_SECRET,
      { webhook_id: 'wh-receivers', events },
      { idempotencyKey },
    );
  const noteEvent = () => bound.sim.control.buildWebhookEvent('note.updated', noteId);
  const note = () =>
    ctx.database.withScope(bound.scope, async (trx) => {
      const { rows } = await sql<{ title: string; chunk: string | null }>`
        select n.title, (select string_agg(k.text, '|') from rag_chunks k
          where k.project_id = n.project_id and k.message_global_id = 'atn:' || n.project_id || ':' || n.id) as chunk
        from att_notes n where n.project_id = ${bound.scope.projectId}::uuid and n.id = ${noteId}`.execute(
        trx,
      );
      return rows;
    });

  return {
    name: 'Attio (POST /webhooks/attio/:source_id)',
    async setup() {
      bound = await bindAttioSim(ctx, 'webhook-receivers-attio');
      const res = await bound.session.request('POST', '/sources', {
        source_kind: 'attio_workspace',
        base_url: bound.sim.url,
        api_token: bound.sim.token,
        webhook_secret: ATTIO_WEBHOOK_SECRET,
      });
      expect(res.statusCode, res.body).toBe(201);
      sourceId = res.json().source.id;
      await bound.sync();
      noteId = ([...bound.sim.control.groundTruth.notes()][3] as { id: { note_id: string } }).id
        .note_id;
    },
    async teardown() {
      await bound?.sim.stop();
    },
    async replays() {
      bound.sim.control.editNote(noteId, { title: 'First version: the logo files are due Friday' });
      const first = sign([noteEvent()]);
      expect((await post(first)).json()).toMatchObject({ applied: true });
      bound.sim.control.editNote(noteId, {
        title: 'Second version: the logo files are due Monday',
      });
      const second = sign([noteEvent()]);
      expect((await post(second)).json()).toMatchObject({ applied: true });
      const signature = first.headers['attio-signature']!;
      const { 'attio-signature': _s, ...withoutSignature } = first.headers;
      // Events carry ids only, so a genuine second event on the same note can be byte for byte the
      // first; Attio's Idempotency-Key is what tells them apart (connectors/attio/webhook.ts), and
      // a replay under a fresh key re-reads the current state, changing nothing (tested in
      // test/connectors/attio/webhooks.test.ts). The receipt count shows a replay was dropped.
      return {
        state: async () => [await note(), await receiptCount('attio', sourceId)],
        resend: [
          ['the identical request', () => post(first)],
          [
            'the signature in upper-case hex, X-Attio-Signature only',
            () =>
              post({
                ...first,
                headers: { ...withoutSignature, 'x-attio-signature': signature.toUpperCase() },
              }),
          ],
        ],
      };
    },
    async forged() {
      bound.sim.control.editNote(noteId, { title: 'A forged title must never be stored' });
      const events = [noteEvent()];
      const good = sign(events);
      return {
        state: async () => [await note(), await receiptCount('attio', sourceId)],
        sends: [
          [
            'a tampered body',
            () => post({ ...good, body: good.body.replace('wh-receivers', 'wh-receiverz') }),
          ],
          [
            'a wrong signature',
            () =>
              post(
                attioSignedDelivery('not-the-secret-000000', {
                  webhook_id: 'wh-receivers',
                  events,
                }),
              ),
          ],
          [
            'no signature',
            () =>
              post({
                ...good,
                headers: { 'content-type': 'application/json' },
              }),
          ],
        ],
      };
    },
    async garbage() {
      const event = noteEvent();
      return {
        send: () => post(sign([{ event_type: event.event_type, actor: event.actor }])),
        state: async () => [await note(), await receiptCount('attio', sourceId)],
        field: 'events.0.id',
      };
    },
    async nul() {
      bound.sim.control.editNote(noteId, {
        title: 'Invoice attached\u0000 please confirm the total before Friday',
      });
      return {
        send: () => post(sign([{ ...noteEvent(), webhook_note: 'nul\u0000here' }])),
        stored: async () => (await note()).map((r) => r.title),
        expected: ['Invoice attached\uFFFD please confirm the total before Friday'],
      };
    },
  };
}

const RECEIVERS = [chatwootReceiver(), linearReceiver(), attioReceiver(), unsubscribeReceiver()];

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

  it.runIf(receiver.forged)(
    'answers 401 to a tampered body, a wrong signature or a stale timestamp, writing nothing',
    async () => {
      const { state, sends } = await receiver.forged!();
      const before = await state();
      for (const [label, send] of sends) {
        const res = await send();
        expect(res.statusCode, `${label}: ${res.body}`).toBe(401);
        expect(res.json(), label).toMatchObject({ ok: false, error: 'invalid_signature' });
        expect(await state(), label).toEqual(before);
      }
    },
  );

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

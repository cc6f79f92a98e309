import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sim } from '../src/index.js';
import { accountPath, api, crawlConversations, startTinySim, type Json } from './helpers.js';

let sim: Sim;
beforeAll(async () => {
  sim = await startTinySim({ seed: 'control' });
});
afterAll(async () => {
  await sim.stop();
});

async function openConversationId(): Promise<number> {
  const { body } = await api(sim, accountPath(sim, '/conversations?status=open'));
  return body['data']['payload'][0]['id'] as number;
}

async function messages(conversationId: number, query = ''): Promise<Json[]> {
  return (await api(sim, accountPath(sim, `/conversations/${conversationId}/messages${query}`)))
    .body['payload'] as Json[];
}

describe('control operations show through the API', () => {
  it('adds a message with the next id, visible after the last cursor, and bumps the conversation', async () => {
    const { items } = await crawlConversations(sim);
    const oldest = items[items.length - 1]!;
    const lastId = sim.control.stats().lastMessageId;
    const known = await messages(oldest['id']);
    const added: Json = sim.control.addMessage({
      conversationId: oldest['id'],
      content: 'Пришлите, пожалуйста, макеты в PDF',
      message_type: 'incoming',
    });
    expect(added['id']).toBe(lastId + 1);
    expect(added['message_type']).toBe(0);
    expect(added['sender']['type']).toBe('contact');
    const after = await messages(oldest['id'], `?after=${known[known.length - 1]!['id']}`);
    expect(after.map((m) => m['id'])).toEqual([added['id']]);

    const recent = await api(sim, accountPath(sim, '/conversations?status=all&updated_within=60'));
    expect(recent.body['data']['payload'].map((c: Json) => c['id'])).toContain(oldest['id']);
    const first = await api(sim, accountPath(sim, '/conversations?status=all'));
    expect(first.body['data']['payload'][0]['id']).toBe(oldest['id']);
    expect(first.body['data']['payload'][0]['updated_at']).toBeGreaterThan(Date.now() / 1000 - 60);
  });

  it('edits a generated message in place', async () => {
    const id = await openConversationId();
    const target = (await messages(id)).find((m) => m['message_type'] === 1)!;
    sim.control.editMessage(target['id'], 'Исправленный текст про макет');
    const reread = (await messages(id)).find((m) => m['id'] === target['id'])!;
    expect(reread['content']).toBe('Исправленный текст про макет');
    const truth = [...sim.control.groundTruth.messages({ conversationId: id })].find(
      (m) => m['id'] === target['id'],
    )!;
    expect(truth['content']).toBe('Исправленный текст про макет');
  });

  it('deletes a message the way Chatwoot does: it stays, blanked and flagged', async () => {
    const id = await openConversationId();
    const target = (await messages(id))[0]!;
    sim.control.deleteMessage(target['id']);
    const reread = (await messages(id, '?after=0')).find((m) => m['id'] === target['id'])!;
    expect(reread['content']).toBe('This message was deleted');
    expect(reread['content_attributes']).toEqual({ deleted: true });
    expect(reread).not.toHaveProperty('attachments');
  });

  it('changes status: leaves the open list, records an activity, shows in updated_within', async () => {
    const id = await openConversationId();
    sim.control.setConversationStatus(id, 'resolved');
    const open = await crawlConversations(sim, 'status=open');
    expect(open.items.map((c) => c['id'])).not.toContain(id);
    const resolved = await crawlConversations(sim, 'status=resolved');
    expect(resolved.items.map((c) => c['id'])).toContain(id);
    const last = (await messages(id)).at(-1)!;
    expect(last['message_type']).toBe(2);
    expect(last['content']).toBe('Conversation was marked resolved by Анна Смирнова');
    expect(last).not.toHaveProperty('sender');
    const shown = await api(sim, accountPath(sim, `/conversations/${id}`));
    expect(shown.body['status']).toBe('resolved');
    expect(shown.body['waiting_since']).toBe(0);
  });

  it('adds a conversation with a new contact that only meta.sender reveals', async () => {
    const before = sim.control.stats();
    const item: Json = sim.control.addConversation({
      contact: { name: 'Telegram Visitor' },
      inboxId: 2,
      content: 'Hi, need a logo',
    });
    expect(item['id']).toBe(before.conversations + 1);
    expect(item['status']).toBe('open');
    expect(item['meta']['sender']['name']).toBe('Telegram Visitor');
    const shown = await api(sim, accountPath(sim, `/conversations/${item['id']}`));
    expect(shown.body['messages'][0]['content']).toBe('Hi, need a logo');
    const contacts = await api(sim, accountPath(sim, '/contacts?sort=-created_at'));
    expect(contacts.body['payload'].map((c: Json) => c['name'])).not.toContain('Telegram Visitor');
    expect(sim.control.stats().conversations).toBe(before.conversations + 1);
  });

  it('is reachable over HTTP under /__sim/', async () => {
    const id = await openConversationId();
    const response = await fetch(`${sim.url}/__sim/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        conversationId: id,
        content: 'via http',
        message_type: 'outgoing',
        private: true,
      }),
    });
    const created = (await response.json()) as Json;
    expect(created['private']).toBe(true);
    expect((await messages(id)).at(-1)!['content']).toBe('via http');
    const stats = (await (await fetch(`${sim.url}/__sim/stats`)).json()) as Json;
    expect(stats['addedMessages']).toBeGreaterThan(0);
    const missing = await fetch(`${sim.url}/__sim/messages/99999999`, { method: 'DELETE' });
    expect(missing.status).toBe(404);
    const truth = await (
      await fetch(`${sim.url}/__sim/ground-truth/messages?conversationId=${id}`)
    ).text();
    expect(
      truth
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as Json)['id']),
    ).toEqual([...sim.control.groundTruth.messages({ conversationId: id })].map((m) => m['id']));
  });
});

describe('creating messages through the Application API', () => {
  it('answers 200 with the message and echo_id, lists it, and records it as sent', async () => {
    const id = await openConversationId();
    const { status, body } = await api(sim, accountPath(sim, `/conversations/${id}/messages`), {
      method: 'POST',
      json: {
        content: 'Отправляем финальные макеты',
        message_type: 'outgoing',
        private: false,
        echo_id: 'cairn-42',
      },
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      content: 'Отправляем финальные макеты',
      message_type: 1,
      private: false,
      status: 'sent',
      echo_id: 'cairn-42',
    });
    expect(body['sender']).toMatchObject({ id: 2, type: 'user' });
    const listed = (await messages(id)).at(-1)!;
    expect(listed['id']).toBe(body['id']);
    // echo_id is not a column in Chatwoot: only the create response carries it.
    expect(listed).not.toHaveProperty('echo_id');
    expect(sim.control.listSentMessages().at(-1)).toMatchObject({
      conversationId: id,
      messageId: body['id'],
      echoId: 'cairn-42',
    });
  });

  it('rejects incoming messages outside API inboxes and digit strings as message_type with 422', async () => {
    const { items } = await crawlConversations(sim);
    const widget = items.find((c) => c['inbox_id'] === 1)!;
    const incoming = await api(sim, accountPath(sim, `/conversations/${widget['id']}/messages`), {
      method: 'POST',
      json: { content: 'x', message_type: 'incoming' },
    });
    expect(incoming).toMatchObject({
      status: 422,
      body: { error: 'Incoming messages are only allowed in Api inboxes' },
    });
    const digit = await api(sim, accountPath(sim, `/conversations/${widget['id']}/messages`), {
      method: 'POST',
      json: { content: 'x', message_type: '1' },
    });
    expect(digit.status).toBe(422);
    const long = await api(sim, accountPath(sim, `/conversations/${widget['id']}/messages`), {
      method: 'POST',
      json: { content: 'я'.repeat(150_001) },
    });
    expect(long.body['error']).toBe(
      'Validation failed: Content is too long (maximum is 150000 characters)',
    );
  });

  it('lets an incoming message into an API inbox reopen a resolved conversation', async () => {
    const item: Json = sim.control.addConversation({
      contact: { name: 'CRM Client', identifier: 'crm-1' },
      inboxId: 5,
      status: 'resolved',
    });
    const { status, body } = await api(
      sim,
      accountPath(sim, `/conversations/${item['id']}/messages`),
      { method: 'POST', json: { content: 'Снова нужен макет', message_type: 'incoming' } },
    );
    expect(status).toBe(200);
    expect(body['sender']['type']).toBe('contact');
    const shown = await api(sim, accountPath(sim, `/conversations/${item['id']}`));
    expect(shown.body['status']).toBe('open');
  });
});

describe('planting content a client must survive', () => {
  it('serves a message planted over /__sim/messages with NUL and an unpaired surrogate exactly as given', async () => {
    const conversationId = await openConversationId();
    const content = 'Total\u0000 due \ud83d Friday';
    const res = await fetch(`${sim.url}/__sim/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ conversationId, content, message_type: 'incoming' }),
    });
    const planted = (await res.json()) as Json;
    const listed = await api(sim, accountPath(sim, `/conversations/${conversationId}/messages`));
    // JSON-escaped on the wire, as Rails renders them; the client decides what to keep.
    expect(listed.text).toContain('Total\\u0000 due \\ud83d Friday');
    expect(listed.body['payload'].find((m: Json) => m['id'] === planted['id'])['content']).toBe(
      content,
    );
    expect(
      sim.control.buildWebhookPayload('message_created', {
        conversationId,
        messageId: planted['id'] as number,
      })['content'],
    ).toBe(content);
  });
});

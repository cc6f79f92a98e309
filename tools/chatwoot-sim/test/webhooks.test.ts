import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildWebhookPayload, signedDelivery, signWebhook, type Sim } from '../src/index.js';
import { readReference, startTinySim, type Json } from './helpers.js';

interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
  body: Json;
}

let receiver: Server;
let received: Received[] = [];
let sim: Sim;
const SECRET = 'wS4n8GQk2hXb7TzLm3Pq9RvY';

/** What Cairn's receiver must do: HMAC over "<timestamp>.<raw body>", constant-time compare. */
function verifies(secret: string, headers: IncomingHttpHeaders, raw: string): boolean {
  const timestamp = String(headers['x-chatwoot-timestamp']);
  const expected = Buffer.from(
    `sha256=${createHmac('sha256', secret).update(`${timestamp}.${raw}`).digest('hex')}`,
  );
  const given = Buffer.from(String(headers['x-chatwoot-signature']));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

beforeAll(async () => {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      received.push({ headers: request.headers, raw, body: JSON.parse(raw) as Json });
      response.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const { port } = receiver.address() as AddressInfo;
  sim = await startTinySim({
    seed: 'hooks',
    webhook: { url: `http://127.0.0.1:${port}/hooks/chatwoot`, secret: SECRET },
  });
});
beforeEach(() => {
  received = [];
});
afterAll(async () => {
  await sim.stop();
  await new Promise((resolve) => receiver.close(resolve));
});

/** Arrival order is not guaranteed (Chatwoot sends from background jobs): sort by emission. */
async function deliveries(): Promise<Received[]> {
  await sim.control.flushWebhooks();
  const order = new Map(sim.control.webhookDeliveries().map((d, index) => [d.deliveryId, index]));
  return [...received].sort(
    (a, b) =>
      order.get(String(a.headers['x-chatwoot-delivery']))! -
      order.get(String(b.headers['x-chatwoot-delivery']))!,
  );
}

describe('webhooks', () => {
  it('delivers message_created signed like Chatwoot v4.12+, in the example shape', async () => {
    sim.control.addMessage({
      conversationId: 5,
      content: 'Добрый день! Можно ещё добавить в бриф раздел про фирменные цвета?',
      message_type: 'incoming',
    });
    const [delivery] = await deliveries();
    expect(delivery).toBeDefined();
    const { headers, raw, body } = delivery!;
    expect(headers['content-type']).toBe('application/json');
    expect(headers['x-chatwoot-delivery']).toMatch(/^[0-9a-f-]{36}$/);
    expect(Math.abs(Number(headers['x-chatwoot-timestamp']) - Date.now() / 1000)).toBeLessThan(300);
    expect(verifies(SECRET, headers, raw)).toBe(true);
    expect(headers['x-chatwoot-signature']).toBe(
      signWebhook(SECRET, String(headers['x-chatwoot-timestamp']), raw),
    );

    const example = readReference<Json>('examples/webhook-message_created.json');
    expect(Object.keys(body)).toEqual(Object.keys(example));
    expect(Object.keys(body['conversation'])).toEqual(Object.keys(example['conversation']));
    expect(Object.keys(body['conversation']['meta'])).toEqual(
      Object.keys(example['conversation']['meta']),
    );
    expect(Object.keys(body['conversation']['contact_inbox'])).toEqual(
      Object.keys(example['conversation']['contact_inbox']),
    );
    expect(Object.keys(body['sender'])).toEqual(Object.keys(example['sender']));
    expect(body).toMatchObject({
      event: 'message_created',
      message_type: 'incoming',
      private: false,
    });
    expect(typeof body['created_at']).toBe('string');
    expect(body['conversation']['messages'][0]['message_type']).toBe(0);
  });

  it('rejects a tampered body or a wrong secret', async () => {
    sim.control.addMessage({ conversationId: 6, content: 'Original', message_type: 'outgoing' });
    const [delivery] = await deliveries();
    expect(verifies(SECRET, delivery!.headers, delivery!.raw.replace('Original', 'Tampered'))).toBe(
      false,
    );
    expect(verifies('another-secret', delivery!.headers, delivery!.raw)).toBe(false);
    expect(delivery!.body['sender']).toMatchObject({ type: 'user' });
  });

  it('sends conversation_status_changed with null changes and conversation_updated with the diff', async () => {
    sim.control.setConversationStatus(7, 'snoozed', { snoozedUntil: '2026-12-01T09:00:00.000Z' });
    const events = await deliveries();
    const names = events.map((d) => d.body['event']);
    expect(names).toEqual(['conversation_status_changed', 'conversation_updated']);
    expect(events[0]!.body['changed_attributes']).toBeNull();
    const updated = events[1]!.body;
    const example = readReference<Json>('examples/webhook-conversation_updated.json');
    expect(Object.keys(updated)).toEqual(Object.keys(example));
    const changedKeys = (updated['changed_attributes'] as Json[]).map(
      (change) => Object.keys(change)[0],
    );
    expect(changedKeys).toContain('status');
    expect(changedKeys).toContain('snoozed_until');
    expect(changedKeys.at(-1)).toBe('updated_at');
    expect(updated['status']).toBe('snoozed');
    expect(updated['snoozed_until']).toBe('2026-12-01T09:00:00.000Z');
    expect(events.every((d) => verifies(SECRET, d.headers, d.raw))).toBe(true);
  });

  it('sends conversation_updated with the assignee diff, like the reference example', async () => {
    const unassigned = [...sim.control.groundTruth.conversations()].find(
      (c) => !(c['meta'] as Json)['assignee'] && c['status'] === 'open',
    )!;
    sim.control.assignConversation(unassigned['id'] as number, 2);
    const [event] = await deliveries();
    expect(event!.body['event']).toBe('conversation_updated');
    expect(event!.body['changed_attributes'][0]).toEqual({
      assignee_id: { previous_value: null, current_value: 2 },
    });
    expect(event!.body['meta']['assignee']).toMatchObject({ id: 2, type: 'user' });
    expect(event!.body['meta']['assignee_type']).toBe('User');
  });

  it('sends message_updated for edits and deletions, never anything for activity', async () => {
    const message: Json = sim.control.addMessage({
      conversationId: 8,
      content: 'draft',
      message_type: 'outgoing',
    });
    sim.control.editMessage(message['id'], 'final');
    sim.control.deleteMessage(message['id']);
    sim.control.addMessage({
      conversationId: 8,
      content: 'Assigned to nobody',
      message_type: 'activity',
    });
    const events = (await deliveries()).filter((d) =>
      String(d.body['event']).startsWith('message_'),
    );
    expect(events.map((d) => [d.body['event'], d.body['content']])).toEqual([
      ['message_created', 'draft'],
      ['message_updated', 'final'],
      ['message_updated', 'This message was deleted'],
    ]);
  });

  it('sends contact_created, conversation_created and contact_updated', async () => {
    const item: Json = sim.control.addConversation({
      contact: { name: 'Новый клиент', email: 'new@client.example' },
      inboxId: 3,
    });
    sim.control.updateContact(item['meta']['sender']['id'], { phone_number: '+79990001122' });
    const events = await deliveries();
    expect(events.map((d) => d.body['event'])).toEqual([
      'contact_created',
      'conversation_created',
      'contact_updated',
    ]);
    expect(events[2]!.body['changed_attributes'][0]).toEqual({
      phone_number: { previous_value: null, current_value: '+79990001122' },
    });
    expect(events[0]!.body['account']).toEqual({ id: sim.accountId, name: 'Linia Design Studio' });
  });

  it('lets server tests craft signed and tampered deliveries', () => {
    const payload = buildWebhookPayload(sim, 'message_created', {
      conversationId: 3,
      messageId: [...sim.control.groundTruth.messages({ conversationId: 3 })][0]!['id'] as number,
    });
    expect(payload['event']).toBe('message_created');
    const signed = signedDelivery(SECRET, payload, { timestamp: 1_782_115_200 });
    expect(signed.headers['x-chatwoot-timestamp']).toBe('1782115200');
    expect(verifies(SECRET, signed.headers, signed.body)).toBe(true);
    expect(
      verifies(SECRET, { ...signed.headers, 'x-chatwoot-timestamp': '1782115201' }, signed.body),
    ).toBe(false);
  });

  it('starts delivering when a webhook is configured later, with the seeded secret by default', async () => {
    const quiet = await startTinySim({ seed: 'hooks-late' });
    try {
      quiet.control.addMessage({ conversationId: 2, content: 'before', message_type: 'outgoing' });
      const { port } = receiver.address() as AddressInfo;
      const secret = quiet.control.configureWebhook(`http://127.0.0.1:${port}/late`);
      expect(secret).toBe(quiet.webhookSecret);
      expect(secret).toMatch(/^[1-9A-HJ-NP-Za-km-z]{24}$/);
      quiet.control.addMessage({ conversationId: 2, content: 'after', message_type: 'outgoing' });
      await quiet.control.flushWebhooks();
      const late = received.filter(
        (d) => d.body['content'] === 'after' || d.body['content'] === 'before',
      );
      expect(late.map((d) => d.body['content'])).toEqual(['after']);
      expect(verifies(secret, late[0]!.headers, late[0]!.raw)).toBe(true);
    } finally {
      await quiet.stop();
    }
  });

  it('does not retry a failed delivery', async () => {
    const failing = await startTinySim({
      seed: 'hooks',
      webhook: { url: 'http://127.0.0.1:9/unreachable', secret: SECRET },
    });
    try {
      failing.control.addMessage({ conversationId: 2, content: 'lost', message_type: 'outgoing' });
      await failing.control.flushWebhooks();
      const log = failing.control.webhookDeliveries();
      expect(log).toHaveLength(1);
      expect(log[0]!.error).not.toBeNull();
    } finally {
      await failing.stop();
    }
  });
});

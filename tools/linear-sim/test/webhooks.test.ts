import { LinearWebhookClient } from '@linear/sdk/webhooks';
import { startWebhookReceiver, type ReceivedDelivery, type WebhookReceiver } from '@cairn/studio';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  buildWebhookPayload,
  linearSignedDelivery,
  signLinearWebhook,
  type LinearSim,
} from '../src/index.js';
import { startTinySim, type Json } from './helpers.js';

const SECRET = 'lin_wh_test_secret_0123456789';
let receiver: WebhookReceiver;
let sim: LinearSim;

beforeAll(async () => {
  receiver = await startWebhookReceiver('/webhooks/linear');
  sim = await startTinySim({ seed: 'hooks', webhook: { url: receiver.url, secret: SECRET } });
});
beforeEach(() => {
  receiver.clear();
});
afterAll(async () => {
  await sim.stop();
  await receiver.close();
});

type Received = ReceivedDelivery & { body: Json };

async function deliveries(): Promise<Received[]> {
  await sim.control.flushWebhooks();
  const ids = sim.control.webhookDeliveries().map((d) => d.deliveryId);
  return receiver.inOrder(ids, 'linear-delivery') as Received[];
}

describe('webhooks', () => {
  it('delivers an Issue create signed as Linear signs it; @linear/sdk verifies it', async () => {
    const issue = sim.control.addIssue({ title: 'Запуск: лендинг', team: 'WEB' });
    const [delivery] = await deliveries();
    expect(delivery).toBeDefined();
    const { headers, raw, body } = delivery!;
    expect(headers['linear-event']).toBe('Issue');
    expect(headers['linear-delivery']).toMatch(/^[0-9a-f-]{36}$/);
    expect(headers['linear-signature']).toBe(signLinearWebhook(SECRET, raw));
    expect(
      new LinearWebhookClient(SECRET).verify(Buffer.from(raw), String(headers['linear-signature'])),
    ).toBe(true);
    expect(body).toMatchObject({
      action: 'create',
      type: 'Issue',
      url: issue['url'],
      organizationId: sim.organizationId,
      data: { id: issue['id'], title: 'Запуск: лендинг', identifier: issue['identifier'] },
    });
    expect(Math.abs((body['webhookTimestamp'] as number) - Date.now())).toBeLessThan(60_000);
    expect(typeof body['webhookId']).toBe('string');
  });

  it('sends update with updatedFrom holding the previous values, and remove with the last data', async () => {
    const issue = sim.control.addIssue({ title: 'Счёт №204', team: 'BRD' });
    sim.control.editIssue(issue['id'] as string, { title: 'Счёт №204: оплачен' });
    sim.control.deleteIssue(issue['id'] as string);
    const [, update, remove] = await deliveries();
    expect(update!.body['action']).toBe('update');
    expect(update!.body['updatedFrom']).toMatchObject({
      title: 'Счёт №204',
      updatedAt: issue['updatedAt'],
    });
    expect(remove!.body).toMatchObject({ action: 'remove', data: { id: issue['id'] } });
  });

  it('sends Comment create, update and remove', async () => {
    const issue = [...sim.control.groundTruth.issues({ includeArchived: false })][0]!;
    const comment = sim.control.addComment({
      issueId: issue['id'] as string,
      body: 'Макеты ушли клиенту',
    });
    sim.control.editComment(comment['id'] as string, 'Макеты ушли клиенту, ждём ответа');
    sim.control.deleteComment(comment['id'] as string);
    const events = await deliveries();
    expect(events.map((e) => [e.headers['linear-event'], e.body['action']])).toEqual([
      ['Comment', 'create'],
      ['Comment', 'update'],
      ['Comment', 'remove'],
    ]);
    expect(events[0]!.body['data']).toMatchObject({
      id: comment['id'],
      body: 'Макеты ушли клиенту',
      issueId: issue['id'],
    });
    expect(events[1]!.body['updatedFrom']).toMatchObject({ body: 'Макеты ушли клиенту' });
  });

  it('lets tests craft valid and tampered deliveries', () => {
    const issue = [...sim.control.groundTruth.issues()][0]!;
    const payload = buildWebhookPayload(sim, 'Issue', 'update', issue['id'] as string);
    const signed = linearSignedDelivery(SECRET, payload);
    const verifier = new LinearWebhookClient(SECRET);
    expect(verifier.verify(Buffer.from(signed.body), signed.headers['linear-signature']!)).toBe(
      true,
    );
    const tampered = signed.body.replace(String(issue['title']), 'Something else');
    expect(() =>
      verifier.verify(Buffer.from(tampered), signed.headers['linear-signature']!),
    ).toThrow();
    const old = linearSignedDelivery(SECRET, {
      ...payload,
      webhookTimestamp: Date.now() - 120_000,
    });
    expect(() => verifier.verify(Buffer.from(old.body), old.headers['linear-signature']!)).toThrow(
      /timestamp/,
    );
  });

  it('can be pointed elsewhere or stopped over HTTP', async () => {
    const response = await fetch(`${sim.url}/__sim/webhooks`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: null }),
    });
    expect(((await response.json()) as Json)['secret']).toBe(SECRET);
    sim.control.addIssue({ title: 'No delivery', team: 'BRD' });
    expect(await deliveries()).toEqual([]);
  });
});

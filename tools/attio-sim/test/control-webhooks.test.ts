import { startWebhookReceiver, type ReceivedDelivery, type WebhookReceiver } from '@cairn/studio';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { attioSignedDelivery, signAttioWebhook, type AttioSim } from '../src/index.js';
import { api, ctl, queryAll, startTinySim, type Json } from './helpers.js';

const SECRET = 'a'.repeat(64);
let receiver: WebhookReceiver;
let sim: AttioSim;
let hookUrl = '';

beforeAll(async () => {
  receiver = await startWebhookReceiver('/webhooks/attio');
  hookUrl = receiver.url;
  sim = await startTinySim({ seed: 'control', webhook: { url: hookUrl, secret: SECRET } });
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
  return receiver.inOrder(ids, 'idempotency-key') as Received[];
}

const objectId = async (slug: string) =>
  (await api(sim, `/v2/objects/${slug}`)).body['data']['id']['object_id'] as string;

describe('control API and webhooks', () => {
  it('adds a person the next listing returns, and sends record.created with ids only', async () => {
    const company = ([...sim.control.groundTruth.records('companies')] as Json[])[0]!;
    const person = ctl(sim).addPerson({
      name: 'Вера Белова',
      emails: ['Vera.Belova@Kofeinya-Zerno.example'],
      phones: [{ original: '8 (916) 555-12-34', e164: '+79165551234' }],
      companyId: company['id']['record_id'],
    });
    expect(person['values']['email_addresses'][0]).toMatchObject({
      original_email_address: 'Vera.Belova@Kofeinya-Zerno.example',
      email_address: 'vera.belova@kofeinya-zerno.example',
      email_domain: 'kofeinya-zerno.example',
    });
    const { records } = await queryAll(sim, 'people');
    expect(records.at(-1)).toEqual(person);
    const team = (await api(sim, `/v2/objects/companies/records/${company['id']['record_id']}`))
      .body;
    expect(team['data']['values']['team'].map((v: Json) => v['target_record_id'])).toContain(
      person['id']['record_id'],
    );

    const [delivery] = await deliveries();
    const { headers, raw, body } = delivery!;
    expect(headers['attio-signature']).toBe(signAttioWebhook(SECRET, raw));
    expect(headers['x-attio-signature']).toBe(headers['attio-signature']);
    expect(headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(body).toEqual({
      webhook_id: expect.any(String),
      events: [
        {
          event_type: 'record.created',
          id: {
            workspace_id: sim.workspaceId,
            object_id: await objectId('people'),
            record_id: person['id']['record_id'],
          },
          actor: { type: 'workspace-member', id: expect.any(String) },
        },
      ],
    });
  });

  it('updates values keeping history, one record.updated per changed attribute', async () => {
    const person = ([...sim.control.groundTruth.records('people')] as Json[])[0]!;
    const id = person['id']['record_id'] as string;
    const updated = ctl(sim).updateRecord('people', id, {
      jobTitle: 'Арт-директор',
      emails: person['values']['email_addresses'].map((v: Json) => v['original_email_address']),
    });
    expect(updated['values']['job_title']).toHaveLength(1);
    expect(updated['values']['job_title'][0]['value']).toBe('Арт-директор');
    const history = await api(
      sim,
      `/v2/objects/people/records/${id}/attributes/job_title/values?show_historic=true`,
    );
    expect(history.body['data'].at(-1)['value']).toBe('Арт-директор');
    const events = (await deliveries()).map((d) => d.body['events'][0]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ event_type: 'record.updated', id: { record_id: id } });
    expect(events[0]['id']['attribute_id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('moves a deal to Won and deletes a company (gone, 404, record.deleted)', async () => {
    const deal = ([...sim.control.groundTruth.records('deals')] as Json[])[0]!;
    const won = ctl(sim).updateRecord('deals', deal['id']['record_id'], { stage: 'Won 🎉' });
    expect(won['values']['stage'][0]['status']['title']).toBe('Won 🎉');
    const company = ctl(sim).addCompany({
      name: 'Lumen Labs Ltd',
      domains: ['lumen-labs.example'],
    });
    ctl(sim).deleteRecord('companies', company['id']['record_id']);
    const gone = await api(sim, `/v2/objects/companies/records/${company['id']['record_id']}`);
    expect(gone.status).toBe(404);
    const types = (await deliveries()).map((d) => d.body['events'][0]['event_type']);
    expect(types).toEqual(['record.updated', 'record.created', 'record.deleted']);
  });

  it('adds, edits and deletes notes: note.created, note-content.updated, note.deleted', async () => {
    const company = ([...sim.control.groundTruth.records('companies')] as Json[])[1]!;
    const note = ctl(sim).addNote({
      parentObject: 'companies',
      parentRecordId: company['id']['record_id'],
      title: 'Созвон',
      content: '# Созвон\n\n- макеты **одобрены**',
    });
    expect(note['content_plaintext']).toBe('Созвон\n\n- макеты одобрены');
    ctl(sim).editNote(note['id']['note_id'], {
      content: '# Созвон\n\n- макеты одобрены, ждём счёт',
    });
    const read = await api(sim, `/v2/notes/${note['id']['note_id']}`);
    expect(read.body['data']['content_markdown']).toBe('# Созвон\n\n- макеты одобрены, ждём счёт');
    ctl(sim).deleteNote(note['id']['note_id']);
    expect((await api(sim, `/v2/notes/${note['id']['note_id']}`)).status).toBe(404);
    const events = (await deliveries()).map((d) => d.body['events'][0]);
    expect(events.map((e) => e['event_type'])).toEqual([
      'note.created',
      'note-content.updated',
      'note.deleted',
    ]);
    expect(events[0]).toMatchObject({
      id: { note_id: note['id']['note_id'] },
      parent_object_id: await objectId('companies'),
      parent_record_id: company['id']['record_id'],
    });
  });

  it('adds, completes and deletes tasks', async () => {
    const company = ([...sim.control.groundTruth.records('companies')] as Json[])[2]!;
    const task = ctl(sim).addTask({
      content: 'Выставить счёт за упаковку',
      deadlineAt: '2026-12-10T12:00:00Z',
      linked: [{ object: 'companies', recordId: company['id']['record_id'] }],
    });
    expect(task['deadline_at']).toBe('2026-12-10T12:00:00.000000000Z');
    ctl(sim).updateTask(task['id']['task_id'], { isCompleted: true });
    expect(
      (await api(sim, `/v2/tasks/${task['id']['task_id']}`)).body['data']['is_completed'],
    ).toBe(true);
    ctl(sim).deleteTask(task['id']['task_id']);
    const types = (await deliveries()).map((d) => d.body['events'][0]['event_type']);
    expect(types).toEqual(['task.created', 'task.updated', 'task.deleted']);
  });

  it('delivers to webhooks registered through the API, honouring their subscription filters', async () => {
    const companies = await objectId('companies');
    const created = await api(sim, '/v2/webhooks', {
      json: {
        data: {
          target_url: hookUrl,
          subscriptions: [
            {
              event_type: 'note.created',
              filter: {
                $and: [{ field: 'parent_object_id', operator: 'equals', value: companies }],
              },
            },
          ],
        },
      },
    });
    const secret = created.body['data']['secret'] as string;
    const company = ([...sim.control.groundTruth.records('companies')] as Json[])[3]!;
    const person = ([...sim.control.groundTruth.records('people')] as Json[])[3]!;
    ctl(sim).addNote({
      parentObject: 'people',
      parentRecordId: person['id']['record_id'],
      title: 'x',
      content: 'x',
    });
    ctl(sim).addNote({
      parentObject: 'companies',
      parentRecordId: company['id']['record_id'],
      title: 'y',
      content: 'y',
    });
    const all = await deliveries();
    const viaApi = all.filter(
      (d) => d.body['webhook_id'] === created.body['data']['id']['webhook_id'],
    );
    expect(viaApi).toHaveLength(1);
    expect(viaApi[0]!.headers['attio-signature']).toBe(signAttioWebhook(secret, viaApi[0]!.raw));
    expect(viaApi[0]!.body['events'][0]['parent_record_id']).toBe(company['id']['record_id']);
    await api(sim, `/v2/webhooks/${created.body['data']['id']['webhook_id']}`, {
      method: 'DELETE',
    });
  });

  it('lets tests craft signed and tampered deliveries', () => {
    const note = ([...sim.control.groundTruth.notes()] as Json[])[0]!;
    const event = ctl(sim).buildWebhookEvent('note.updated', note['id']['note_id'] as string);
    const signed = attioSignedDelivery(SECRET, { webhook_id: 'w', events: [event] });
    expect(signed.headers['attio-signature']).toBe(signAttioWebhook(SECRET, signed.body));
    expect(signAttioWebhook(SECRET, signed.body.replace('note.updated', 'note.deleted'))).not.toBe(
      signed.headers['attio-signature'],
    );
  });

  it('is driven over HTTP under /__sim/ with 404 and 422 for bad requests', async () => {
    const response = await fetch(`${sim.url}/__sim/companies`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Harbor Dental', domains: ['harbordental-2.example'] }),
    });
    expect(response.status).toBe(200);
    const missing = await fetch(`${sim.url}/__sim/notes/00000000-0000-4000-8000-000000000000`, {
      method: 'DELETE',
    });
    expect(missing.status).toBe(404);
    const bad = await fetch(`${sim.url}/__sim/people`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'X', emails: ['not-an-email'] }),
    });
    expect(bad.status).toBe(422);
    const truth = (await (await fetch(`${sim.url}/__sim/studio-truth`)).json()) as Json;
    expect(truth['version']).toBe(1);
  });
});

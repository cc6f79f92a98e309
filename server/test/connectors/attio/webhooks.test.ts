import { attioSignedDelivery, type AttioSignedDelivery } from '@cairn/attio-sim';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../support/app.js';
import {
  attioChunks,
  bindAttioSim,
  differences,
  written,
  type AttioBound,
  type Json,
} from './harness.js';

/**
 * `POST /webhooks/attio/:source_id` against deliveries shaped as the simulator sends them (issue
 * 18, item 4): `Attio-Signature` over the raw body, events naming ids only (the receiver fetches
 * the entity), deletes removing rows and chunks, and the same delivery twice applied once.
 */

const ctx = useTestApp();
const SECRET = 'att-wh-secret-cairn-3Vn7Tx1Qb6';

describe('the Attio webhook receiver', { timeout: 60_000 }, () => {
  let bound: AttioBound;
  let sourceId: string;
  const post = (delivery: AttioSignedDelivery, id = sourceId) =>
    ctx.app.inject({
      method: 'POST',
      url: `/webhooks/attio/${id}`,
      headers: delivery.headers,
      payload: delivery.body,
    });
  const sign = (events: Json[], idempotencyKey?: string) =>
    attioSignedDelivery(SECRET, { webhook_id: 'wh-1', events }, { idempotencyKey });
  const noteRow = (id: string) =>
    ctx.database.withScope(bound.scope, async (trx) => {
      const { rows } = await sql<{ title: string }>`
        select title from att_notes
        where project_id = ${bound.scope.projectId}::uuid and id = ${id}`.execute(trx);
      return rows;
    });
  const noteChunk = async (id: string) =>
    (await attioChunks(ctx.database, bound.scope)).get(`atn:${bound.scope.projectId}:${id}`);

  beforeAll(async () => {
    bound = await bindAttioSim(ctx, 'attio-webhooks');
    const res = await bound.session.request('POST', '/sources', {
      source_kind: 'attio_workspace',
      base_url: bound.sim.url,
      api_token: bound.sim.token,
      webhook_secret: SECRET,
    });
    expect(res.statusCode, res.body).toBe(201);
    sourceId = res.json().source.id;
    await bound.sync();
  });
  afterAll(() => bound?.sim.stop());

  it('applies a signed note edit when the request returns; the next sync writes nothing', async () => {
    const note = [...bound.sim.control.groundTruth.notes()][3] as Json;
    const id = note.id.note_id as string;
    bound.sim.control.editNote(id, { title: 'Webhook-borne title: the pricing call' });
    const res = await post(sign([bound.sim.control.buildWebhookEvent('note.updated', id)]));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      ok: true,
      event: 'note.updated',
      applied: true,
      duplicate: false,
    });
    expect(await noteRow(id)).toEqual([{ title: 'Webhook-borne title: the pricing call' }]);
    expect(await noteChunk(id)).toContain('Webhook-borne title');
    expect(written(await bound.sync())).toBe(0);
  });

  it('a new record, note and task arrive by webhook exactly as the sync would store them', async () => {
    const company = bound.sim.control.addCompany({
      name: 'Webhook Works',
      domains: ['whw.example'],
    });
    const companyId = (company.id as Json).record_id as string;
    const note = bound.sim.control.addNote({
      parentObject: 'companies',
      parentRecordId: companyId,
      title: 'Kick-off',
      content: '# Kick-off\n\nAgreed the webhook-borne scope.',
    });
    const noteId = (note.id as Json).note_id as string;
    const task = bound.sim.control.addTask({
      content: 'Send the webhook-borne proposal',
      linked: [{ object: 'companies', recordId: companyId }],
    });
    const taskId = (task.id as Json).task_id as string;
    const res = await post(
      sign([
        bound.sim.control.buildWebhookEvent('record.created', companyId),
        bound.sim.control.buildWebhookEvent('note.created', noteId),
        bound.sim.control.buildWebhookEvent('task.created', taskId),
      ]),
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ applied: true, duplicate: false });
    expect(await differences(ctx.database, bound.scope, bound.sim)).toEqual({});
    expect(await noteChunk(noteId)).toContain('webhook-borne scope');
    expect(written(await bound.sync())).toBe(0);
  });

  it('deletes remove the row and its chunks', async () => {
    const note = [...bound.sim.control.groundTruth.notes()][5] as Json;
    const id = note.id.note_id as string;
    expect(await noteChunk(id)).toBeDefined();
    bound.sim.control.deleteNote(id);
    const res = await post(
      sign([
        { event_type: 'note.deleted', id: { workspace_id: bound.sim.workspaceId, note_id: id } },
      ]),
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ applied: true });
    expect(await noteRow(id)).toEqual([]);
    expect(await noteChunk(id)).toBeUndefined();
    expect(await differences(ctx.database, bound.scope, bound.sim)).toEqual({});
  });

  it('a record deleted in Attio goes with its notes', async () => {
    const person = [...bound.sim.control.groundTruth.records('people')][2] as Json;
    const id = person.id.record_id as string;
    const event = bound.sim.control.buildWebhookEvent('record.deleted', id);
    bound.sim.control.deleteRecord('people', id);
    const res = await post(sign([event]));
    expect(res.statusCode, res.body).toBe(200);
    expect(await differences(ctx.database, bound.scope, bound.sim, ['people', 'notes'])).toEqual(
      {},
    );
  });

  it('the same delivery twice is applied once; a tampered body or wrong signature is 401 and writes nothing', async () => {
    const note = [...bound.sim.control.groundTruth.notes()][7] as Json;
    const id = note.id.note_id as string;
    bound.sim.control.editNote(id, { title: 'Replayed title' });
    const delivery = sign([bound.sim.control.buildWebhookEvent('note.updated', id)], 'idem-1');
    expect((await post(delivery)).json()).toMatchObject({ applied: true, duplicate: false });
    expect((await post(delivery)).json()).toMatchObject({ applied: false, duplicate: true });
    // Attio's retry: the same Idempotency-Key, the body signed again.
    const retry = sign([bound.sim.control.buildWebhookEvent('note.updated', id)], 'idem-1');
    expect((await post(retry)).json()).toMatchObject({ duplicate: true });

    // A genuine second edit: the same bytes (ids only), a new Idempotency-Key; applied.
    bound.sim.control.editNote(id, { title: 'Second genuine title' });
    const second = sign([bound.sim.control.buildWebhookEvent('note.updated', id)], 'idem-2');
    expect(second.body).toBe(delivery.body);
    expect((await post(second)).json()).toMatchObject({ applied: true, duplicate: false });
    expect(await noteRow(id)).toEqual([{ title: 'Second genuine title' }]);
    // A replay of the first under a fresh key re-reads the current note: nothing changes.
    expect(
      (await post({ ...delivery, headers: { ...delivery.headers, 'idempotency-key': 'idem-3' } }))
        .statusCode,
    ).toBe(200);
    expect(await noteRow(id)).toEqual([{ title: 'Second genuine title' }]);

    bound.sim.control.editNote(id, { title: 'Tampered title' });
    const good = sign([bound.sim.control.buildWebhookEvent('note.updated', id)]);
    const tampered = { ...good, body: good.body.replace('note.updated', 'note.updatee') };
    expect((await post(tampered)).statusCode).toBe(401);
    const wrong = attioSignedDelivery('another-secret-of-length', JSON.parse(good.body) as Json);
    expect((await post(wrong)).statusCode).toBe(401);
    const unsigned = { ...good, headers: { 'content-type': 'application/json' } };
    expect((await post(unsigned)).statusCode).toBe(401);
    expect(await noteRow(id)).toEqual([{ title: 'Second genuine title' }]);
    // An unknown source is 401 too.
    expect((await post(good, '00000000-0000-4000-8000-000000000000')).statusCode).toBe(401);
  });

  it('an event of another workspace is refused naming the field', async () => {
    const note = [...bound.sim.control.groundTruth.notes()][8] as Json;
    const event = bound.sim.control.buildWebhookEvent('note.updated', note.id.note_id as string);
    const res = await post(sign([{ ...event, id: { ...(event.id as Json), workspace_id: 'x' } }]));
    expect(res.statusCode).toBe(400);
    expect(res.json().details.fields[0].field).toBe('events.0.id.workspace_id');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNC_ORDER } from '../../../src/modules/connectors/attio/sync-attio.js';
import { useTestApp } from '../../support/app.js';
import {
  attioChunks,
  bindAttioSim,
  differences,
  storedState,
  truthItems,
  written,
  type AttioBound,
  type Json,
} from './harness.js';

const ctx = useTestApp();

describe('syncAttio against the simulator', { timeout: 60_000 }, () => {
  let bound: AttioBound;
  beforeAll(async () => {
    bound = await bindAttioSim(ctx, 'cairn-attio-sync');
  });
  afterAll(async () => bound?.sim.stop());

  it('first sync stores exactly the simulator entities, ids, counts and content', async () => {
    const counts = await bound.sync();
    expect(counts.workspace_id).toBe(bound.sim.workspaceId);
    expect(counts.scoped).toBe(false);
    expect(await differences(ctx.database, bound.scope, bound.sim)).toEqual({});
    const stats = bound.sim.control.stats();
    const expected = {
      members: stats.workspaceMembers,
      companies: stats.companies,
      people: stats.people,
      deals: stats.deals,
      notes: stats.notes,
      tasks: stats.tasks,
    };
    for (const kind of SYNC_ORDER) {
      expect(counts.kinds[kind].inserted, kind).toBe(expected[kind]);
      expect((await storedState(ctx.database, bound.scope, kind)).length, kind).toBe(
        expected[kind],
      );
    }
    // Notes come 50 a page (the default would silently give 10): the tiny studio has 60.
    expect(stats.notes).toBeGreaterThan(50);
    const notePages = bound.sim.control.requests({ route: 'notes' });
    expect(notePages.map((r) => new URL(r.url, 'http://x').searchParams.get('limit'))).toEqual([
      '50',
      '50',
    ]);

    // Every note and task has its chunk, ids in the seed's style.
    const chunks = await attioChunks(ctx.database, bound.scope);
    const p = bound.scope.projectId;
    for (const note of truthItems(bound.sim, 'notes'))
      expect(chunks.get(`atn:${p}:${note['id']['note_id']}`)).toContain(note['title'].trim());
    for (const task of truthItems(bound.sim, 'tasks'))
      expect(chunks.get(`att:${p}:${task['id']['task_id']}`)).toContain(
        task['content_plaintext'].trim().slice(0, 20),
      );
    expect(chunks.size).toBe(stats.notes + stats.tasks);
  });

  it('stores deals with stage, value, owner and associations; people with emails and company', async () => {
    const deal = truthItems(bound.sim, 'deals').find(
      (d) => d['values']['associated_people'].length > 0 && d['values']['owner'].length > 0,
    )!;
    const person = truthItems(bound.sim, 'people').find(
      (d) => d['values']['company'].length > 0 && d['values']['email_addresses'].length > 0,
    )!;
    const rows = await ctx.database.withScope(bound.scope, async (trx) => ({
      deal: await trx
        .selectFrom('att_deals')
        .selectAll()
        .where('id', '=', deal['id']['record_id'])
        .executeTakeFirstOrThrow(),
      person: await trx
        .selectFrom('att_people')
        .selectAll()
        .where('id', '=', person['id']['record_id'])
        .executeTakeFirstOrThrow(),
    }));
    const v = deal['values'];
    expect(rows.deal).toMatchObject({
      stage: v['stage'][0]['status']['title'],
      currency: v['value'][0]['currency_code'],
      owner_member_id: v['owner'][0]['referenced_actor_id'],
      company_id: v['associated_company'][0]?.['target_record_id'] ?? null,
      people_ids: v['associated_people'].map((p: Json) => p['target_record_id']),
      web_url: deal['web_url'],
    });
    expect(Number(rows.deal.value)).toBe(v['value'][0]['currency_value']);
    expect(rows.person).toMatchObject({
      name: person['values']['name'][0]['full_name'],
      emails: person['values']['email_addresses'].map((e: Json) => e['email_address']),
      company_id: person['values']['company'][0]['target_record_id'],
    });
  });

  it('POST /search finds an Attio note and links to its parent record', async () => {
    const note = truthItems(bound.sim, 'notes')[4]!;
    const parent = truthItems(bound.sim, note['parent_object']).find(
      (r) => r['id']['record_id'] === note['parent_record_id'],
    )!;
    const res = await bound.session.request('POST', '/search', { query: note['title'], topK: 10 });
    expect(res.statusCode).toBe(200);
    const hits = res.json().hits as {
      source: string;
      deep_link: string;
      message_global_id: string;
    }[];
    const hit = hits.find(
      (h) => h.message_global_id === `atn:${bound.scope.projectId}:${note['id']['note_id']}`,
    );
    expect(hit).toMatchObject({ source: 'attio', deep_link: parent['web_url'] });
  });

  it('a second sync with no changes writes nothing', async () => {
    const counts = await bound.sync();
    expect(written(counts)).toBe(0);
    expect(counts.kinds.notes.read).toBe(bound.sim.control.stats().notes);
  });

  it('reflects exactly adds, edits and deletes made through the control API, chunks included', async () => {
    const { control } = bound.sim;
    const companies = truthItems(bound.sim, 'companies');
    const people = truthItems(bound.sim, 'people');
    const notes = truthItems(bound.sim, 'notes');
    const tasks = truthItems(bound.sim, 'tasks');
    const company = companies[0]!['id']['record_id'] as string;

    const added = control.addPerson({
      name: 'Ада Лавлейс',
      emails: ['ada@analytical.example'],
      companyId: company,
    }) as Json;
    const note = control.addNote({
      parentObject: 'companies',
      parentRecordId: company,
      title: 'Созвон про редизайн',
      content: '# Итоги\n- Палитра v3 утверждена',
    }) as Json;
    const task = control.addTask({
      content: 'Send the palette v3 invoice',
      linked: [{ object: 'companies', recordId: company }],
    }) as Json;
    control.updateRecord('people', people[1]!['id']['record_id'], { jobTitle: 'Art director' });
    control.editNote(notes[0]!['id']['note_id'], { content: 'Rewritten meeting summary' });
    control.updateTask(tasks[0]!['id']['task_id'], { isCompleted: true });
    control.deleteNote(notes[1]!['id']['note_id']);
    control.deleteTask(tasks[1]!['id']['task_id']);
    const deletedPerson = people[2]!['id']['record_id'] as string;
    control.deleteRecord('people', deletedPerson);

    const counts = await bound.sync();
    expect(await differences(ctx.database, bound.scope, bound.sim)).toEqual({});
    expect(counts.kinds.people).toMatchObject({ inserted: 1, deleted: 1 });
    expect(counts.kinds.people.updated).toBeGreaterThanOrEqual(1);
    expect(counts.kinds.notes).toMatchObject({ inserted: 1, updated: 1 });
    expect(counts.kinds.notes.deleted).toBe(notes.length + 1 - bound.sim.control.stats().notes);
    expect(counts.kinds.tasks).toMatchObject({ inserted: 1, updated: 1, deleted: 1 });

    const chunks = await attioChunks(ctx.database, bound.scope);
    const p = bound.scope.projectId;
    expect(chunks.get(`atn:${p}:${note['id']['note_id']}`)).toMatch(
      /^Созвон про редизайн\n\nИтоги/,
    );
    expect(chunks.get(`att:${p}:${task['id']['task_id']}`)).toBe('Send the palette v3 invoice');
    expect(chunks.get(`atn:${p}:${notes[0]!['id']['note_id']}`)).toContain(
      'Rewritten meeting summary',
    );
    expect(chunks.has(`atn:${p}:${notes[1]!['id']['note_id']}`)).toBe(false);
    expect(chunks.has(`att:${p}:${tasks[1]!['id']['task_id']}`)).toBe(false);
    expect(chunks.size).toBe(bound.sim.control.stats().notes + bound.sim.control.stats().tasks);
    expect(added['id']['record_id']).toBeTruthy();

    // And once more: nothing left to write.
    expect(written(await bound.sync())).toBe(0);
  });
});

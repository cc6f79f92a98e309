import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttioSim } from '../src/index.js';
import { allNotes, api, queryAll, startTinySim, type Json } from './helpers.js';

let sim: AttioSim;
beforeAll(async () => {
  sim = await startTinySim({ seed: 'paging', size: { studio: 'small', notes: 130, tasks: 90 } });
});
afterAll(async () => {
  await sim.stop();
});

const recordIds = (records: Json[]) => records.map((r) => r['id']['record_id'] as string);
const truth = (object: 'people' | 'companies' | 'deals') =>
  [...sim.control.groundTruth.records(object)] as Json[];
const query = (object: string, body: Json) =>
  api(sim, `/v2/objects/${object}/records/query`, { json: body });

describe('records query paging', () => {
  it('returns 500 by default and pages by limit and offset in creation order', async () => {
    const people = truth('people');
    expect(people.length).toBeGreaterThan(100);
    const all = await query('people', {});
    expect(recordIds(all.body['data'])).toEqual(recordIds(people));
    const { pages, records } = await queryAll(sim, 'people', {}, 40);
    expect(pages).toBe(Math.floor(people.length / 40) + 1);
    expect(recordIds(records)).toEqual(recordIds(people));
    const bad = await query('people', { limit: -1 });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      code: 'validation_type',
      message: expect.stringMatching(/limit/),
    });
  });
});

describe('records query filters and sorts', () => {
  it('matches an email address with the shorthand form', async () => {
    const person = truth('people').find((p) => p['values']['email_addresses'].length > 0)!;
    const email = person['values']['email_addresses'][0]['email_address'];
    const found = await query('people', { filter: { email_addresses: email } });
    expect(recordIds(found.body['data'])).toEqual([person['id']['record_id']]);
  });

  it('scopes people and deals to chosen companies with target_record_id $in', async () => {
    const companies = truth('companies')
      .slice(0, 3)
      .map((c) => c['id']['record_id'] as string);
    const people = await queryAll(sim, 'people', {
      filter: { company: { target_record_id: { $in: companies } } },
    });
    const expected = truth('people').filter((p) =>
      p['values']['company'].some((v: Json) => companies.includes(v['target_record_id'])),
    );
    expect(recordIds(people.records)).toEqual(recordIds(expected));
    expect(expected.length).toBeGreaterThan(0);
    const deals = await queryAll(sim, 'deals', {
      filter: { associated_company: { target_record_id: { $in: companies } } },
    });
    expect(deals.records.length).toBeGreaterThan(0);
    const byId = await query('companies', { filter: { record_id: { $in: companies } } });
    expect(recordIds(byId.body['data'])).toEqual(companies);
  });

  it('combines $or, $not, fields of a value, $contains and $not_empty', async () => {
    const people = truth('people');
    const gmail = await queryAll(sim, 'people', {
      filter: { email_addresses: { email_domain: { $eq: 'gmail.com' } } },
    });
    expect(gmail.records.length).toBeGreaterThan(0);
    const withPhone = await queryAll(sim, 'people', {
      filter: { phone_numbers: { $not_empty: true } },
    });
    expect(recordIds(withPhone.records)).toEqual(
      recordIds(people.filter((p) => p['values']['phone_numbers'].length > 0)),
    );
    const either = await queryAll(sim, 'people', {
      filter: {
        $or: [
          { email_addresses: { email_domain: 'gmail.com' } },
          { phone_numbers: { $not_empty: true } },
        ],
      },
    });
    expect(either.records.length).toBeGreaterThanOrEqual(withPhone.records.length);
    const notGmail = await queryAll(sim, 'people', {
      filter: { $not: { email_addresses: { email_domain: 'gmail.com' } } },
    });
    expect(notGmail.records.length + gmail.records.length).toBe(people.length);
    const named = await queryAll(sim, 'companies', { filter: { name: { $contains: 'кофейня' } } });
    expect(named.records.map((r) => r['values']['name'][0]['value'])).toContain('Кофейня «Зерно»');
  });

  it('filters deals by stage title and sorts by name', async () => {
    const won = await queryAll(sim, 'deals', { filter: { stage: 'Won 🎉' } });
    expect(won.records.every((d) => d['values']['stage'][0]['status']['title'] === 'Won 🎉')).toBe(
      true,
    );
    const sorted = await queryAll(sim, 'companies', {
      sorts: [{ attribute: 'name', direction: 'desc' }],
    });
    const names = sorted.records.map((r) => r['values']['name'][0]['value'] as string);
    expect(names).toEqual([...names].sort((a, b) => b.localeCompare(a)));
  });

  it('refuses filters it does not understand with 400 filter_error', async () => {
    for (const filter of [
      { shoe_size: 1 },
      { name: { $regex: 'x' } },
      { path: [['people', 'company']] },
    ]) {
      const result = await query('people', { filter });
      expect(result.status).toBe(400);
      expect(result.body).toMatchObject({ type: 'invalid_request_error', code: 'filter_error' });
    }
  });
});

describe('notes and tasks', () => {
  it('lists 10 notes by default, at most 50, and pages by offset', async () => {
    const first = await api(sim, '/v2/notes');
    expect(first.body['data']).toHaveLength(10);
    const all = await allNotes(sim);
    expect(all.map((n) => n['id']['note_id'])).toEqual(
      ([...sim.control.groundTruth.notes()] as Json[]).map((n) => n['id']['note_id']),
    );
    const tooMany = await api(sim, '/v2/notes?limit=51');
    expect(tooMany.status).toBe(400);
    expect(tooMany.body['message']).toMatch(/limit/);
  });

  it('lists the notes of one record with parent_object and parent_record_id', async () => {
    const note = ([...sim.control.groundTruth.notes()] as Json[])[7]!;
    const parent = `&parent_object=${note['parent_object']}&parent_record_id=${note['parent_record_id']}`;
    const notes = await allNotes(sim, parent);
    expect(notes.length).toBeGreaterThan(0);
    expect(notes.every((n) => n['parent_record_id'] === note['parent_record_id'])).toBe(true);
    const unknown = await api(sim, '/v2/notes?parent_object=widgets');
    expect(unknown.status).toBe(404);
  });

  it('filters tasks by linked record and completion, newest first on request', async () => {
    const tasks = [...sim.control.groundTruth.tasks()] as Json[];
    const linked = tasks[0]!['linked_records'][0];
    const object = [...(await api(sim, '/v2/objects')).body['data']].find(
      (o: Json) => o['id']['object_id'] === linked['target_object_id'],
    )['api_slug'];
    const byRecord = await api(
      sim,
      `/v2/tasks?linked_object=${object}&linked_record_id=${linked['target_record_id']}`,
    );
    expect(byRecord.body['data'].length).toBeGreaterThan(0);
    expect(
      byRecord.body['data'].every((t: Json) =>
        t['linked_records'].some((l: Json) => l['target_record_id'] === linked['target_record_id']),
      ),
    ).toBe(true);
    const open = await api(sim, '/v2/tasks?is_completed=false');
    expect(open.body['data'].length).toBe(tasks.filter((t) => !t['is_completed']).length);
    const newest = await api(sim, '/v2/tasks?sort=created_at:desc&limit=3');
    expect(newest.body['data'].map((t: Json) => t['id']['task_id'])).toEqual(
      tasks
        .slice(-3)
        .reverse()
        .map((t) => t['id']['task_id']),
    );
  });
});

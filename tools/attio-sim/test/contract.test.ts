// Contract tests: real responses of a running simulator against the response schemas of Attio's
// own OpenAPI document (reference/openapi.yaml), with ajv's draft 2020-12 dialect and the
// document's components for $ref.
import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttioSim } from '../src/index.js';
import { allNotes, api, openapi, queryAll, startTinySim, type Json } from './helpers.js';

const doc = openapi();

/**
 * The document types a timestamp value as `format: date` while its own description and example
 * are date-times (`2023-01-01T15:00:00.000000000Z`), which is also what Attio returns. Corrected
 * here, in the schema, instead of bending the simulator.
 */
function corrected(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(corrected);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Json = {};
  for (const [key, value] of Object.entries(schema as Json)) out[key] = corrected(value);
  const props = out['properties'] as Json | undefined;
  if (
    props?.['attribute_type']?.['enum']?.[0] === 'timestamp' &&
    props['value']?.['format'] === 'date'
  )
    props['value'] = { ...props['value'], format: 'date-time' };
  return out;
}

const components = corrected(doc['components']) as Json;
const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
// ajv-formats is CommonJS; its callable sits on .default under NodeNext typing.
(formats as unknown as { default: (a: Ajv2020) => void }).default(ajv);
const compiled = new Map<string, ReturnType<typeof ajv.compile>>();

function validator(path: string, method: string, status: string) {
  const key = `${method} ${path} ${status}`;
  let validate = compiled.get(key);
  if (!validate) {
    const response = doc['paths'][path]?.[method]?.['responses']?.[status];
    if (!response) throw new Error(`the document has no ${status} for ${method} ${path}`);
    const schema = corrected(response['content']['application/json']['schema']) as Json;
    validate = ajv.compile({ ...schema, components });
    compiled.set(key, validate);
  }
  return validate;
}

function expectValid(path: string, method: string, result: { status: number; body: Json }): void {
  const validate = validator(path, method, String(result.status));
  const ok = validate(result.body);
  expect(ok, JSON.stringify(validate.errors?.slice(0, 5), null, 2)).toBe(true);
}

let sim: AttioSim;
beforeAll(async () => {
  sim = await startTinySim({ seed: 'contract', size: { studio: 'small', notes: 120, tasks: 80 } });
});
afterAll(async () => {
  await sim.stop();
});

describe('responses validate against openapi.yaml', () => {
  it('GET /v2/self, active and revoked', async () => {
    expectValid('/v2/self', 'get', await api(sim, '/v2/self'));
    sim.control.revokeToken();
    const revoked = await api(sim, '/v2/self');
    expect(revoked.body).toEqual({ active: false });
    expectValid('/v2/self', 'get', revoked);
    sim.control.revokeToken(false);
  });

  it('objects', async () => {
    expectValid('/v2/objects', 'get', await api(sim, '/v2/objects'));
    for (const slug of ['people', 'companies', 'deals'])
      expectValid('/v2/objects/{object}', 'get', await api(sim, `/v2/objects/${slug}`));
    expectValid('/v2/objects/{object}', 'get', await api(sim, '/v2/objects/widgets'));
  });

  it('every record of every object, through the query and one by one', async () => {
    for (const object of ['people', 'companies', 'deals']) {
      const { records } = await queryAll(sim, object, {}, 100);
      expect(records.length).toBeGreaterThan(10);
      const page = await api(sim, `/v2/objects/${object}/records/query`, { json: { limit: 100 } });
      expectValid('/v2/objects/{object}/records/query', 'post', page);
      for (const record of records.slice(0, 5)) {
        const one = await api(sim, `/v2/objects/${object}/records/${record['id']['record_id']}`);
        expectValid('/v2/objects/{object}/records/{record_id}', 'get', one);
        expect(one.body['data']).toEqual(record);
      }
    }
    const wholePage = {
      status: 200,
      body: { data: [...sim.control.groundTruth.records('people')] },
    };
    expectValid('/v2/objects/{object}/records/query', 'post', wholePage);
  });

  it('record values with history', async () => {
    const deal = ([...sim.control.groundTruth.records('deals')] as Json[]).find(
      (d) => d['values']['stage'][0]['status']['title'] !== 'Lead',
    )!;
    const path = `/v2/objects/deals/records/${deal['id']['record_id']}/attributes/stage/values`;
    const historic = await api(sim, `${path}?show_historic=true`);
    expectValid(
      '/v2/objects/{object}/records/{record_id}/attributes/{attribute}/values',
      'get',
      historic,
    );
    expect(historic.body['data'].length).toBeGreaterThan(1);
    expect(historic.body['data'].filter((v: Json) => v['active_until'] === null)).toHaveLength(1);
    const current = await api(sim, path);
    expect(current.body['data']).toHaveLength(1);
  });

  it('notes and tasks, listed and one by one', async () => {
    const notes = await allNotes(sim);
    expect(notes).toHaveLength(120);
    expectValid('/v2/notes', 'get', { status: 200, body: { data: notes } });
    expectValid(
      '/v2/notes/{note_id}',
      'get',
      await api(sim, `/v2/notes/${notes[0]!['id']['note_id']}`),
    );
    const tasks = await api(sim, '/v2/tasks');
    expect(tasks.body['data']).toHaveLength(80);
    expectValid('/v2/tasks', 'get', tasks);
    expectValid(
      '/v2/tasks/{task_id}',
      'get',
      await api(sim, `/v2/tasks/${tasks.body['data'][0]['id']['task_id']}`),
    );
  });

  it('workspace members', async () => {
    const members = await api(sim, '/v2/workspace_members');
    expectValid('/v2/workspace_members', 'get', members);
    const id = members.body['data'][0]['id']['workspace_member_id'];
    expectValid(
      '/v2/workspace_members/{workspace_member_id}',
      'get',
      await api(sim, `/v2/workspace_members/${id}`),
    );
  });

  it('webhooks: create (with its secret), list, read, update, delete', async () => {
    const created = await api(sim, '/v2/webhooks', {
      json: {
        data: {
          target_url: 'https://example.com/hooks/attio',
          subscriptions: [
            {
              event_type: 'note.created',
              filter: { $and: [{ field: 'parent_object_id', operator: 'equals', value: 'x' }] },
            },
            { event_type: 'record.updated', filter: null },
          ],
        },
      },
    });
    expectValid('/v2/webhooks', 'post', created);
    expect(created.body['data']['secret']).toMatch(/^[0-9a-f]{64}$/);
    const id = created.body['data']['id']['webhook_id'];
    const list = await api(sim, '/v2/webhooks');
    expectValid('/v2/webhooks', 'get', list);
    expect(list.body['data'][0]).not.toHaveProperty('secret');
    expectValid('/v2/webhooks/{webhook_id}', 'get', await api(sim, `/v2/webhooks/${id}`));
    const patched = await api(sim, `/v2/webhooks/${id}`, {
      method: 'PATCH',
      json: { data: { target_url: 'https://example.com/hooks/attio2' } },
    });
    expectValid('/v2/webhooks/{webhook_id}', 'patch', patched);
    expectValid(
      '/v2/webhooks/{webhook_id}',
      'delete',
      await api(sim, `/v2/webhooks/${id}`, { method: 'DELETE' }),
    );
    expectValid('/v2/webhooks/{webhook_id}', 'get', await api(sim, `/v2/webhooks/${id}`));
    const invalid = await api(sim, '/v2/webhooks', {
      json: {
        data: {
          target_url: 'https://example.com',
          subscriptions: [{ event_type: 'nope', filter: null }],
        },
      },
    });
    expectValid('/v2/webhooks', 'post', invalid);
  });

  it('lists: the seeded companies list by slug and id, its entries paged, an entry removed', async () => {
    const bySlug = await api(sim, '/v2/lists/clients');
    expectValid('/v2/lists/{list}', 'get', bySlug);
    expect(bySlug.body['data']['parent_object']).toEqual(['companies']);
    const id = bySlug.body['data']['id']['list_id'] as string;
    expect((await api(sim, `/v2/lists/${id}`)).body).toEqual(bySlug.body);
    const people = await api(sim, '/v2/lists/contacts');
    expectValid('/v2/lists/{list}', 'get', people);
    expect(people.body['data']['parent_object']).toEqual(['people']);
    expectValid(
      '/v2/lists/{list}/entries/query',
      'post',
      await api(sim, '/v2/lists/contacts/entries/query', { json: {} }),
    );
    const missing = await api(sim, '/v2/lists/no-such-list');
    expect(missing.status).toBe(404);
    expectValid('/v2/lists/{list}', 'get', missing);

    const all = await api(sim, '/v2/lists/clients/entries/query', { json: {} });
    expectValid('/v2/lists/{list}/entries/query', 'post', all);
    const entries = all.body['data'] as Json[];
    const companies = sim.control.stats().companies;
    expect(entries.length).toBe(Math.ceil(companies / 2));
    const pages: Json[] = [];
    for (let offset = 0; ; offset += 3) {
      const page = await api(sim, `/v2/lists/${id}/entries/query`, { json: { limit: 3, offset } });
      pages.push(...(page.body['data'] as Json[]));
      if ((page.body['data'] as Json[]).length < 3) break;
    }
    expect(pages).toEqual(entries);
    const first = entries[0]!['parent_record_id'] as string;
    sim.control.removeListEntry('clients', first);
    expect(sim.control.listRecordIds('clients')).not.toContain(first);
    sim.control.addListEntry('clients', first);
    expect(sim.control.listRecordIds('clients').at(-1)).toBe(first);
  });

  it('documented errors: 404 not_found and 400 filter_error', async () => {
    const missing = await api(
      sim,
      '/v2/objects/people/records/00000000-0000-4000-8000-000000000000',
    );
    expect(missing.status).toBe(404);
    expectValid('/v2/objects/{object}/records/{record_id}', 'get', missing);
    expectValid(
      '/v2/notes/{note_id}',
      'get',
      await api(sim, '/v2/notes/00000000-0000-4000-8000-000000000000'),
    );
    expectValid(
      '/v2/tasks/{task_id}',
      'get',
      await api(sim, '/v2/tasks/00000000-0000-4000-8000-000000000000'),
    );
    const badFilter = await api(sim, '/v2/objects/people/records/query', {
      json: { filter: { shoe_size: 44 } },
    });
    expect(badFilter.status).toBe(400);
    expectValid('/v2/objects/{object}/records/query', 'post', badFilter);
    expectValid(
      '/v2/objects/{object}/records/query',
      'post',
      await api(sim, '/v2/objects/widgets/records/query', { json: {} }),
    );
  });

  it('undocumented errors keep the documented envelope: 401 and 429', async () => {
    const envelope = ajv.compile({
      type: 'object',
      properties: {
        status_code: { type: 'number' },
        type: { type: 'string' },
        code: { type: 'string' },
        message: { type: 'string' },
      },
      required: ['status_code', 'type', 'code', 'message'],
      additionalProperties: false,
    });
    const unauthorized = await api(sim, '/v2/self', { token: 'wrong' });
    expect(unauthorized.status).toBe(401);
    expect(envelope(unauthorized.body)).toBe(true);
    sim.control.injectFault({ route: 'notes', kind: '429' });
    const limited = await api(sim, '/v2/notes');
    expect(limited.body).toMatchObject({
      status_code: 429,
      type: 'rate_limit_error',
      code: 'rate_limit_exceeded',
    });
    expect(envelope(limited.body)).toBe(true);
  });
});

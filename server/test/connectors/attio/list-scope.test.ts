import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../support/app.js';
import { bind, useJobsRuntime } from '../workspace-sources.js';
import {
  attioChunks,
  bindAttioSim,
  expectedIds,
  postAttioEvents,
  recordId,
  sorted,
  storedIds,
  targets,
  truthItems,
  type AttioBound,
} from './harness.js';

/**
 * An Attio binding scoped to a list of companies (issue 18, item 2: `list`), bound through
 * `POST /sources` and synced by the `attio_sync` job against the simulator's seeded `clients`
 * list: the list's companies with their people, deals, notes and tasks, read again each run.
 */

// A scoped run lists notes and tasks per record, fast enough to meet the simulator's 100 reads a
// second: the job waits out its Retry-After (the next second) as it would Attio's.
const ctx = useTestApp({
  ATTIO_MAX_RETRIES: '4',
  ATTIO_TIMEOUT_MS: '2000',
  ATTIO_RATE_LIMIT_WAIT_MAX_MS: '1500',
});
useJobsRuntime(ctx);

const SECRET = 'att-wh-secret-cairn-list-4Rk8Yd2Nc5';

describe('Attio binding scoped to a list', { timeout: 90_000 }, () => {
  let bound: AttioBound;
  let sourceId: string;
  const inList = () => bound.sim.control.listRecordIds('clients');
  const stored = () => storedIds(ctx.database, bound.scope);
  const bindList = (list: string) =>
    bind(bound.session, {
      source_kind: 'attio_workspace',
      base_url: bound.sim.url,
      api_token: bound.sim.token,
      list,
      webhook_secret: SECRET,
    });
  const runSync = async () => {
    const res = await bound.session.request('POST', '/jobs/attio/sync?wait=true');
    const run = res.json().run;
    expect(run.status, run.error).toBe('ok');
    return run;
  };

  beforeAll(async () => {
    bound = await bindAttioSim(ctx, 'cairn-attio-list');
  });
  afterAll(async () => bound?.sim.stop());

  it('refuses a list Attio does not have, or one of people, naming `list`; stores nothing', async () => {
    const res = await bindList('no-such-list');
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().details.fields[0].field).toBe('list');
    expect(res.json().message).toMatch(/no list .*no-such-list/);
    const people = await bindList('contacts');
    expect(people.statusCode, people.body).toBe(400);
    expect(people.json().details.fields[0].field).toBe('list');
    expect(people.json().message).toMatch(/"contacts" holds people, not companies/);
    expect((await bound.session.request('GET', '/sources')).json().sources).toEqual([]);
  });

  it("binds by slug; the sync stores exactly the list's companies with their records", async () => {
    const res = await bindList('clients');
    expect(res.statusCode, res.body).toBe(201);
    sourceId = res.json().source.id;
    const listed = (await bound.session.request('GET', '/sources')).json().sources;
    expect(listed).toEqual([expect.objectContaining({ list: 'clients', company_record_ids: [] })]);

    await runSync();
    const companies = truthItems(bound.sim, 'companies');
    expect(inList().length).toBeGreaterThan(0);
    expect(inList().length).toBeLessThan(companies.length);
    const expected = expectedIds(bound.sim, inList());
    expect(expected.people.length).toBeGreaterThan(0);
    expect(expected.deals.length).toBeGreaterThan(0);
    expect(expected.notes.length).toBeGreaterThan(0);
    expect(sorted(await stored())).toEqual(sorted(expected));
    const chunks = await attioChunks(ctx.database, bound.scope);
    expect(chunks.size).toBe(expected.notes.length + expected.tasks.length);
    expect((await runSync()).counts.rows_written).toBe(0);
  });

  it('a company taken out of the list leaves with its people, deals, notes and tasks', async () => {
    const people = truthItems(bound.sim, 'people');
    const leaving = inList().find((id) => people.some((p) => targets(p, 'company').includes(id)))!;
    const before = expectedIds(bound.sim, [leaving]);
    bound.sim.control.removeListEntry('clients', leaving);

    const run = await runSync();
    expect(run.counts.kinds.companies.deleted).toBe(1);
    expect(run.counts.kinds.people.deleted).toBe(before.people.length);
    const now = await stored();
    expect(now.companies).not.toContain(leaving);
    for (const id of before.people) expect(now.people).not.toContain(id);
    for (const id of before.notes) expect(now.notes).not.toContain(id);
    expect(sorted(now)).toEqual(sorted(expectedIds(bound.sim, inList())));

    // Put back: it returns at the next run.
    bound.sim.control.addListEntry('clients', leaving);
    await runSync();
    expect((await stored()).companies).toContain(leaving);
  });

  it('a webhook keeps a new person of a listed company and refuses one of another', async () => {
    const outside = truthItems(bound.sim, 'companies')
      .map(recordId)
      .find((id) => !inList().includes(id))!;
    const post = async (id: string) => {
      const event = bound.sim.control.buildWebhookEvent('record.created', id, 'people');
      const res = await postAttioEvents(ctx, sourceId, SECRET, [event]);
      expect(res.statusCode, res.body).toBe(200);
      return res.json().applied as boolean;
    };
    const listed = bound.sim.control.addPerson({ name: 'Listed Person', companyId: inList()[0]! });
    const other = bound.sim.control.addPerson({ name: 'Other Person', companyId: outside });
    expect(await post(recordId(listed))).toBe(true);
    expect(await post(recordId(other))).toBe(false);
    const people = (await stored()).people;
    expect(people).toContain(recordId(listed));
    expect(people).not.toContain(recordId(other));
    expect(sorted(await stored())).toEqual(sorted(expectedIds(bound.sim, inList())));
  });

  it('with company_record_ids as well, the scope is the union', async () => {
    const outside = truthItems(bound.sim, 'companies')
      .map(recordId)
      .find((id) => !inList().includes(id))!;
    await bound.sync({
      source: {
        baseUrl: bound.sim.url,
        token: bound.sim.token,
        list: 'clients',
        companyRecordIds: [outside],
      },
    });
    expect(sorted(await stored())).toEqual(sorted(expectedIds(bound.sim, [...inList(), outside])));
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttioEntityKind } from '../../../src/modules/connectors/attio/normalize.js';
import { useTestApp } from '../../support/app.js';
import {
  attioChunks,
  bindAttioSim,
  storedState,
  truthItems,
  written,
  type AttioBound,
  type Json,
} from './harness.js';

const ctx = useTestApp();

const recordId = (r: Json) => r['id']['record_id'] as string;
const targets = (r: Json, slug: string) =>
  (r['values'][slug] as Json[]).map((v) => v['target_record_id'] as string);

/** What a binding to `companyIds` should hold, computed from the simulator's truth. */
function expectedIds(bound: AttioBound, companyIds: string[]): Record<AttioEntityKind, string[]> {
  const chosen = new Set(companyIds);
  const companies = truthItems(bound.sim, 'companies').filter((c) => chosen.has(recordId(c)));
  const people = truthItems(bound.sim, 'people').filter((p) =>
    targets(p, 'company').some((id) => chosen.has(id)),
  );
  const deals = truthItems(bound.sim, 'deals').filter((d) =>
    targets(d, 'associated_company').some((id) => chosen.has(id)),
  );
  const records = new Set([...companies, ...people, ...deals].map(recordId));
  return {
    members: truthItems(bound.sim, 'members').map((m) => m['id']['workspace_member_id']),
    companies: companies.map(recordId),
    people: people.map(recordId),
    deals: deals.map(recordId),
    notes: truthItems(bound.sim, 'notes')
      .filter((n) => records.has(n['parent_record_id']))
      .map((n) => n['id']['note_id']),
    tasks: truthItems(bound.sim, 'tasks')
      .filter((t) =>
        (t['linked_records'] as Json[]).some((l) => records.has(l['target_record_id'])),
      )
      .map((t) => t['id']['task_id']),
  };
}

async function storedIds(bound: AttioBound): Promise<Record<AttioEntityKind, string[]>> {
  const out = {} as Record<AttioEntityKind, string[]>;
  for (const kind of ['members', 'companies', 'people', 'deals', 'notes', 'tasks'] as const)
    out[kind] = (await storedState(ctx.database, bound.scope, kind)).map((s) => s.split('|')[0]!);
  return out;
}

const sorted = (ids: Record<AttioEntityKind, string[]>) =>
  Object.fromEntries(Object.entries(ids).map(([k, v]) => [k, [...v].sort()]));

describe('syncAttio scoped to company_record_ids', { timeout: 60_000 }, () => {
  let bound: AttioBound;
  let chosen: string[];
  beforeAll(async () => {
    bound = await bindAttioSim(ctx, 'cairn-attio-scope');
    // Two companies that have people, deals and notes, so every kind is exercised.
    const people = truthItems(bound.sim, 'people');
    const withPeople = truthItems(bound.sim, 'companies')
      .map(recordId)
      .filter((id) => people.some((p) => targets(p, 'company').includes(id)));
    chosen = withPeople.slice(0, 2);
  });
  afterAll(async () => bound?.sim.stop());

  const sync = () =>
    bound.sync({
      source: { baseUrl: bound.sim.url, token: bound.sim.token, companyRecordIds: chosen },
    });

  it('stores exactly the chosen companies with their people, deals, notes and tasks', async () => {
    const counts = await sync();
    expect(counts.scoped).toBe(true);
    const expected = expectedIds(bound, chosen);
    expect(expected.people.length).toBeGreaterThan(0);
    expect(expected.deals.length).toBeGreaterThan(0);
    expect(expected.notes.length).toBeGreaterThan(0);
    expect(sorted(await storedIds(bound))).toEqual(sorted(expected));
    const chunks = await attioChunks(ctx.database, bound.scope);
    expect(chunks.size).toBe(expected.notes.length + expected.tasks.length);
    expect(written(await sync())).toBe(0);
  });

  it('drops a person who moved to another company, with their notes', async () => {
    const { control } = bound.sim;
    const person = truthItems(bound.sim, 'people').find((p) =>
      targets(p, 'company').includes(chosen[0]!),
    )!;
    const elsewhere = truthItems(bound.sim, 'companies')
      .map(recordId)
      .find((id) => !chosen.includes(id))!;
    control.addNote({
      parentObject: 'people',
      parentRecordId: recordId(person),
      title: 'Leaving note',
      content: 'Moving on to another studio',
    });
    expect((await sync()).kinds.notes.inserted).toBe(1);
    control.updateRecord('people', recordId(person), { companyId: elsewhere });
    const counts = await sync();
    expect(counts.kinds.people.deleted).toBe(1);
    expect(counts.kinds.notes.deleted).toBeGreaterThanOrEqual(1);
    expect(sorted(await storedIds(bound))).toEqual(sorted(expectedIds(bound, chosen)));
  });

  it('an empty scope keeps nothing but the workspace members', async () => {
    chosen = [];
    await sync();
    const stored = await storedIds(bound);
    expect(stored.members.length).toBeGreaterThan(0);
    expect({ ...stored, members: [] }).toEqual({
      members: [],
      companies: [],
      people: [],
      deals: [],
      notes: [],
      tasks: [],
    });
    expect((await attioChunks(ctx.database, bound.scope)).size).toBe(0);
  });
});

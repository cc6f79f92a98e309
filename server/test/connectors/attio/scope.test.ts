import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../support/app.js';
import {
  attioChunks,
  bindAttioSim,
  expectedIds,
  recordId,
  sorted,
  storedIds as storedIn,
  targets,
  truthItems,
  written,
  type AttioBound,
} from './harness.js';

const ctx = useTestApp();
const storedIds = (bound: AttioBound) => storedIn(ctx.database, bound.scope);

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
    const expected = expectedIds(bound.sim, chosen);
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
    expect(sorted(await storedIds(bound))).toEqual(sorted(expectedIds(bound.sim, chosen)));
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

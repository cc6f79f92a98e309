import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AttioSyncError } from '../../../src/modules/connectors/attio/sync-attio.js';
import { useTestApp } from '../../support/app.js';
import {
  attioChunks,
  bindAttioSim,
  differences,
  truthItems,
  written,
  type AttioBound,
} from './harness.js';

const ctx = useTestApp();

describe('syncAttio under faults', { timeout: 120_000 }, () => {
  let bound: AttioBound;
  beforeAll(async () => {
    bound = await bindAttioSim(ctx, 'cairn-attio-faults');
    await bound.sync();
  });
  afterEach(() => bound.sim.control.clearFaults());
  afterAll(async () => bound?.sim.stop());

  it('fails with a clear error under lasting faults, then converges once they stop', async () => {
    const { control } = bound.sim;
    const notes = truthItems(bound.sim, 'notes');
    control.editNote(notes[3]!['id']['note_id'], { title: 'Changed while Attio was failing' });

    control.injectFault({ route: 'notes', kind: '429', times: 100 });
    const limited = await bound.sync().catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(AttioSyncError);
    expect((limited as Error).message).toMatch(
      /^Attio notes failed after 4 attempts \(HTTP 429\): rate limited \(rate_limit_exceeded\)$/,
    );
    control.clearFaults();

    control.injectFault({ route: 'tasks', kind: 'malformed', times: 100 });
    await expect(bound.sync()).rejects.toThrow(
      /^Attio tasks failed after 4 attempts \(HTTP 200\): the response is not JSON$/,
    );
    control.clearFaults();

    control.injectFault({
      route: 'records_query',
      kind: '503',
      times: 100,
      match: { object: 'deals' },
    });
    await expect(bound.sync()).rejects.toThrow(
      /^Attio deals query failed after 4 attempts \(HTTP 503\): the server failed$/,
    );
    control.clearFaults();

    await bound.sync();
    expect(await differences(ctx.database, bound.scope, bound.sim)).toEqual({});
    expect(written(await bound.sync())).toBe(0);
  });

  it('absorbs transient faults of every kind within one run', async () => {
    const { control } = bound.sim;
    const tasks = truthItems(bound.sim, 'tasks');
    control.updateTask(tasks[2]!['id']['task_id'], { content: 'Edited during the storm' });
    control.injectFault({ route: 'self', kind: '502' });
    control.injectFault({ route: 'workspace_members', kind: 'truncated' });
    control.injectFault({ route: 'records_query', kind: '429', match: { object: 'companies' } });
    control.injectFault({ route: 'records_query', kind: '500', match: { object: 'people' } });
    control.injectFault({ route: 'records_query', kind: 'hang', match: { object: 'deals' } });
    control.injectFault({ route: 'notes', kind: 'malformed', skip: 1 });
    control.injectFault({ route: 'tasks', kind: '503' });
    const counts = await bound.sync({ client: { retryBaseMs: 5, retryMaxMs: 40, timeoutMs: 300 } });
    expect(counts.rate_limited).toBe(1);
    expect(counts.kinds.tasks.updated).toBe(1);
    expect(await differences(ctx.database, bound.scope, bound.sim)).toEqual({});
    expect(written(await bound.sync())).toBe(0);
  });

  it('a 429 waits until its Retry-After HTTP date', async () => {
    const { control } = bound.sim;
    control.injectFault({ route: 'tasks', kind: '429', retryAfterSeconds: 2 });
    const delays: number[] = [];
    await bound.sync({
      client: {
        retryBaseMs: 5,
        retryMaxMs: 40,
        onRetry: (r) => {
          if (r.kind === 'ratelimited') delays.push(r.delayMs);
        },
      },
    });
    // Two seconds ahead, rounded down to the whole second the date can name.
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeGreaterThanOrEqual(1000);
  });

  it('an empty or short page by mistake deletes nothing', async () => {
    const { control } = bound.sim;
    const notes = truthItems(bound.sim, 'notes');
    expect(notes.length).toBeGreaterThan(50);
    // The first page empty: every note looks gone, so the listing is read again.
    control.injectFault({ route: 'notes', kind: 'empty_page', match: { offset: 0 } });
    const first = await bound.sync();
    expect(first.relisted).toEqual(['notes']);
    expect(first.kinds.notes.deleted).toBe(0);
    // The second page empty: the few that look gone are fetched one by one.
    control.injectFault({ route: 'notes', kind: 'empty_page', match: { offset: 50 } });
    const second = await bound.sync();
    expect(second.relisted).toEqual([]);
    expect(written(second)).toBe(0);
    expect(await differences(ctx.database, bound.scope, bound.sim)).toEqual({});
    expect((await attioChunks(ctx.database, bound.scope)).size).toBe(
      bound.sim.control.stats().notes + bound.sim.control.stats().tasks,
    );
  });

  it('a run that dies after some pages were committed converges on the next run', async () => {
    const { control } = bound.sim;
    const notes = truthItems(bound.sim, 'notes');
    for (const n of notes)
      control.editNote(n['id']['note_id'], { title: `${n['title']} (edited)` });
    // The first notes page (50) commits, the second fails for good.
    control.injectFault({ route: 'notes', kind: '500', skip: 1, times: 100 });
    await expect(bound.sync()).rejects.toThrow(/^Attio notes failed after 4 attempts \(HTTP 500\)/);
    control.clearFaults();
    const counts = await bound.sync();
    // What the dead run committed is not written again.
    expect(counts.kinds.notes.updated).toBe(notes.length - 50);
    expect(await differences(ctx.database, bound.scope, bound.sim)).toEqual({});
    const chunks = await attioChunks(ctx.database, bound.scope);
    const last = notes[notes.length - 1]!;
    expect(chunks.get(`atn:${bound.scope.projectId}:${last['id']['note_id']}`)).toContain(
      '(edited)',
    );
  });

  it('a revoked token fails at once, saying so', async () => {
    bound.sim.control.revokeToken();
    try {
      await expect(bound.sync()).rejects.toThrow(/access token is not active/);
    } finally {
      bound.sim.control.revokeToken(false);
    }
  });
});

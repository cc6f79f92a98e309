import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNC_ORDER } from '../../../src/modules/connectors/linear/sync-linear.js';
import { useTestApp } from '../../support/app.js';
import {
  bindLinearSim,
  expectConverged,
  linearChunks,
  storedState,
  type LinearBound,
} from './harness.js';

type Truth = { id: string; title: string; url: string; body: string };
const truthIssues = (bound: LinearBound) =>
  [...bound.sim.control.groundTruth.issues()] as unknown as Truth[];
const truthComments = (bound: LinearBound) =>
  [...bound.sim.control.groundTruth.comments()] as unknown as Truth[];

const ctx = useTestApp();

const written = (counts: Awaited<ReturnType<LinearBound['sync']>>) =>
  SYNC_ORDER.reduce(
    (sum, kind) =>
      sum + counts.kinds[kind].inserted + counts.kinds[kind].updated + counts.kinds[kind].deleted,
    0,
  );

describe('syncLinear against the simulator', { timeout: 60_000 }, () => {
  let bound: LinearBound;
  beforeAll(async () => {
    bound = await bindLinearSim(ctx, 'cairn-linear-sync');
  });
  afterAll(async () => bound?.sim.stop());

  it('first sync stores exactly the simulator entities, archived ones flagged', async () => {
    const counts = await bound.sync();
    expect(counts.mode).toBe('full');
    expect(counts.organization_id).toBe(bound.sim.organizationId);
    expect(await expectConverged(ctx.database, bound.scope, bound.sim)).toEqual({});
    expect(counts.kinds.issues.inserted).toBe(
      (await storedState(ctx.database, bound.scope, 'issues')).length,
    );
    expect(counts.kinds.issues.inserted).toBeGreaterThan(0);
    expect(counts.kinds.comments.inserted).toBeGreaterThan(0);

    // Every issue has a chunk (its title at least), ids in the seed's style.
    const chunks = await linearChunks(ctx.database, bound.scope);
    for (const issue of truthIssues(bound)) {
      expect(chunks.get(`lin:${bound.scope.projectId}:${issue.id}`)).toContain(issue.title.trim());
    }
    const comment = truthComments(bound).find((c) => c.body.length > 60)!;
    expect(chunks.has(`lincmt:${bound.scope.projectId}:${comment.id}`)).toBe(true);
  });

  it('POST /search finds a Linear issue by its text and links to it', async () => {
    const issue = truthIssues(bound)[3]!;
    const res = await bound.session.request('POST', '/search', { query: issue.title, topK: 5 });
    expect(res.statusCode).toBe(200);
    const hits = res.json().hits as {
      source: string;
      deep_link: string;
      message_global_id: string;
    }[];
    const hit = hits.find(
      (h) => h.message_global_id === `lin:${bound.scope.projectId}:${issue.id}`,
    );
    expect(hit).toMatchObject({ source: 'linear', deep_link: issue.url });
  });

  it('a second sync with no changes writes nothing', async () => {
    const counts = await bound.sync();
    expect(counts.mode).toBe('incremental');
    expect(counts.ids_listed).toBe(true);
    expect(written(counts)).toBe(0);
  });

  it('reflects exactly an add, an edit, an archive and a delete', async () => {
    const { control } = bound.sim;
    const issues = [...control.groundTruth.issues()] as unknown as { id: string }[];
    const comments = [...control.groundTruth.comments()] as unknown as { id: string }[];
    const added = control.addIssue({
      title: 'Новый логотип: third round',
      description: 'Palette v3',
    });
    control.addComment({ issueId: (added as unknown as { id: string }).id, body: 'Looks good' });
    control.editIssue(issues[0]!.id, { title: 'Edited title' });
    control.archiveIssue(issues[1]!.id);
    control.deleteIssue(issues[2]!.id);
    control.deleteComment(comments[comments.length - 1]!.id);

    const counts = await bound.sync();
    expect(await expectConverged(ctx.database, bound.scope, bound.sim)).toEqual({});
    expect(counts.kinds.issues.inserted).toBe(1);
    expect(counts.kinds.issues.updated).toBe(2);
    expect(counts.kinds.issues.deleted).toBe(1);
    expect(counts.kinds.comments.inserted).toBe(1);
    expect(counts.kinds.comments.deleted).toBeGreaterThanOrEqual(1);

    const chunks = await linearChunks(ctx.database, bound.scope);
    const p = bound.scope.projectId;
    expect(chunks.get(`lin:${p}:${(added as unknown as { id: string }).id}`)).toContain(
      'Palette v3',
    );
    expect(chunks.get(`lin:${p}:${issues[0]!.id}`)).toMatch(/^Edited title/);
    expect(chunks.has(`lin:${p}:${issues[1]!.id}`)).toBe(true);
    expect(chunks.has(`lin:${p}:${issues[2]!.id}`)).toBe(false);
    expect(chunks.has(`lincmt:${p}:${comments[comments.length - 1]!.id}`)).toBe(false);

    // And once more: nothing left to write.
    expect(written(await bound.sync())).toBe(0);
  });

  it('fails with a clear error under lasting faults, then converges once they stop', async () => {
    const { control } = bound.sim;
    const issues = [...control.groundTruth.issues()] as unknown as { id: string }[];
    control.editIssue(issues[5]!.id, { title: 'Changed while the API was failing' });
    control.injectFault({ route: 'issues', kind: 'ratelimited_400', times: 100 });
    await expect(bound.sync()).rejects.toThrow(
      /Linear issues failed after 4 attempts \(HTTP 400\): rate limited \(RATELIMITED\)/,
    );
    control.clearFaults();
    control.injectFault({ route: 'comments', kind: 'malformed', times: 100 });
    await expect(bound.sync()).rejects.toThrow(/comments failed after 4 attempts.*not JSON/);
    control.clearFaults();

    // Transient faults of every kind are absorbed by retries within one run.
    control.injectFault({ route: 'users', kind: 'ratelimited_429' });
    control.injectFault({ route: 'customers', kind: '500' });
    control.injectFault({ route: 'projects', kind: '503' });
    control.injectFault({ route: 'issues', kind: 'truncated' });
    control.injectFault({ route: 'comments', kind: 'malformed' });
    control.injectFault({ route: 'comments', kind: 'hang', skip: 1 });
    await bound.sync();
    expect(await expectConverged(ctx.database, bound.scope, bound.sim)).toEqual({});
    expect(written(await bound.sync())).toBe(0);
  });

  it('a run that dies after some pages were committed converges on the next run', async () => {
    const { control } = bound.sim;
    const comments = truthComments(bound);
    for (const c of comments.slice(0, 150)) control.editComment(c.id, `${c.body} (edited)`);
    // The first comments page (100) commits, the second fails for good.
    control.injectFault({ route: 'comments', kind: '500', skip: 1, times: 100 });
    await expect(bound.sync()).rejects.toThrow(
      /Linear comments failed after 4 attempts \(HTTP 500\)/,
    );
    control.clearFaults();
    const counts = await bound.sync();
    // What the dead run committed is not written again.
    expect(counts.kinds.comments.updated).toBeGreaterThanOrEqual(50);
    expect(counts.kinds.comments.updated).toBeLessThan(150);
    expect(await expectConverged(ctx.database, bound.scope, bound.sim)).toEqual({});
    const chunks = await linearChunks(ctx.database, bound.scope);
    const last = comments[149]!;
    if (last.body.trim().length >= 30)
      expect(chunks.get(`lincmt:${bound.scope.projectId}:${last.id}`)).toMatch(/\(edited\)$/);
  });
});

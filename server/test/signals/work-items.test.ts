import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultJobHandlers } from '../../src/modules/jobs/handlers.js';
import {
  bindAttioSim,
  truthItems,
  type AttioBound,
  type Json,
} from '../connectors/attio/harness.js';
import { bindLinearSim, type LinearBound } from '../connectors/linear/harness.js';
import { useTestApp } from '../support/app.js';

/**
 * The `stalled` detector over what the Linear and Attio connectors store (signals/load-views.ts
 * `loadWorkItemViews`): one project synced from both simulators, the `signals_run` job, and a
 * signal for a Linear issue past its due date, an Attio task past its deadline and a deal quiet
 * for `deal_stalled_days`, each with evidence GET /signals/:id reads with its place in the tool.
 * Completing the task in Attio, re-synced, resolves its signal on the next run; so does deleting
 * an issue, a task or a deal at the source.
 */

const ctx = useTestApp();
const DAY_MS = 86_400_000;

describe('stalled Linear issues, Attio tasks and deals', { timeout: 120_000 }, () => {
  let linear: LinearBound;
  let attio: AttioBound;
  let issue: Json;
  let taskId: string;
  let company: Json;
  let deal: Json;

  const runSignals = async () =>
    (await defaultJobHandlers(ctx.config).signals_run!({
      database: ctx.database,
      config: ctx.config,
      scope: linear.scope,
      runId: randomUUID(),
      trigger: 'manual',
      signal: new AbortController().signal,
      onProgress: () => undefined,
      logger: ctx.app.log,
    })) as Record<string, number>;

  const openStalled = async (): Promise<Json[]> => {
    const res = await linear.session.request('GET', '/signals?kind=stalled&limit=200');
    expect(res.statusCode, res.body).toBe(200);
    return res.json().signals as Json[];
  };

  const detail = async (id: string) => {
    const res = await linear.session.request('GET', `/signals/${id}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { signal: Json; evidence: Json[] };
  };

  beforeAll(async () => {
    linear = await bindLinearSim(ctx, 'signals-stalled');
    attio = await bindAttioSim(ctx, 'signals-stalled');
    // An open issue due three days ago, whatever the seeded data holds.
    issue = [...linear.sim.control.groundTruth.issues({ includeArchived: false })].find(
      (i) => !['completed', 'canceled'].includes((i as Json)['state']['type']),
    ) as Json;
    const due = new Date(Date.now() - 3 * DAY_MS).toISOString().slice(0, 10);
    issue = linear.sim.control.editIssue(issue['id'], { dueDate: due, stateType: 'started' });
    // A task two days past its deadline on a company (a task on a deal is that deal's activity).
    company = truthItems(attio.sim, 'companies')[0]!;
    const task = attio.sim.control.addTask({
      content: 'Send the signed contract back',
      deadlineAt: new Date(Date.now() - 2 * DAY_MS).toISOString(),
      linked: [{ object: 'companies', recordId: company['id']['record_id'] }],
    });
    taskId = (task as Json)['id']['task_id'];
    // A seeded open deal: the seeded world's activity is months old.
    deal = truthItems(attio.sim, 'deals').find(
      (d) => !/won|lost/i.test(d['values']['stage']?.[0]?.['status']?.['title'] ?? 'won'),
    )!;
    await linear.sync();
    // One project, both sources: the Attio rows go into the Linear project.
    await attio.sync({ scope: linear.scope });
  });
  afterAll(async () => {
    await linear?.sim.stop();
    await attio?.sim.stop();
  });

  it('flags each with evidence that reads back with its text and deep link', async () => {
    const counts = await runSignals();
    expect(counts['work_items']).toBeGreaterThan(0);
    expect(counts['dropped']).toBe(0);
    const signals = await openStalled();

    const onIssue = signals.find((s) => s['subject']['linear_issue_id'] === issue['id'])!;
    expect(onIssue, 'the Linear issue').toBeDefined();
    expect(onIssue['status']).toBe('open');
    expect(onIssue['evidence_refs']).toMatchObject([
      { source: 'lin_issues', ref: issue['id'], meta: { deep_link: issue['url'] } },
    ]);
    const issueEvidence = (await detail(onIssue['id'])).evidence[0]!;
    expect(issueEvidence).toMatchObject({ found: true, deep_link: issue['url'] });
    expect(issueEvidence['quote']).toContain(issue['identifier']);

    const onTask = signals.find((s) => s['subject']['attio_task_id'] === taskId)!;
    expect(onTask, 'the Attio task').toBeDefined();
    expect(onTask['evidence_refs']).toMatchObject([{ source: 'att_tasks', ref: taskId }]);
    const taskEvidence = (await detail(onTask['id'])).evidence[0]!;
    expect(taskEvidence).toMatchObject({
      found: true,
      quote: 'Send the signed contract back',
      deep_link: company['web_url'],
    });
    expect(taskEvidence['at']).toEqual(expect.any(String));

    const dealId = deal['id']['record_id'];
    const onDeal = signals.find((s) => s['subject']['attio_deal_id'] === dealId)!;
    expect(onDeal, 'the deal').toBeDefined();
    expect(onDeal['evidence_refs']).toMatchObject([{ source: 'external', ref: deal['web_url'] }]);
    expect((await detail(onDeal['id'])).evidence[0]).toMatchObject({
      found: true,
      deep_link: deal['web_url'],
    });
    // A won or lost deal is never stalled.
    const closed = new Set(
      truthItems(attio.sim, 'deals')
        .filter((d) => /won|lost/i.test(d['values']['stage']?.[0]?.['status']?.['title'] ?? ''))
        .map((d) => d['id']['record_id']),
    );
    expect(signals.filter((s) => closed.has(s['subject']['attio_deal_id']))).toEqual([]);

    // Over unchanged rows a second run writes nothing.
    const again = await runSignals();
    expect([again['inserted'], again['updated'], again['resolved']]).toEqual([0, 0, 0]);
  });

  it('resolves the task’s signal once it is completed in Attio and re-synced', async () => {
    attio.sim.control.updateTask(taskId, { isCompleted: true });
    await attio.sync({ scope: linear.scope });
    await runSignals();
    const signals = await openStalled();
    const onTask = signals.find((s) => s['subject']['attio_task_id'] === taskId)!;
    expect(onTask).toMatchObject({
      status: 'resolved',
      resolution: 'auto: the task was completed',
    });
    const onIssue = signals.find((s) => s['subject']['linear_issue_id'] === issue['id'])!;
    expect(onIssue['status']).toBe('open');
  });

  it('resolves the signals of an issue, a task and a deal deleted at the source', async () => {
    // A second overdue task, flagged, then deleted with the issue and the deal.
    const task = attio.sim.control.addTask({
      content: 'Confirm the print run',
      deadlineAt: new Date(Date.now() - 2 * DAY_MS).toISOString(),
      linked: [{ object: 'companies', recordId: company['id']['record_id'] }],
    });
    const secondTaskId = (task as Json)['id']['task_id'];
    await attio.sync({ scope: linear.scope });
    await runSignals();
    const dealId = deal['id']['record_id'];
    const flagged = (await openStalled()).filter(
      (s) =>
        s['status'] === 'open' &&
        (s['subject']['linear_issue_id'] === issue['id'] ||
          s['subject']['attio_task_id'] === secondTaskId ||
          s['subject']['attio_deal_id'] === dealId),
    );
    expect(flagged).toHaveLength(3);

    linear.sim.control.deleteIssue(issue['id']);
    attio.sim.control.deleteTask(secondTaskId);
    attio.sim.control.deleteRecord('deals', dealId);
    await linear.sync();
    await attio.sync({ scope: linear.scope });
    const counts = await runSignals();
    expect(counts['resolved']).toBeGreaterThanOrEqual(3);

    const after = new Map((await openStalled()).map((s) => [s['id'], s]));
    expect(flagged.map((s) => after.get(s['id'])?.['status'])).toEqual([
      'resolved',
      'resolved',
      'resolved',
    ]);
    expect(flagged.map((s) => after.get(s['id'])?.['resolution']).sort()).toEqual([
      'auto: the deal was deleted in Attio',
      'auto: the issue was deleted in Linear',
      'auto: the task was deleted in Attio',
    ]);
    // Nothing left to close: the next run writes nothing.
    const again = await runSignals();
    expect([again['inserted'], again['updated'], again['resolved']]).toEqual([0, 0, 0]);
  });
});

import { buildWebhookPayload, signedDelivery } from '@cairn/chatwoot-sim';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultJobHandlers } from '../../src/modules/jobs/handlers.js';
import { vectorIndexName } from '../../src/modules/rag/vector-index.js';
import { startJobs, type JobsRuntime } from '../../src/modules/jobs/runtime.js';
import { bindSim, WEBHOOK_SECRET, type Bound } from '../chatwoot/harness.js';
import { useTestApp } from '../support/app.js';
import { signInWithProject } from '../support/factories.js';

describe('the real job handlers on the queue', () => {
  const ctx = useTestApp();
  let jobs: JobsRuntime;
  let bound: Bound;

  beforeAll(async () => {
    bound = await bindSim(ctx, { size: 'tiny', seed: 'jobs-default-handlers' });
    jobs = await startJobs({
      config: ctx.config,
      database: ctx.database,
      logger: pino({ level: 'silent' }),
      // Low enough that the tiny dataset counts as a large project and gets its own graph.
      handlers: defaultJobHandlers({ ...ctx.config, SEARCH_EXACT_THRESHOLD: 10 }),
      queue: { pollingIntervalSeconds: 0.5 },
      signals: ctx.app.jobs.signals,
      scheduler: false,
    });
  });
  afterAll(async () => {
    await jobs?.stop();
    await bound?.sim.stop();
  });

  it('syncs the bound Chatwoot account, then embeds its chunks, through queued runs', async () => {
    const sync = await bound.session.request(
      'POST',
      '/jobs/chatwoot/sync?wait=true&timeout_seconds=40',
    );
    expect(sync.statusCode, sync.body).toBe(200);
    const run = sync.json().run;
    expect(run).toMatchObject({ status: 'ok', error: null });
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from cw_messages where project_id = ${bound.scope.projectId}::uuid
    `.execute(ctx.database.db);
    expect(rows[0]!.n).toBeGreaterThan(0);
    expect(run.counts.messages_inserted).toBe(rows[0]!.n);

    // The sync that wrote chunks asks for an embeddings run itself, after a short debounce
    // (jobs/embeddings-wake.ts). Waited for here, before anyone asks for one by hand: a manual run
    // queued first would take the new chunks and the wake would rightly fold into it.
    let systemRuns = 0;
    for (let i = 0; i < 100 && systemRuns === 0; i++) {
      const { rows: found } = await sql<{ n: number }>`
        select count(*)::int as n from job_runs where project_id = ${bound.scope.projectId}::uuid
          and job_name = 'embeddings_run' and trigger = 'system'`.execute(ctx.database.db);
      systemRuns = found[0]!.n;
      if (systemRuns === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(systemRuns).toBeGreaterThan(0);

    // The embedded database never analyzes by itself: the worker does after a run that changed
    // much, or the next runs plan their joins on empty-table guesses (table-statistics.ts).
    // Server Postgres reports a backend's changes to pg_stat_user_tables only when it flushes its
    // statistics (up to 10 s after the transaction when busy) and analyzes by itself, so this is
    // the embedded database's property.
    let analyzed = !ctx.database.embedded;
    for (let i = 0; i < 100 && !analyzed; i++) {
      const { rows: stats } = await sql<{ analyzed: boolean }>`
        select (coalesce(last_analyze, last_autoanalyze) is not null) as analyzed
        from pg_stat_user_tables where relname = 'cw_messages'`.execute(ctx.database.db);
      analyzed = stats[0]?.analyzed ?? false;
      if (!analyzed) await new Promise((r) => setTimeout(r, 100));
    }
    expect(analyzed).toBe(true);

    const again = (await bound.session.request('POST', '/jobs/chatwoot/sync?wait=true')).json().run;
    expect(again).toMatchObject({ status: 'ok' });
    expect(again.counts.messages_inserted).toBe(0);

    // This waits for the system's run if it is still going (or, if it already ended, runs again
    // and finds the graph in place).
    const embed = (await bound.session.request('POST', '/jobs/embeddings/run?wait=true')).json();
    expect(embed.run).toMatchObject({ status: 'ok' });
    expect(['built', 'exists']).toContain(embed.run.counts.vector_index);
    const { rows: graphs } = await sql<{ n: number }>`
      select count(*)::int as n from pg_indexes
      where tablename = 'rag_chunks' and indexname = ${vectorIndexName(bound.scope.projectId)}
    `.execute(ctx.database.db);
    expect(graphs[0]!.n).toBe(1);
    const status = (await bound.session.request('GET', '/jobs/status')).json();
    expect(status.rag_counts.ready).toBeGreaterThan(0);
    expect(status.rag_counts.pending).toBe(0);
    expect(status.entities.messages).toBe(rows[0]!.n);
  });

  it('embeds a message delivered by webhook without anyone asking for a run', async () => {
    const conversationId = bound.sim.control.groundTruth.conversationIds()[2]!;
    const content = 'Could you bring the foil-stamped business card proofs to Thursday’s meeting?';
    const message = bound.sim.control.addMessage({
      conversationId,
      content,
      message_type: 'incoming',
    });
    const payload = buildWebhookPayload(bound.sim, 'message_created', {
      conversationId,
      messageId: message.id as number,
    });
    const delivery = signedDelivery(WEBHOOK_SECRET, payload);
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/webhooks/chatwoot/${bound.sourceId}`,
      headers: delivery.headers,
      payload: delivery.body,
    });
    expect(res.json()).toMatchObject({ applied: true });
    // The scheduler is off in this file and the embeddings cadence is minutes: only the wake-up
    // on fresh chunks can embed it within this wait.
    let status: string | undefined;
    for (let i = 0; i < 100 && status !== 'ready'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      const { rows } = await sql<{ embedding_status: string }>`
        select k.embedding_status from rag_chunks k join cw_messages m on m.id = k.message_global_id
        where m.project_id = ${bound.scope.projectId}::uuid and m.message_id = ${message.id as number}
      `.execute(ctx.database.db);
      status = rows[0]?.embedding_status;
    }
    expect(status).toBe('ready');
  });

  it('processes the outbound queue of a project with nothing to send', async () => {
    const ticked = await bound.session.request('POST', '/jobs/scheduler/tick');
    // Once, under a profiler's load, this answered without a worker run: say what it answered.
    expect(ticked.statusCode, ticked.body).toBe(200);
    const run = ticked.json().worker_run;
    expect(run.enqueued.map((e: { job_type: string }) => e.job_type)).toContain('outbound_process');
    const outbound = run.enqueued.find(
      (e: { job_type: string }) => e.job_type === 'outbound_process',
    );
    let status = '';
    for (let i = 0; i < 100 && !['ok', 'failed'].includes(status); i++) {
      await new Promise((r) => setTimeout(r, 200));
      const current = await bound.session.request('GET', `/jobs/runs/${outbound.run_id}`);
      status = current.json().run.status;
    }
    const finished = (await bound.session.request('GET', `/jobs/runs/${outbound.run_id}`)).json()
      .run;
    expect(finished).toMatchObject({ status: 'ok', counts: { processed: 0, sent: 0 } });
  });

  it('finishes a sync of a project with no bound source as ok, with nothing to do', async () => {
    const { session } = await signInWithProject(ctx.app, ctx.database);
    const run = (await session.request('POST', '/jobs/chatwoot/sync?wait=true')).json().run;
    expect(run).toMatchObject({ status: 'ok', counts: { skipped: expect.any(String) } });
  });
});

import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultJobHandlers } from '../../src/modules/jobs/handlers.js';
import { vectorIndexName } from '../../src/modules/rag/vector-index.js';
import { startJobs, type JobsRuntime } from '../../src/modules/jobs/runtime.js';
import { bindSim, type Bound } from '../chatwoot/harness.js';
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

    const again = (await bound.session.request('POST', '/jobs/chatwoot/sync?wait=true')).json().run;
    expect(again).toMatchObject({ status: 'ok' });
    expect(again.counts.messages_inserted).toBe(0);

    const embed = (await bound.session.request('POST', '/jobs/embeddings/run?wait=true')).json();
    expect(embed.run).toMatchObject({ status: 'ok', counts: { vector_index: 'built' } });
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

  it('processes the outbound queue of a project with nothing to send', async () => {
    const run = (await bound.session.request('POST', '/jobs/scheduler/tick')).json().worker_run;
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

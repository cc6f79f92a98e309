import { sql } from 'kysely';
import type { Database } from '../../src/db/database.js';
import type { JobContext, JobHandler, JobHandlers } from '../../src/modules/jobs/types.js';
import { JOB_TYPES } from '../../src/modules/jobs/types.js';

/**
 * Handlers that record every invocation in a table, so a test can count how often each run was
 * executed and by which worker, across processes. Their behaviour is chosen per test.
 */
export async function createInvocationsTable(database: Database): Promise<void> {
  await sql`
    create table if not exists test_job_invocations (
      id bigint generated always as identity primary key,
      run_id uuid not null,
      project_id uuid not null,
      job_type text not null,
      worker_id text not null,
      attempt integer not null,
      at timestamptz not null default clock_timestamp()
    )
  `.execute(database.db);
}

export interface Invocation {
  run_id: string;
  project_id: string;
  job_type: string;
  worker_id: string;
  attempt: number;
}

export async function invocations(database: Database): Promise<Invocation[]> {
  const { rows } = await sql<Invocation>`
    select run_id, project_id, job_type, worker_id, attempt from test_job_invocations order by id
  `.execute(database.db);
  return rows;
}

export type Behaviour = (context: JobContext) => Promise<Record<string, unknown> | void>;

export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason instanceof Error ? signal!.reason : new Error('aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** Reports progress `steps` times, `stepMs` apart, honouring the abort signal. */
export const slowly =
  (steps: number, stepMs: number): Behaviour =>
  async ({ onProgress, signal }) => {
    for (let i = 1; i <= steps; i++) {
      await sleep(stepMs, signal);
      onProgress({ phase: 'working', processed: i, total: steps });
    }
    return { steps };
  };

export function recordingHandlers(
  database: Database,
  workerId: string,
  behaviour: Behaviour = async () => ({ recorded: 1 }),
): JobHandlers {
  const record: JobHandler = async (context) => {
    const { rows } = await sql<{ attempt: number }>`
      select attempt from job_runs where id = ${context.runId}::uuid
    `.execute(database.db);
    await sql`
      insert into test_job_invocations (run_id, project_id, job_type, worker_id, attempt)
      select ${context.runId}::uuid, ${context.scope.projectId}::uuid, job_name, ${workerId},
        ${rows[0]?.attempt ?? 0}
      from job_runs where id = ${context.runId}::uuid
    `.execute(database.db);
    return behaviour(context);
  };
  return Object.fromEntries(JOB_TYPES.map((type) => [type, record]));
}

// Short intervals keep the test files fast; production defaults are in runtime.ts and queue.ts.
export const fastWorker = {
  queue: { pollingIntervalSeconds: 0.5, retryDelaySeconds: 1, maintenanceIntervalSeconds: 1 },
  heartbeatSeconds: 1,
  staleAfterSeconds: 5,
  reaperIntervalSeconds: 1,
  shutdownGraceSeconds: 2,
  scheduler: false,
};

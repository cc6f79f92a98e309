import type { Kysely } from 'kysely';
import type { Database, Scope } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { recordAudit } from '../audit/service.js';
import type { JobQueue } from './queue.js';
import { findDeadRuns, handBackDeadRun } from './reaper.js';
import { findActiveRun, insertQueuedRun, markScheduleStatus, type JobRunRow } from './sql.js';
import type { JobType, RunTrigger } from './types.js';

export interface EnqueueResult {
  run: JobRunRow;
  /** false when the project already had a queued or running run of this job, which is returned. */
  created: boolean;
}

/**
 * Inside `trx`: creates a queued run and its queue job together, or returns the project's active
 * run of this job. Runs on an owner transaction because it writes pg-boss's own tables, which the
 * request role cannot reach; the scope columns are set explicitly and checked by the scope foreign key.
 */
export async function enqueueInTransaction(
  trx: Kysely<DB>,
  queue: JobQueue,
  input: { scope: Scope; jobType: JobType; trigger: RunTrigger; meta?: Record<string, unknown> },
): Promise<EnqueueResult> {
  const run = await insertQueuedRun(trx, input);
  if (run) {
    await queue.sendInTransaction(trx, input.jobType, {
      runId: run.id,
      projectId: input.scope.projectId,
      accountScopeId: input.scope.accountScopeId,
    });
    await markScheduleStatus(trx, { scope: input.scope, jobType: input.jobType, status: 'queued' });
    return { run, created: true };
  }
  const active = await findActiveRun(trx, input.scope, input.jobType);
  if (!active) {
    // The conflicting run finished between our insert and this read: the caller may try again.
    throw new ActiveRunVanishedError();
  }
  return { run: active, created: false };
}

class ActiveRunVanishedError extends Error {}

/**
 * A manual run: enqueued with its audit event in one transaction, and this process's workers
 * woken once it has committed (other processes' by the NOTIFY the commit delivers).
 *
 * A person asking for a run must never be handed a dead one to wait on: when the active run's
 * worker is gone (heartbeat older than `staleAfterSeconds`, or a previous process of this host),
 * it is handed back to the queue right here, in this transaction, for immediate redelivery (or
 * failed, with no retries left, and a fresh run created), and the request follows that.
 */
export async function enqueueManualRun(options: {
  database: Database;
  queue: JobQueue;
  scope: Scope;
  jobType: JobType;
  actor: string;
  requestId?: string;
  staleAfterSeconds: number;
}): Promise<EnqueueResult> {
  const { database, queue, scope, jobType } = options;
  for (let attempt = 0; ; attempt++) {
    try {
      const result = await database.db.transaction().execute(async (trx) => {
        const input = {
          scope,
          jobType,
          trigger: 'manual' as const,
          meta: { requested_by: options.actor },
        };
        let result = await enqueueInTransaction(trx, queue, input);
        if (!result.created && result.run.status === 'running') {
          const [dead] = await findDeadRuns(trx, {
            staleAfterSeconds: options.staleAfterSeconds,
            runId: result.run.id,
          });
          const handedBack = dead && (await handBackDeadRun(trx, queue, dead));
          // Requeued: the same run, delivered again at once. Failed for good: a fresh run.
          if (handedBack) result = await enqueueInTransaction(trx, queue, input);
        }
        await recordAudit(trx, {
          projectId: scope.projectId,
          accountScopeId: scope.accountScopeId,
          actor: options.actor,
          action: 'job.run',
          entityType: 'job_run',
          entityId: result.run.id,
          payload: { job_type: jobType, created: result.created },
          requestId: options.requestId ?? null,
        });
        return result;
      });
      if (result.run.status === 'queued') queue.announce({ enqueued: [jobType] });
      return result;
    } catch (error) {
      if (error instanceof ActiveRunVanishedError && attempt < 3) continue;
      throw error;
    }
  }
}

/**
 * A run the system asks for on its own (fresh chunks want embedding): no audit event, since no
 * person acted, and no dead-run check, which the reaper does on its own cadence.
 */
export async function enqueueSystemRun(options: {
  database: Database;
  queue: JobQueue;
  scope: Scope;
  jobType: JobType;
  meta?: Record<string, unknown>;
}): Promise<EnqueueResult> {
  const { database, queue, jobType } = options;
  for (let attempt = 0; ; attempt++) {
    try {
      const result = await database.db.transaction().execute((trx) =>
        enqueueInTransaction(trx, queue, {
          scope: options.scope,
          jobType,
          trigger: 'system',
          meta: options.meta,
        }),
      );
      if (result.created) queue.announce({ enqueued: [jobType] });
      return result;
    } catch (error) {
      if (error instanceof ActiveRunVanishedError && attempt < 3) continue;
      throw error;
    }
  }
}
